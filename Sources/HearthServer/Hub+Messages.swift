import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// Checks a send and queues it for the next group commit. Nothing is delivered until it is committed.
    func send(_ session: Session, _ identity: Identity, _ id: RoomID, body: String, clientID: String, ref: String?) {
        // Whole milliseconds: the precision the store keeps, so the ack and the history show the same `ts`.
        let now = Date(epochMilliseconds: clock().epochMilliseconds)
        guard session.rooms.contains(id), let room = rooms[id] else {
            return reply(session, .error(.init(.forbidden("Join room \(id) before sending to it."), ref: ref)))
        }
        if case .failure(let error) = AccessRule.send(identity, room.descriptor, now: now) {
            // A resend of a message committed before the room closed still gets its original ack.
            if let original = try? messages.message(in: id, from: identity.id, clientID: clientID) {
                return acknowledge(original, SendOrigin(connection: session.connection, ref: ref))
            }
            return reply(session, .error(.init(error, ref: ref)))
        }
        if !identity.role.isStaff {
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
        var allowance = allowances[identity.id]
            ?? SendAllowance(rate: configuration.sendRatePerSecond, burst: configuration.sendBurst, now: now)
        let wait = allowance.take(now: now)
        allowances[identity.id] = allowance
        if let wait {
            let seconds = max(1, Int(wait.rounded(.up)))
            return reply(session, .error(.init(.init(.rateLimited, "You are sending too fast. Wait \(seconds) s."), ref: ref)))
        }
        room.inFlight += 1
        if pendingWrites.isEmpty { transport.scheduleTurnEnd() }
        pendingWrites.append(PendingMessage(room: id, sender: identity.member, body: body, clientID: clientID,
                                            sentAt: now, tag: SendOrigin(connection: session.connection, ref: ref)))
    }

    /// Runs on the service thread with one transaction's outcomes, in commit (seq) order.
    func committed(_ outcomes: [WriteOutcome<SendOrigin>]) {
        for outcome in outcomes {
            switch outcome {
            case .committed(let message, let origin):
                acknowledge(message, origin)
                guard let room = rooms[message.room] else { continue }
                room.inFlight -= 1
                room.deliveredSeq = message.seq
                let frame = codec.encode(.message(message.wire))
                for connection in room.connections { transport.send(frame, to: connection) }
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

    func acknowledge(_ message: StoredMessage, _ origin: SendOrigin) {
        guard let session = sessions[origin.connection] else { return }
        reply(session, .ack(.init(room: message.room, clientID: message.clientID, id: message.id, seq: message.seq,
                                  ts: WireTime.timestamp(message.sentAt), ref: origin.ref)))
    }
}
