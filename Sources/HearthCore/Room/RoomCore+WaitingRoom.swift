import Foundation

/// A staff member's decision on people in the waiting room. It takes effect only once it is stored: the server
/// stores it (one record per person), then hands it back to `RoomCore.confirm`. Until then they stay waiting, so a
/// decision that could not be stored leaves them where they were.
public struct WaitingRoomDecision: Equatable, Sendable {
    public enum Verdict: Equatable, Sendable {
        case admitted
        /// Not admitted; `message` is what they are told.
        case denied(message: String)
    }

    public var verdict: Verdict
    /// Who it is about, in arrival order (admitting everyone when nobody waits decides about nobody).
    public var people: [MemberInfo]
    public var by: PersonID
    public var at: Date

    public init(verdict: Verdict, people: [MemberInfo], by: PersonID, at: Date) {
        self.verdict = verdict; self.people = people; self.by = by; self.at = at
    }

    /// What someone is told when a counselor does not admit them and writes nothing.
    public static let deniedMessage =
        "The counselor did not admit you to this session. You can contact the clinic if you have questions."
}

/// What an `agree` comes to.
public enum AgreementStep: Equatable, Sendable {
    /// The session has no agreement: nothing to accept or store.
    case notRequired
    /// Accepted already (or being stored): nothing more to store.
    case alreadyAgreed
    /// Store the acceptance. The person counts as having agreed from now on (a second `agree` meanwhile stores
    /// nothing); if it cannot be stored, `withdrawAgreement` undoes it and they may send it again.
    case record
}

extension RoomCore {
    // MARK: The waiting room

    /// Who waits, in arrival order.
    public var waitingMembers: [MemberInfo] { waiting.map(\.member) }

    /// The member waiting under this id, if they wait.
    public func waitingMember(_ person: PersonID) -> MemberInfo? {
        waiting.first { $0.member.id == person }?.member
    }

    /// A connection of `member` starts to wait (the server calls this once per connection). Returns true when the
    /// person was not waiting already: staff hear a knock. A second connection (another tab, a reconnect while the
    /// old one lingers) does not knock twice.
    public mutating func knock(_ member: MemberInfo) -> Bool {
        if let index = waiting.firstIndex(where: { $0.member.id == member.id }) {
            waiting[index].connections += 1
            return false
        }
        waiting.append(Waiting(member: member, connections: 1))
        return true
    }

    /// A waiting connection of `person` is gone (it left, closed, or was turned away). Returns the member when it was
    /// their last: they are no longer waiting and staff hear that they left. Nil while another of theirs still waits.
    public mutating func leaveWaiting(_ person: PersonID) -> MemberInfo? {
        guard let index = waiting.firstIndex(where: { $0.member.id == person }) else { return nil }
        if waiting[index].connections > 1 {
            waiting[index].connections -= 1
            return nil
        }
        return waiting.remove(at: index).member
    }

    /// Staff admit one waiting person, or everyone waiting (`member` nil) in arrival order. The decision is to be
    /// stored, then `confirm`ed; nothing changes yet.
    public func admit(_ member: PersonID?, by staff: PersonID, now: Date) -> Result<WaitingRoomDecision, ProtocolError> {
        let people: [MemberInfo]
        if let member {
            guard let waiter = waitingMember(member) else { return .failure(Self.notWaiting(member)) }
            people = [waiter]
        } else {
            people = waitingMembers
        }
        return .success(WaitingRoomDecision(verdict: .admitted, people: people, by: staff, at: now))
    }

    /// Staff do not admit a waiting person; `message` (trimmed; the standard text when empty) is what they are told.
    /// The decision is to be stored, then `confirm`ed; nothing changes yet.
    public func deny(_ member: PersonID, message: String?, by staff: PersonID,
                     now: Date) -> Result<WaitingRoomDecision, ProtocolError> {
        guard let waiter = waitingMember(member) else { return .failure(Self.notWaiting(member)) }
        let text = message?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return .success(WaitingRoomDecision(verdict: .denied(message: text.isEmpty ? WaitingRoomDecision.deniedMessage : text),
                                            people: [waiter], by: staff, at: now))
    }

    /// A decision is stored: those it names who still wait leave the waiting room (the admitted go straight back in
    /// on reconnecting for the rest of the occurrence). Returns them, in the decision's order; someone who left
    /// meanwhile is not in it.
    public mutating func confirm(_ decision: WaitingRoomDecision) -> [MemberInfo] {
        var decided: [MemberInfo] = []
        for person in decision.people {
            guard let index = waiting.firstIndex(where: { $0.member.id == person.id }) else { continue }
            decided.append(waiting.remove(at: index).member)
            if case .admitted = decision.verdict { admitted.insert(person.id) }
        }
        return decided
    }

    private static func notWaiting(_ member: PersonID) -> ProtocolError {
        .notFound("\(member) is not in the waiting room.")
    }

    // MARK: The agreement

    /// The agreement this person must accept before writing: the session's, for a participant or family member who
    /// has not accepted it. Nil for staff, when there is none, or once accepted.
    public func agreementToAccept(by person: Identity) -> String? {
        guard !person.role.isStaff, !agreed.contains(person.id) else { return nil }
        return descriptor.agreement
    }

    /// Someone in the room or its waiting room accepts the agreement (anyone may: staff's acceptance is stored too).
    public mutating func agree(_ person: PersonID) -> AgreementStep {
        guard descriptor.agreement != nil else { return .notRequired }
        return agreed.insert(person).inserted ? .record : .alreadyAgreed
    }

    /// The acceptance `agree` asked to store could not be stored: the person has not agreed.
    public mutating func withdrawAgreement(_ person: PersonID) {
        agreed.remove(person)
    }
}
