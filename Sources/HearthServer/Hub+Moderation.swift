import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// A staff member's action on a room they are in. The server decides: the request is staff-only (checked in
    /// `handle`), and the staff member must be in the room and allowed to access it; the room's core decides the
    /// rest and says what to do.
    func moderate(_ connection: Connection, _ identity: Identity, _ id: RoomID, _ action: ModerationRequest, ref: String?) {
        guard connection.rooms.contains(id), let room = rooms[id] else {
            return reply(connection, .error(.init(.forbidden("Join room \(id) before moderating it."), ref: ref)))
        }
        guard AccessRule.mayAccess(identity, room.descriptor) else {
            return reply(connection, .error(.init(.forbidden("Break-glass access is read-only."), ref: ref)))
        }
        let now = clock()
        var target: MemberInfo?
        if let member = action.member {
            do throws(ProtocolError) { target = try participant(member, in: room) } catch {
                return reply(connection, .error(.init(error, ref: ref)))
            }
        }
        switch room.core.moderate(action, by: identity.member, target: target, now: now) {
        case .failure(let error):
            reply(connection, .error(.init(error, ref: ref)))
        case .success(let effects):
            logger.info("moderation", metadata: ["hearth.action": "\(action.action)", "hearth.room": "\(id)", "hearth.by": "\(identity.id)"])
            carryOut(effects, in: room, for: connection, identity, action: action.action, ref: ref, now: now)
        }
    }

    /// Carries out a room decision's effects: records first (the reply waits for the one the action is), then `ok`,
    /// then what the room hears, as a `message` follows its `ack`. A message flag answers on its own once stored.
    /// `action` names the request in the reply when a record fails (nil for a hand, which records nothing).
    func carryOut(_ effects: [RoomEffect], in room: LiveRoom, for connection: Connection, _ identity: Identity,
                  action: ModerationAction?, ref: String?, now: Date) {
        let followUps = ModerationEffects()
        let stored = followUps.recorded(self, connection.id, ref: ref, action: action)
        let id = room.descriptor.id
        for effect in effects {
            switch effect {
            case .restrict(let kind, let target, let until, let reason):
                restrict(kind, target, room, until: until, by: identity, reason: reason, now: now, done: stored())
            case .lift(let kind, let target):
                lift(kind, target, room, by: identity.id, now: now, done: stored())
            case .saveControl(let change, let detail):
                saveControl(room, change.auditAction, by: identity.id, detail: detail, now: now, done: stored())
            case .audit(let event):
                audit(event.auditAction, by: identity.id, room: id, target: event.target, now: now, detail: event.detail,
                      done: event.isTheRecord ? stored() : nil)
            case .flag(let flag, let seq):
                return self.flag(flag, seq: seq, room, connection, identity, action: flag.action, ref: ref)
            case .announce(let frame, let audience):
                followUps.append { [self] in announce(room, frame, to: audience) }
            case .evict(let member):
                followUps.append { [self] in evict(member, from: room) }
            case .sendHands:
                followUps.append { [self] in sendHands(room) }
            case .endSession(let by):
                followUps.append { [self] in endSession(room, by: by) }
            }
        }
        if followUps.awaitsRecord { return }
        reply(connection, .ok(.init(ref: ref)))
        followUps.run()
    }

    /// A participant or family member who is in the room, waiting for it, or may join it.
    private func participant(_ id: PersonID, in room: LiveRoom) throws(ProtocolError) -> MemberInfo {
        if let member = room.core.present[id]?.member ?? room.core.waitingMember(id) {
            guard !member.role.isStaff else { throw .badRequest("Moderation actions apply to participants and family members, not staff.") }
            return member
        }
        guard let record = knownPerson(id), AccessRule.mayAccess(record.identity, room.descriptor) else {
            throw .notFound("\(id) is not a member of this session.")
        }
        guard !record.role.isStaff else { throw .badRequest("Moderation actions apply to participants and family members, not staff.") }
        return record.identity.member
    }

    /// Sends a moderation frame: participants never see the reason.
    func announce(_ room: LiveRoom, _ frame: ServerFrame.Moderation, to audience: ModerationAudience) {
        let staffFrame = codec.encode(.moderation(frame))
        var plain = frame
        plain.reason = nil
        let memberFrame = codec.encode(.moderation(plain))
        for connectionID in room.connections {
            guard let identity = connections[connectionID]?.identity else { continue }
            if identity.role.isStaff {
                transport.send(staffFrame, to: connectionID)
                continue
            }
            switch audience {
            case .everyone: transport.send(memberFrame, to: connectionID)
            case .staffAnd(let member) where member == identity.id: transport.send(memberFrame, to: connectionID)
            default: break
            }
        }
        // A removed or banned member is told even when they are only waiting.
        if case .staffAnd(let member) = audience, let waiters = room.waiting[member] {
            for connectionID in waiters.keys { transport.send(memberFrame, to: connectionID) }
        }
    }

    /// Takes every connection of a member out of the room and its waiting room.
    private func evict(_ member: PersonID, from room: LiveRoom) {
        let id = room.descriptor.id
        for connection in connections.values where connection.identity?.id == member {
            if connection.rooms.remove(id) != nil { removeFromRoom(connection, id) }
            if connection.waitingRooms.contains(id) { stopWaiting(connection, id) }
        }
        room.core.forget(hand: member)
    }

    private func restrict(_ kind: RestrictionKind, _ target: MemberInfo, _ room: LiveRoom, until: Date?, by staff: Identity,
                          reason: String?, now: Date, done: (@Sendable (Result<Void, any Error>) -> Void)? = nil) {
        let moderation = self.moderation, id = room.descriptor.id, series = room.descriptor.series
        keeper.write(kind.rawValue, {
            try moderation.restrict(kind, person: target.id, room: id, series: series, until: until, by: staff.id,
                                    reason: reason, at: now)
        }, done: done)
    }

    func lift(_ kind: RestrictionKind, _ target: MemberInfo, _ room: LiveRoom, by staff: PersonID?, now: Date,
              done: (@Sendable (Result<Void, any Error>) -> Void)? = nil) {
        let moderation = self.moderation, id = room.descriptor.id, series = room.descriptor.series
        keeper.write("un\(kind.rawValue)", {
            try moderation.lift(kind, person: target.id, room: id, series: series, by: staff, at: now)
        }, done: done)
    }

    private func saveControl(_ room: LiveRoom, _ action: AuditAction, by staff: PersonID, detail: String?, now: Date,
                             done: (@Sendable (Result<Void, any Error>) -> Void)? = nil) {
        let moderation = self.moderation, control = room.core.control, id = room.descriptor.id
        keeper.write("room control", {
            try moderation.setControl(control, room: id, action: action, by: staff, detail: detail, at: now)
        }, done: done)
    }

    /// Appends an audit row on the records queue; `done`, when given, hears whether it was stored (an action whose
    /// only record is its audit row answers `ok` once that row is stored).
    func audit(_ action: AuditAction, by actor: PersonID?, room: RoomID?, target: String?, now: Date, detail: String? = nil,
               done: (@Sendable (Result<Void, any Error>) -> Void)? = nil) {
        let log = audit
        keeper.write("audit", { try log.append(action, actor: actor, room: room, target: target, detail: detail, at: now) },
                     done: done)
    }

    /// Hides, shows, pins, unpins or releases a message once the store has it, then tells the room.
    private func flag(_ flag: MessageFlag, seq: Int64, _ room: LiveRoom, _ connection: Connection, _ identity: Identity,
                      action: ModerationAction, ref: String?) {
        let moderation = self.moderation, id = room.descriptor.id, staff = identity.id, now = clock()
        let connectionID = connection.id
        guard seq <= room.core.deliveredSeq else {
            return reply(connection, .error(.init(.notFound("There is no message \(seq) in this room yet."), ref: ref)))
        }
        keeper.run({ try moderation.flag(flag, room: id, seq: seq, by: staff, at: now) }) { [self] result in
            transport.execute { [self] in
                let connection = connections[connectionID]
                switch result {
                case .success(let message?):
                    logger.info("moderation", metadata: ["hearth.action": "\(action)", "hearth.room": "\(id)", "hearth.by": "\(staff)"])
                    if let connection { reply(connection, .ok(.init(ref: ref))) }
                    guard let room = rooms[id] else { return }
                    flagged(message, flag, room, by: identity.member, action: action)
                case .success(nil):
                    if let connection { reply(connection, .error(.init(.notFound("There is no message \(seq) in this room."), ref: ref))) }
                case .failure(let error):
                    if let connection { reply(connection, .error(.init(.record(error, "The server could not record that. Try again."), ref: ref))) }
                }
            }
        }
    }

    /// Tells the room about a flagged message: each person hears only of messages they have.
    private func flagged(_ message: StoredMessage, _ flag: MessageFlag, _ room: LiveRoom, by staff: MemberInfo,
                         action: ModerationAction) {
        roomRevised(room.descriptor.id)
        let reason: String? = if case .hidden(let reason) = flag { reason } else { nil }
        let frame = ServerFrame.Moderation(room: room.descriptor.id, action: action, by: staff, seq: message.seq,
                                           reason: reason)
        guard case .released = flag else {
            return announce(room, frame, to: message.audience.isForEveryone ? .everyone : .staffAnd(message.sender.id))
        }
        // Released: staff and the sender hear of it; everyone else now receives the message itself.
        announce(room, frame, to: .staffAnd(message.sender.id))
        for connectionID in room.connections {
            guard let identity = connections[connectionID]?.identity, !identity.role.isStaff, identity.id != message.sender.id,
                  message.audience.includes(identity.id, role: identity.role) else { continue }
            transport.send(codec.encode(.message(message.wire(for: identity.role))), to: connectionID)
        }
    }

    /// Ends the session (the core has marked it ended): `ended` to everyone, participants and family out of the room,
    /// the waiting room closed.
    private func endSession(_ room: LiveRoom, by staff: MemberInfo) {
        let id = room.descriptor.id
        let frame = codec.encode(.ended(.init(room: id, by: staff)))
        for connectionID in room.connections { transport.send(frame, to: connectionID) }
        for connection in connections.values {
            guard let identity = connection.identity, !identity.role.isStaff else { continue }
            if connection.rooms.remove(id) != nil { removeFromRoom(connection, id) }
            if connection.waitingRooms.contains(id) {
                transport.send(frame, to: connection.id)
                stopWaiting(connection, id)
            }
        }
    }

    // MARK: Participants' requests

    /// A participant raises or lowers their hand; staff in the room see the queue.
    func hand(_ connection: Connection, _ identity: Identity, _ id: RoomID, raised: Bool, ref: String?) {
        guard connection.rooms.contains(id), let room = rooms[id] else {
            return reply(connection, .error(.init(.forbidden("Join room \(id) first."), ref: ref)))
        }
        decided(room.core.hand(of: identity.member, raised: raised), in: room, for: connection, identity,
                action: nil, ref: ref)
    }

    /// Answers a participant's room request as the core decided it.
    private func decided(_ decision: Result<[RoomEffect], ProtocolError>, in room: LiveRoom, for connection: Connection,
                         _ identity: Identity, action: ModerationAction?, ref: String?) {
        switch decision {
        case .failure(let error): reply(connection, .error(.init(error, ref: ref)))
        case .success(let effects): carryOut(effects, in: room, for: connection, identity, action: action, ref: ref, now: clock())
        }
    }

    func sendHands(_ room: LiveRoom) {
        let frame = codec.encode(.hands(.init(room: room.descriptor.id, queue: room.core.hands)))
        for connectionID in room.connections where connections[connectionID]?.identity?.role.isStaff == true {
            transport.send(frame, to: connectionID)
        }
    }

    /// The speaker or staff passes the talking piece; after the last member the round ends.
    func pass(_ connection: Connection, _ identity: Identity, _ id: RoomID, ref: String?) {
        guard connection.rooms.contains(id), let room = rooms[id] else {
            return reply(connection, .error(.init(.forbidden("Join room \(id) first."), ref: ref)))
        }
        decided(room.core.pass(by: identity.member), in: room, for: connection, identity, action: .pass, ref: ref)
    }

    /// Any member reports a message: recorded, and queued for the room's staff (never shown to peers).
    func report(_ connection: Connection, _ identity: Identity, _ id: RoomID, seq: Int64, reason: String, ref: String?) {
        guard connection.rooms.contains(id), let room = rooms[id] else {
            return reply(connection, .error(.init(.forbidden("Join room \(id) first."), ref: ref)))
        }
        let descriptor = room.descriptor, moderation = self.moderation, member = identity.member, now = clock()
        let connectionID = connection.id
        keeper.run({ try moderation.fileReport(room: id, seq: seq, by: member, reason: reason, at: now) }) { [self] result in
            transport.execute { [self] in
                let connection = connections[connectionID]
                switch result {
                case .success(let report?):
                    roomRevised(id)
                    if let connection { reply(connection, .ok(.init(ref: ref))) }
                    logger.notice("message reported", metadata: ["hearth.room": "\(id)", "hearth.report": "\(report.id)"])
                    let frame = codec.encode(.report(report.frame))
                    for staff in watchingStaff(descriptor) { transport.send(frame, to: staff.id) }
                case .success(nil):
                    if let connection { reply(connection, .error(.init(.notFound("There is no message \(seq) in this room."), ref: ref))) }
                case .failure(let error):
                    if let connection { reply(connection, .error(.init(.record(error, "The server could not record your report. Try again."), ref: ref))) }
                }
            }
        }
    }

    /// Staff resolve a report; the room's staff see it leave the queue.
    func resolveReport(_ connection: Connection, _ identity: Identity, report id: Int64, outcome: String?, ref: String?) {
        guard let found = knownReport(id) else {
            return reply(connection, .error(.init(.notFound("There is no report \(id)."), ref: ref)))
        }
        do throws(ProtocolError) {
            guard AccessRule.mayAccess(identity, try liveRoom(found.room).descriptor) else {
                throw .forbidden("You cannot act on this session.")
            }
        } catch {
            return reply(connection, .error(.init(error, ref: ref)))
        }
        let moderation = self.moderation, staff = identity.id, now = clock(), connectionID = connection.id
        keeper.run({ try moderation.resolveReport(id, by: staff, outcome: outcome, at: now) }) { [self] result in
            transport.execute { [self] in
                guard let connection = connections[connectionID] else { return }
                switch result {
                case .success(let report?):
                    roomRevised(report.room)
                    reply(connection, .ok(.init(ref: ref)))
                    guard let descriptor = rooms[report.room]?.descriptor else { return }
                    var frame = report.frame
                    frame.resolved = true
                    let encoded = codec.encode(.report(frame))
                    for staff in watchingStaff(descriptor) { transport.send(encoded, to: staff.id) }
                case .success(nil):
                    reply(connection, .error(.init(.notFound("There is no report \(id)."), ref: ref)))
                case .failure(let error):
                    reply(connection, .error(.init(.record(error, "The server could not record that. Try again."), ref: ref)))
                }
            }
        }
    }
}

extension ReportRecord {
    var frame: ServerFrame.Report {
        ServerFrame.Report(id: id, room: room, seq: seq, reason: reason, by: by, ts: WireTime.timestamp(at),
                           resolved: resolved ? true : nil)
    }
}

/// What a moderation action does once it is answered `ok`, and, for an action that is a record, the wait for
/// the records queue: `ok` and the effects once it is stored, `internal` if it could not be (the action holds
/// for this run of the server, but is not in the record: staff send it again). Service thread only.
final class ModerationEffects: @unchecked Sendable {
    private var effects: [() -> Void] = []
    private(set) var awaitsRecord = false

    func append(_ effect: @escaping () -> Void) { effects.append(effect) }

    func run() { for effect in effects { effect() } }

    /// A maker of the write's completion: calling it marks the reply as waiting for the record.
    func recorded(_ hub: Hub, _ connectionID: ConnectionID, ref: String?, action: ModerationAction?)
        -> () -> @Sendable (Result<Void, any Error>) -> Void {
        { [self] in
            awaitsRecord = true
            return { [self] result in
                hub.transport.execute { [self] in
                    let connection = hub.connections[connectionID]
                    switch result {
                    case .success:
                        if let connection { hub.reply(connection, .ok(.init(ref: ref))) }
                        run()
                    case .failure(let error):
                        if let connection {
                            hub.reply(connection, .error(.init(.record(error, "The \(action?.rawValue ?? "change") could not be saved. Send it again."), ref: ref)))
                        }
                    }
                }
            }
        }
    }
}
