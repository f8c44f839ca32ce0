import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// Checks a send (the room's core decides) and queues it for the next group commit. Nothing is delivered until
    /// it is committed.
    func send(_ connection: Connection, _ identity: Identity, _ id: RoomID, body: String, clientID: String,
              to recipient: Recipient? = nil, announce: Bool = false, ref: String?) {
        // Whole milliseconds: the precision the store keeps, so the ack and the history show the same `ts`.
        let now = Date(epochMilliseconds: clock().epochMilliseconds)
        guard connection.rooms.contains(id), let room = rooms[id] else {
            return reply(connection, .error(.init(.forbidden("Join room \(id) before sending to it."), ref: ref)))
        }
        let request = PostRequest(sender: identity, body: body, recipient: recipient, announce: announce)
        let decision = room.core.post(request, now: now, limits: configuration.limits, writer: writerRoom(),
                                      holdHighSeverity: configuration.holdHighSeverity, scan: lexicon.scan)
        let post: AcceptedPost
        switch decision {
        case .success(let accepted):
            post = accepted
        case .failure(let refusal):
            switch refusal.note {
            case .roomClosed?:
                // A resend of a message committed before the room closed still gets its original ack.
                if let original = storedOriginal(in: id, from: identity.id, clientID: clientID) {
                    return acknowledge(original, SendOrigin(connectionID: connection.id, ref: ref))
                }
            case .staffOnly(let what)?: recordRefusal(identity, what, room: id)
            case .slowMode?: transport.noteAbuse(.rateLimited, on: connection.id)
            case .writerFull?: logger.warning("message writer full: send refused", metadata: ["hearth.room": "\(id)"])
            case nil: break
            }
            return reply(connection, .error(.init(refusal.error, ref: ref)))
        }
        room.core.inFlight += 1
        if pendingWrites.isEmpty { transport.scheduleTurnEnd() }
        pendingWrites.append(PendingMessage(room: id, sender: identity.member, body: body, clientID: clientID,
                                            sentAt: now, kind: post.kind, to: post.to, held: post.held,
                                            tag: SendOrigin(connectionID: connection.id, ref: ref, crisis: post.crisis)))
    }

    /// Messages that may wait for the writer beyond its bound when they match a crisis signal: a crisis message is
    /// not refused for a queue full of ordinary ones.
    static let crisisWriterReserve = 1_000

    /// How much room the writer's queue has (with this turn's messages): at its bound a send is refused "busy"
    /// before anything is taken (allowance, slow mode); a participant's message that matches a crisis signal may
    /// use the reserve above it.
    private func writerRoom() -> WriterRoom {
        let waiting = pendingWrites.count + writer.queued
        if waiting < writer.maxQueued { return .available }
        return waiting < writer.maxQueued + Self.crisisWriterReserve ? .crisisReserveOnly : .full
    }

    /// Runs on the service thread with one transaction's outcomes, in commit (seq) order.
    func committed(_ outcomes: [WriteOutcome<SendOrigin>]) {
        // One transaction: every outcome failed, or none did.
        if case .failed? = outcomes.first { keeper.health.failed() } else if !outcomes.isEmpty { keeper.health.succeeded() }
        recordCommitMetrics(outcomes)
        for outcome in outcomes {
            switch outcome {
            case .committed(let message, let origin):
                acknowledge(message, origin)
                guard let room = rooms[message.room] else { continue }
                room.core.inFlight -= 1
                room.core.deliveredSeq = message.seq
                deliver(message, in: room)
                holdForEntering(message)
                if let crisis = origin.crisis { crisisFlagged(message, crisis, in: room) }
                if message.kind == .whisper || message.kind == .announcement {
                    audit(message.kind == .whisper ? .whisper : .announce, by: message.sender.id, room: message.room,
                          target: message.to?.id.rawValue, now: message.sentAt, detail: "seq \(message.seq)")
                }
            case .duplicate(let original, let origin):
                rooms[original.room]?.core.inFlight -= 1
                acknowledge(original, origin)
            case .failed(let pending, let reason):
                rooms[pending.room]?.core.inFlight -= 1
                if let connection = connections[pending.tag.connectionID] {
                    reply(connection, .error(.init(.init(.internal, reason), ref: pending.tag.ref)))
                }
            }
        }
    }

    /// Sends a committed message to everyone in the room who receives it: one shared frame when that is everyone.
    private func deliver(_ message: StoredMessage, in room: LiveRoom) {
        let frame = codec.encode(.message(message.wire))
        let audience = message.audience
        if audience.isForEveryone {
            for connectionID in room.connections { transport.send(frame, to: connectionID) }
            return
        }
        for connectionID in room.connections {
            guard let identity = connections[connectionID]?.identity, audience.includes(identity.id, role: identity.role) else { continue }
            transport.send(frame, to: connectionID)
        }
    }

    func acknowledge(_ message: StoredMessage, _ origin: SendOrigin) {
        guard let connection = connections[origin.connectionID] else { return }
        reply(connection, .ack(.init(room: message.room, clientID: message.clientID, id: message.id, seq: message.seq,
                                  ts: WireTime.timestamp(message.sentAt), ref: origin.ref)))
    }

    /// Messages stored, the transaction's size, and for each message how long from its acceptance until now, when
    /// its frames are queued to the room.
    private func recordCommitMetrics(_ outcomes: [WriteOutcome<SendOrigin>]) {
        var stored = 0
        let now = clock()
        for case .committed(let message, _) in outcomes {
            stored += 1
            metrics.deliveryLatency.record(.milliseconds(max(0, now.epochMilliseconds - message.sentAt.epochMilliseconds)))
        }
        guard stored > 0 else { return }
        metrics.messagesStored.increment(by: Int64(stored))
        metrics.commitBatch.record(Double(stored))
    }
}
