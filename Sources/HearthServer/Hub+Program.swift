import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// `schedule`: the person's own rooms in the range (read off the service thread; for staff, every room they may
    /// access), each they may see listed.
    func schedule(_ connection: Connection, _ identity: Identity, from: Date?, to: Date?, ref: String?) {
        let now = clock()
        let from = from ?? now
        let to = to ?? from.addingTimeInterval(7 * 86400)
        guard to > from, to.timeIntervalSince(from) <= 62 * 86400 else {
            return reply(connection, .error(.init(.badRequest("\"to\" must be after \"from\", at most 62 days later."), ref: ref)))
        }
        let catalog = self.catalog
        lookup(connection, {
            try catalog.read { reader in
                try reader.rooms(for: identity, from: from, to: to).overlapping
                    .filter { StoreReads.listable(reader, identity, $0, now: now) }
            }
        }) { [self] connection, result in
            switch result {
            case .success(let rooms):
                reply(connection, .schedule(.init(from: WireTime.timestamp(from), to: WireTime.timestamp(to),
                                               rooms: rooms.map { $0.summary(at: now) }, ref: ref)))
            case .failure:
                reply(connection, .error(.init(.init(.internal, "The server could not read the schedule. Try again."), ref: ref)))
            }
        }
    }

    /// The live room of someone who joined it (or waits to), or the error to send.
    private func memberRoom(_ connection: Connection, _ id: RoomID) throws(ProtocolError) -> LiveRoom {
        guard connection.rooms.contains(id) || connection.waitingRooms.contains(id), let room = rooms[id] else {
            throw .forbidden("Join room \(id) first.")
        }
        return room
    }

    /// `agree`: the core says whether there is an acceptance to store (it counts at once); `ok` once it is stored. If it
    /// could not be, the core withdraws it: the person has not agreed and may send it again.
    func agree(_ connection: Connection, _ identity: Identity, _ id: RoomID, ref: String?) {
        let room: LiveRoom
        do throws(ProtocolError) { room = try memberRoom(connection, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        guard room.core.agree(identity.id) == .record else { return reply(connection, .ok(.init(ref: ref))) }
        let records = keeper.records, person = identity.id, now = clock()
        recordThenReply(connection, ref: ref, "agreement", failure: "Your agreement could not be saved. Send it again.", {
            try records.accept(room: id, person: person, at: now)
        }, stored: { [self] in
            logger.info("agreement accepted", metadata: ["hearth.person": "\(person)", "hearth.room": "\(id)"])
        }, failed: { [self] in
            rooms[id]?.core.withdrawAgreement(person)
        })
    }

    /// Writes a clinical record on the records queue, then, on the service thread, runs `stored` and answers `ok`
    /// once it is stored, or runs `failed` and answers `internal` (`failure`, which asks for a resend). Nothing is
    /// answered `ok` before it is stored. The effects run even when the connection has gone meanwhile. When the
    /// records lane is full, nothing is written and the answer is "busy" (`internal` with `retry_after`).
    func recordThenReply(_ connection: Connection, ref: String?, _ what: String, lane: RecordKeeper.Lane = .ordinary, failure: String,
                         _ work: @escaping @Sendable () throws -> Void,
                         stored: @escaping () -> Void = {}, failed: @escaping () -> Void = {}) {
        let connectionID = connection.id
        nonisolated(unsafe) let stored = stored, failed = failed
        keeper.write(what, lane: lane, work) { [self] result in
            transport.execute { [self] in
                let connection = connections[connectionID]
                switch result {
                case .success:
                    stored()
                    if let connection { reply(connection, .ok(.init(ref: ref))) }
                case .failure(let error):
                    failed()
                    if let connection { reply(connection, .error(.init(.record(error, failure), ref: ref))) }
                }
            }
        }
    }

    func checkin(_ connection: Connection, _ identity: Identity, _ id: RoomID, mood: Int?, craving: Int?, safe: Bool?, ref: String?) {
        guard identity.role == .participant else {
            return reply(connection, .error(.init(.forbidden("Check-ins are for participants."), ref: ref)))
        }
        let room: LiveRoom
        do throws(ProtocolError) { room = try memberRoom(connection, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        let now = clock()
        let checkin = Checkin(room: id, member: identity.member, mood: mood, craving: craving, safe: safe,
                              ts: WireTime.timestamp(now))
        let records = keeper.records, descriptor = room.descriptor, member = identity.member
        // Staff hear of it, and the participant gets `ok`, only once it is stored: a check-in lost to a full disk
        // is answered `internal` so the participant (whose page still shows where to get help) sends it again.
        let failure = "Your check-in could not be saved. Send it again."
        guard safe == false else {
            return recordThenReply(connection, ref: ref, "check-in", failure: failure, {
                try records.record(checkin, at: now)
            }, stored: { [self] in sendCheckin(checkin, descriptor) })
        }
        // "Not safe" is a crisis: the check-in and its alert are one transaction on the records queue's crisis lane,
        // ahead of ordinary writes; the participant hears `ok` only once both are stored.
        let connectionID = connection.id, health = keeper.health
        keeper.run(lane: .crisis, what: "check-in (not safe)", { try records.recordNotSafe(checkin, at: now) }) {
            [self] result in
            switch result {
            case .success: health.succeeded()
            case .failure: health.failed()
            }
            transport.execute { [self] in
                let connection = connections[connectionID]
                switch result {
                case .success(let signal):
                    sendCheckin(checkin, descriptor)
                    logger.notice("check-in: not safe; alerting staff", metadata: ["hearth.person": "\(member.id)", "hearth.room": "\(id)"])
                    announce(signal, room: descriptor, category: .notSafe, severity: .high, at: now)
                    if let connection { reply(connection, .ok(.init(ref: ref))) }
                case .failure(let error):
                    if let connection { reply(connection, .error(.init(.record(error, failure), ref: ref))) }
                }
            }
        }
    }

    /// A stored check-in, to the staff who follow the room.
    private func sendCheckin(_ checkin: Checkin, _ descriptor: RoomDescriptor) {
        let frame = codec.encode(.checkin(.init(checkin)))
        for staff in watchingStaff(descriptor) { transport.send(frame, to: staff.id) }
    }

    /// Runs a read on the records queue (after every write queued before it) and replies on the service thread:
    /// the frame made from its result, `not_found` when it found nothing, `internal` when it failed.
    func replyLater<T: Sendable>(_ connectionID: ConnectionID, ref: String?, missing: String, failure: String,
                                         _ work: @escaping @Sendable () throws -> T?,
                                         frame: @escaping @Sendable (T) -> ServerFrame) {
        keeper.run(work) { [self] result in
            transport.execute { [self] in
                guard let connection = connections[connectionID] else { return }
                switch result {
                case .success(let value?): reply(connection, frame(value))
                case .success(nil): reply(connection, .error(.init(.notFound(missing), ref: ref)))
                case .failure(let error): reply(connection, .error(.init(.record(error, failure), ref: ref)))
                }
            }
        }
    }

    /// A single-use invitation for one family member of a rostered participant, valid until the room closes. The
    /// checks read the store off the service thread; the invitation is written on the records queue.
    func invite(_ connection: Connection, _ identity: Identity, _ id: RoomID, member: PersonID, ref: String?) {
        let reads = self.reads, now = clock()
        lookup(connection, { try reads.invitation(to: id, for: member, by: identity, now: now) }) { [self] connection, result in
            switch result {
            case .failure:
                reply(connection, .error(.init(.init(.internal, "The server could not load this room. Try again."), ref: ref)))
            case .success(.failure(let error)):
                reply(connection, .error(.init(error, ref: ref)))
            case .success(.success(let (room, family))):
                issueInvitation(connection, identity, room, family, ref: ref)
            }
        }
    }

    private func issueInvitation(_ connection: Connection, _ identity: Identity, _ room: RoomDescriptor, _ family: PersonRecord,
                                 ref: String?) {
        let directory = self.directory, now = clock(), connectionID = connection.id, staff = identity.id
        let id = room.id, member = family.id
        keeper.run({ try directory.issueInvitation(family: member, room: id, expires: room.closes, by: staff, now: now) }) { [self] result in
            transport.execute { [self] in
                guard let connection = connections[connectionID] else { return }
                let token: String
                switch result {
                case .success(let issued): token = issued
                case .failure(let error):
                    return reply(connection, .error(.init(.record(error, "The server could not create the invitation."), ref: ref)))
                }
                logger.info("family invitation issued", metadata: ["hearth.person": "\(member)", "hearth.room": "\(id)", "hearth.by": "\(staff)"])
                reply(connection, .invitation(.init(room: id, member: family.identity.member, token: token,
                                                 expires: WireTime.local(room.closes, in: room.timeZone), ref: ref)))
            }
        }
    }
}

extension StoreReads {
    /// The checks of `invite`, in order, off the service thread: the room, the staff member's access, its kind, the
    /// family member, their participant on this occurrence's roster, the room not closed, and the consents the
    /// family member will need. Throws when the room could not be read.
    func invitation(to id: RoomID, for member: PersonID, by identity: Identity,
                    now: Date) throws -> Result<(RoomDescriptor, PersonRecord), ProtocolError> {
        try catalog.read { reader in
            guard let room = try reader.descriptor(of: id) else { return .failure(.notFound("There is no room \(id).")) }
            guard AccessRule.mayAccess(identity, room) else { return .failure(.forbidden("You cannot act on this session.")) }
            guard room.kind.admitsFamily else {
                return .failure(.badRequest("Only family and multi-family sessions take family members."))
            }
            guard let record = try? reader.person(member), record.role == .family else {
                return .failure(.notFound("There is no family member \(member)."))
            }
            guard let participant = record.familyOf, room.roster.contains(participant) else {
                return .failure(.forbidden("\(record.displayName) belongs to a participant who is not on this session's roster."))
            }
            guard now < room.closes else { return .failure(ProtocolError(.roomClosed, "This session has ended.")) }
            // An invitation does not replace consent: without one in force the family member could not use it.
            let family = record.identity
            if (try? reader.standing(family, series: room.series, timeZone: room.timeZone, now: now)) != .some(nil) {
                return .failure(.forbidden("\(record.displayName) has no consent in force from the participant for this session. Record it first (hearthd consent add)."))
            }
            if (try? reader.multiFamilyStanding(family, in: room, now: now)) != .some(nil) {
                let name = ((try? reader.person(participant)) ?? nil)?.displayName ?? "The participant"
                return .failure(.forbidden("\(name) has no multi-family group consent in force for this session, so \(record.displayName) cannot take part. Record it first (hearthd consent add --multi-family)."))
            }
            return .success((room, record))
        }
    }
}
