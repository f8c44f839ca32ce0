import Foundation

extension RoomCore {
    /// Decides a staff member's moderation action on this room and applies it to the state. `target` is the member
    /// the action names, as the server found them (present, waiting, or on the list for the session). Returns the
    /// effects to carry out, records first, or the refusal.
    public mutating func moderate(_ action: ModerationRequest, by staff: MemberInfo, target: MemberInfo?,
                                  now: Date) -> Result<[RoomEffect], ProtocolError> {
        let id = descriptor.id
        func named() throws(ProtocolError) -> MemberInfo {
            guard let target else { throw .notFound("\(action.member.map(\.rawValue) ?? "?") is not a member of this session.") }
            guard !target.role.isStaff else {
                throw .badRequest("Moderation actions apply to participants and family members, not staff.")
            }
            return target
        }
        func frame(target: MemberInfo? = nil, until: String? = nil, reason: String? = nil, seconds: Int? = nil,
                   on: Bool? = nil, round: ServerFrame.Round? = nil) -> ServerFrame.Moderation {
            ServerFrame.Moderation(room: id, action: action.action, by: staff, target: target, until: until,
                                   reason: reason, seconds: seconds, on: on, round: round)
        }
        do throws(ProtocolError) {
            switch action {
            case .mute(let member, let minutes, let reason):
                let target = try named()
                // Whole milliseconds: what the store keeps, so a restart gives the same end.
                let until = minutes.map { Date(epochMilliseconds: now.addingTimeInterval(Double($0) * 60).epochMilliseconds) }
                muted[member] = .some(until)
                return .success([.restrict(.mute, target, until: until, reason: reason),
                                 .announce(frame(target: target, until: until.map(WireTime.timestamp), reason: reason),
                                           .staffAnd(member))])
            case .unmute(let member):
                let target = try named()
                muted.removeValue(forKey: member)
                return .success([.lift(.mute, target), .announce(frame(target: target), .staffAnd(member))])
            case .remove(let member, let reason), .ban(let member, let reason):
                let target = try named()
                let kind: RestrictionKind = if case .remove = action { .remove } else { .ban }
                if kind == .remove { removed.insert(member) } else { banned.insert(member) }
                forget(hand: member)
                return .success([.restrict(kind, target, until: nil, reason: reason),
                                 .announce(frame(target: target, reason: reason), .staffAnd(member)), .evict(member)])
            case .unban(let member):
                let target = try named()
                banned.remove(member)
                return .success([.lift(.ban, target), .announce(frame(target: target), .staffOnly)])
            case .hide(let seq, let reason): return .success([try flag(.hidden(reason: reason), seq: seq)])
            case .unhide(let seq): return .success([try flag(.shown, seq: seq)])
            case .pin(let seq): return .success([try flag(.pinned, seq: seq)])
            case .unpin(let seq): return .success([try flag(.unpinned, seq: seq)])
            case .release(let seq): return .success([try flag(.released, seq: seq)])
            case .lock, .unlock:
                control.locked = action == .lock
                return .success([.saveControl(action == .lock ? .lock : .unlock, detail: nil), .announce(frame(), .everyone)])
            case .slow(let seconds):
                control.slowSeconds = seconds
                lastPost.removeAll()
                return .success([.saveControl(.slow, detail: seconds == 0 ? "off" : "\(seconds) s"),
                                 .announce(frame(seconds: seconds), .everyone)])
            case .review(let on):
                control.reviewMode = on
                return .success([.saveControl(.review, detail: on ? "on" : "off"), .announce(frame(on: on), .everyone)])
            case .lowerHand(let member):
                let target = try named()
                guard hands.contains(where: { $0.id == member }) else { throw .badRequest("\(target.name) has no hand raised.") }
                forget(hand: member)
                return .success([.audit(.lowerHand(member)), .announce(frame(target: target), .staffAnd(member)), .sendHands])
            case .roundStart(let order):
                let members = try order.map { person throws(ProtocolError) -> MemberInfo in
                    guard let member = present[person]?.member else {
                        throw .badRequest("Everyone in a round must be in the room: \(person) is not.")
                    }
                    return member
                }
                guard !members.isEmpty else { throw .badRequest("A check-in round needs at least one member.") }
                round = (members, 0)
                return .success([.audit(.roundStart(members: members.count)), .announce(frame(round: roundFrame), .everyone)])
            case .roundEnd:
                guard round != nil else { throw .badRequest("No check-in round is running.") }
                return .success(endRound(by: staff))
            case .end:
                guard !ended else { throw ProtocolError(.ended, "This session has already ended.") }
                control.endedAt = now
                round = nil
                hands = []
                return .success([.saveControl(.end, detail: nil), .endSession(by: staff)])
            }
        } catch {
            return .failure(error)
        }
    }

    /// A flag on a message this room has delivered.
    private func flag(_ flag: MessageFlag, seq: Int64) throws(ProtocolError) -> RoomEffect {
        guard seq <= deliveredSeq else { throw .notFound("There is no message \(seq) in this room yet.") }
        return .flag(flag, seq: seq)
    }

    /// Ends the check-in round (`by` nil: it ran through every member).
    private mutating func endRound(by member: MemberInfo?) -> [RoomEffect] {
        round = nil
        return [.audit(.roundEnd), .announce(ServerFrame.Moderation(room: descriptor.id, action: .roundEnd, by: member), .everyone)]
    }

    /// A participant raises or lowers their hand. Staff in the room see the queue when it changed.
    public mutating func hand(of member: MemberInfo, raised: Bool) -> Result<[RoomEffect], ProtocolError> {
        guard !member.role.isStaff else {
            return .failure(.badRequest("Staff do not raise hands: you can speak at any time."))
        }
        let queued = hands.contains { $0.id == member.id }
        if raised && !queued { hands.append(member) }
        if !raised && queued { forget(hand: member.id) }
        return .success(raised != queued ? [.sendHands] : [])
    }

    /// The speaker or staff passes the talking piece; after the last member the round ends.
    public mutating func pass(by member: MemberInfo) -> Result<[RoomEffect], ProtocolError> {
        guard let current = round else { return .failure(.badRequest("No check-in round is running.")) }
        guard member.role.isStaff || speaker?.id == member.id else {
            return .failure(ProtocolError(.notYourTurn, "Only the speaker or a counselor can pass the talking piece."))
        }
        if current.speaker + 1 >= current.order.count { return .success(endRound(by: member)) }
        round = (current.order, current.speaker + 1)
        return .success([.announce(ServerFrame.Moderation(room: descriptor.id, action: .pass, by: member, round: roundFrame),
                                   .everyone)])
    }
}
