import Foundation

/// What a `join` that passed the access rule and the person's standing comes to in this room.
public enum JoinDecision: Equatable, Sendable {
    /// Into the room now.
    case enter
    /// Into the waiting room until staff admit them (a waiting-room session, or a locked room for a newcomer).
    case wait
}

/// A change of who is present, for the server to tell the room.
public enum PresenceChange: Equatable, Sendable {
    /// The person's first connection entered (`presence` joined to the others).
    case joined(MemberInfo)
    /// Their last connection left (`presence` left to everyone).
    case left(MemberInfo)
    /// The raised-hands queue changed (their hand went down as they left).
    case handsChanged
    /// The room's paused state changed (`room_state` to everyone).
    case pausedChanged(Bool)
}

extension RoomCore {
    /// Decides a join by someone who may access the room: a removal, a ban or the end of the session keep
    /// participants and family out (`recorded`: the attempt is recorded as a refusal); staff always enter; others
    /// wait when the room has a waiting room or is locked to newcomers, unless admitted already or `alreadyIn`.
    public func join(_ person: Identity, alreadyIn: Bool) -> Result<JoinDecision, PostRefusal> {
        guard !person.role.isStaff else { return .success(.enter) }
        if removed.contains(person.id) {
            return .failure(PostRefusal(ProtocolError(.removed,
                "A counselor removed you from this session. You can contact the clinic if you have questions."),
                note: .staffOnly(what: "join (removed)")))
        }
        if banned.contains(person.id) {
            return .failure(PostRefusal(ProtocolError(.banned,
                "A counselor has stopped you from joining this group's sessions. Please contact the clinic."),
                note: .staffOnly(what: "join (banned)")))
        }
        if ended { return .failure(PostRefusal(ProtocolError(.ended, "This session has ended."))) }
        let locked = control.locked && !everPresent.contains(person.id)
        if (locked || AccessRule.mustWait(person, descriptor)) && !admitted.contains(person.id) && !alreadyIn {
            return .success(.wait)
        }
        return .success(.enter)
    }

    /// A connection of `member` entered. Returns what the room hears (nothing for a second connection).
    public mutating func arrive(_ member: MemberInfo) -> [PresenceChange] {
        everPresent.insert(member.id)
        if var entry = present[member.id] {
            entry.connections += 1
            present[member.id] = entry
            return []
        }
        let wasPaused = paused
        present[member.id] = Presence(member: member, connections: 1)
        return [.joined(member)] + (paused != wasPaused ? [.pausedChanged(paused)] : [])
    }

    /// A connection of `person` left. Returns what the room hears (nothing while another of theirs stays).
    public mutating func depart(_ person: PersonID) -> [PresenceChange] {
        guard var entry = present[person] else { return [] }
        if entry.connections > 1 {
            entry.connections -= 1
            present[person] = entry
            return []
        }
        let wasPaused = paused
        present.removeValue(forKey: person)
        var changes: [PresenceChange] = []
        if hands.contains(where: { $0.id == person }) {
            forget(hand: person)
            changes.append(.handsChanged)
        }
        changes.append(.left(entry.member))
        if paused != wasPaused { changes.append(.pausedChanged(paused)) }
        return changes
    }
}
