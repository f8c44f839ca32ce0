import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// Checks a send and queues it for the next group commit. Nothing is delivered until it is committed.
    func send(_ session: Session, _ identity: Identity, _ id: RoomID, body: String, clientID: String,
              to recipient: Recipient? = nil, announce: Bool = false, ref: String?) {
        // Whole milliseconds: the precision the store keeps, so the ack and the history show the same `ts`.
        let now = Date(epochMilliseconds: clock().epochMilliseconds)
        guard session.rooms.contains(id), let room = rooms[id] else {
            return reply(session, .error(.init(.forbidden("Join room \(id) before sending to it."), ref: ref)))
        }
        guard AccessRule.mayAccess(identity, room.descriptor) else {
            return reply(session, .error(.init(.forbidden("Break-glass access is read-only: you cannot write in this room."), ref: ref)))
        }
        if case .failure(let error) = AccessRule.send(identity, room.descriptor, now: now) {
            // A resend of a message committed before the room closed still gets its original ack.
            if let original = try? messages.message(in: id, from: identity.id, clientID: clientID) {
                return acknowledge(original, SendOrigin(connection: session.connection, ref: ref))
            }
            return reply(session, .error(.init(error, ref: ref)))
        }
        if room.ended {
            return reply(session, .error(.init(.init(.ended, "This session has ended: nothing more can be sent."), ref: ref)))
        }
        var kind = MessageKind.chat
        var to: MemberInfo?
        if announce || recipient.map({ $0 != .staff }) == true {
            guard identity.role.isStaff else {
                recordRefusal(identity, announce ? "send announce" : "send whisper", room: id)
                return reply(session, .error(.init(.forbidden("Only counselors can announce or whisper."), ref: ref)))
            }
        }
        switch recipient {
        case .staff?: kind = .private
        case .member(let member)?:
            guard let target = room.present[member]?.member, !target.role.isStaff else {
                return reply(session, .error(.init(.badRequest("You can whisper only to a participant or family member in the room."), ref: ref)))
            }
            kind = .whisper
            to = target
        case nil: kind = announce ? .announcement : .chat
        }
        if !identity.role.isStaff {
            if let until = room.mute(of: identity.id, at: now), kind != .private {
                let end = until.map { " for \(max(1, Int(($0.timeIntervalSince(now) / 60).rounded(.up)))) more min" } ?? ""
                return reply(session, .error(.init(.init(.muted,
                    "A counselor has muted you\(end). You can still read, and write to the counselor privately."), ref: ref)))
            }
            if let speaker = room.speaker, speaker.id != identity.id, kind != .private {
                return reply(session, .error(.init(.init(.notYourTurn,
                    "It is \(speaker.name)'s turn in the check-in round. You can write when the talking piece reaches you."), ref: ref)))
            }
            if room.descriptor.agreement != nil && !room.agreed.contains(identity.id) {
                return reply(session, .error(.init(.init(.agreementRequired,
                    "Please read and accept the group agreement before you write."), ref: ref)))
            }
            if room.paused {
                return reply(session, .error(.init(.init(.noStaff,
                    "The session is paused until a counselor joins. You can still read."), ref: ref)))
            }
        }
        if let error = configuration.limits.validate(body: body) {
            return reply(session, .error(.init(error, ref: ref)))
        }
        if writerIsFull(for: identity, body: body) {
            logger.warning("message writer full: send refused", metadata: ["hearth.room": "\(id)"])
            return reply(session, .error(.init(RecordKeeper.busy, ref: ref)))
        }
        var held = false
        var crisis: CrisisMatch?
        if !identity.role.isStaff {
            if kind == .chat, let wait = SlowMode(seconds: room.control.slowSeconds).wait(since: room.lastPost[identity.id], now: now) {
                transport.noteAbuse(.rateLimited, on: session.connection)
                return reply(session, .error(.init(.init(.rateLimited,
                    "Slow mode is on: one message every \(room.control.slowSeconds) s. Wait \(wait) s.", retryAfter: wait), ref: ref)))
            }
            crisis = lexicon.scan(body)
            held = kind == .chat && (room.control.reviewMode || (configuration.holdHighSeverity && crisis?.severity == .high))
            if kind == .chat { room.lastPost[identity.id] = now }
        }
        room.inFlight += 1
        if pendingWrites.isEmpty { transport.scheduleTurnEnd() }
        pendingWrites.append(PendingMessage(room: id, sender: identity.member, body: body, clientID: clientID,
                                            sentAt: now, kind: kind, to: to, held: held,
                                            tag: SendOrigin(connection: session.connection, ref: ref, crisis: crisis)))
    }

    /// Messages that may wait for the writer beyond its bound when they match a crisis signal: a crisis message is
    /// not refused for a queue full of ordinary ones.
    static let crisisWriterReserve = 1_000

    /// Whether the writer's queue (with this turn's messages) is at its bound: a send is then refused "busy" before
    /// anything is taken (allowance, slow mode). A participant's message that matches a crisis signal may use the
    /// reserve above the bound.
    private func writerIsFull(for identity: Identity, body: String) -> Bool {
        let waiting = pendingWrites.count + writer.queued
        guard waiting >= writer.maxQueued else { return false }
        guard waiting < writer.maxQueued + Self.crisisWriterReserve, !identity.role.isStaff else { return true }
        return lexicon.scan(body) == nil
    }

    /// Runs on the service thread with one transaction's outcomes, in commit (seq) order.
    func committed(_ outcomes: [WriteOutcome<SendOrigin>]) {
        // One transaction: every outcome failed, or none did.
        if case .failed? = outcomes.first { keeper.health.failed() } else if !outcomes.isEmpty { keeper.health.succeeded() }
        for outcome in outcomes {
            switch outcome {
            case .committed(let message, let origin):
                acknowledge(message, origin)
                guard let room = rooms[message.room] else { continue }
                room.inFlight -= 1
                room.deliveredSeq = message.seq
                deliver(message, in: room)
                if let crisis = origin.crisis { crisisFlagged(message, crisis, in: room) }
                if message.kind == .whisper || message.kind == .announcement {
                    audit(message.kind == .whisper ? .whisper : .announce, by: message.sender.id, room: message.room,
                          target: message.to?.id.rawValue, now: message.sentAt, detail: "seq \(message.seq)")
                }
            case .duplicate(let original, let origin):
                rooms[original.room]?.inFlight -= 1
                acknowledge(original, origin)
            case .failed(let pending, let reason):
                rooms[pending.room]?.inFlight -= 1
                if let session = sessions[pending.tag.connection] {
                    reply(session, .error(.init(.init(.internal, reason), ref: pending.tag.ref)))
                }
            }
        }
    }

    /// Sends a committed message to everyone in the room who receives it: one shared frame when that is everyone.
    private func deliver(_ message: StoredMessage, in room: LiveRoom) {
        let frame = codec.encode(.message(message.wire))
        let audience = message.audience
        if audience.isForEveryone {
            for connection in room.connections { transport.send(frame, to: connection) }
            return
        }
        for connection in room.connections {
            guard let identity = sessions[connection]?.identity, audience.includes(identity.id, role: identity.role) else { continue }
            transport.send(frame, to: connection)
        }
    }

    func acknowledge(_ message: StoredMessage, _ origin: SendOrigin) {
        guard let session = sessions[origin.connection] else { return }
        reply(session, .ack(.init(room: message.room, clientID: message.clientID, id: message.id, seq: message.seq,
                                  ts: WireTime.timestamp(message.sentAt), ref: origin.ref)))
    }
}
