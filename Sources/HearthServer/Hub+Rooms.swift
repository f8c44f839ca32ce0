import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// What a join read from the store, off the service thread.
struct JoinRead: Sendable {
    /// Nil: there is no such room.
    var descriptor: RoomDescriptor?
    /// The store's access version the descriptor was read at.
    var accessVersion: Int64 = 0
    /// The room's state, when it was not live as the join began.
    var load: RoomLoad?
    var standing: StandingCheck = .clear
    /// The page, read when the person may join (nil otherwise, or when `pageFailed`).
    var page: PageRead?
    var pageFailed = false
}

/// The person's standing for a room, as read off the service thread.
enum StandingCheck: Sendable, Equatable {
    case clear
    case refused(ProtocolError)
    /// The read failed.
    case unknown
}

extension StoreReads {
    /// A join's reads: the room's descriptor (kept in memory, current for the store's access version), the person's
    /// standing for it, the room's state when it is not live (`snapshot` nil), and, when the person may join now,
    /// the page up to `snapshot` (or to the room's latest seq). Throws when the room could not be read.
    func join(_ id: RoomID, _ identity: Identity, afterSeq: Int64?, snapshot: Int64?, breakGlass: Bool,
              resumePage: Int, joinPage: Int, now: Date) throws -> JoinRead {
        let checkStanding = !breakGlass && !identity.role.isStaff
        // One read transaction: the descriptor, the standing, the room's state and the page see the same store.
        return try catalog.read { reader in
            guard let descriptor = try reader.descriptor(of: id) else { return JoinRead() }
            var standing = StandingCheck.clear
            if checkStanding {
                do {
                    standing = try reader.standing(identity, in: descriptor, now: now).map(StandingCheck.refused) ?? .clear
                } catch {
                    standing = .unknown
                }
            }
            var read = JoinRead(descriptor: descriptor, accessVersion: reader.accessVersion,
                                load: snapshot == nil ? try load(reader, descriptor, now: now) : nil, standing: standing)
            let mayJoin = if case .success = AccessRule.join(identity, descriptor, now: now) { standing == .clear } else { false }
            if breakGlass || mayJoin, let upTo = snapshot ?? read.load?.latestSeq {
                do {
                    read.page = try page(reader, descriptor, for: identity, afterSeq: afterSeq, upTo: upTo,
                                         resumePage: resumePage, joinPage: joinPage, now: now)
                } catch {
                    read.pageFailed = true
                }
            }
            return read
        }
    }
}

extension Hub {
    /// A live room. Requests that act on a room make it live first, off the service thread (`loadRoom`,
    /// `prefetch`), so this never reads the store: a room not live here is one that could not be loaded.
    func liveRoom(_ id: RoomID) throws(ProtocolError) -> LiveRoom {
        if let room = rooms[id] { return room }
        throw ProtocolError(.internal, "The server could not load this room. Try again.")
    }

    /// `join`. The snapshot seq is decided now, on the service thread (the room's `deliveredSeq`; when the room is
    /// not live, its latest seq as read), the page is read up to it off the service thread, and the connection is
    /// marked as entering: the messages the room delivers meanwhile are kept for it and sent right after `joined`,
    /// whose `seq` is the snapshot. So nothing is missed or repeated, and `joined` comes before the room's live
    /// frames. The checks that use the room's live state run when the read is back.
    func join(_ connection: Connection, _ identity: Identity, _ id: RoomID, afterSeq: Int64?, ref: String?) {
        let now = clock()
        let breakGlass = connection.breakGlass.contains(id)
        let wasLive = rooms[id] != nil, wasMember = connection.rooms.contains(id)
        let snapshot = rooms[id]?.core.deliveredSeq
        let evictions = book.evictions, revision = book.revisions[id, default: 0]
        abandonEntering(connection, id)
        let attempt = wasMember ? nil : beginEntering(connection, id, snapshot: snapshot)
        let reads = self.reads, limits = configuration.limits
        lookup(connection, {
            try reads.join(id, identity, afterSeq: afterSeq, snapshot: snapshot, breakGlass: breakGlass,
                           resumePage: limits.resumePage, joinPage: limits.joinPage, now: now)
        }) { [self] connection, result in
            // Turned away meanwhile (a re-check denied the room): the `denied` it got is the answer.
            if let attempt, connection.entering[id]?.attempt != attempt { return }
            // Read again when the room changed under the read in a way the page shows, when this connection went
            // in or out of the room meanwhile, or when too many messages went by.
            if book.revisions[id, default: 0] != revision || connection.rooms.contains(id) != wasMember
                || (wasLive && rooms[id] == nil) || connection.entering[id]?.overflowed == true {
                return join(connection, identity, id, afterSeq: afterSeq, ref: ref)
            }
            joinRead(connection, identity, id, result, evictions: evictions, afterSeq: afterSeq, ref: ref)
        }
    }

    /// A join's read is back: the room made live (or its descriptor refreshed), the access rule, standing and
    /// moderation checks, then the waiting room or the room itself.
    private func joinRead(_ connection: Connection, _ identity: Identity, _ id: RoomID, _ result: Result<JoinRead, any Error>,
                          evictions: Int, afterSeq: Int64?, ref: String?) {
        let now = clock()
        let read: JoinRead
        switch result {
        case .success(let value):
            read = value
        case .failure:
            abandonEntering(connection, id)
            logger.error("room lookup failed", metadata: ["hearth.room": "\(id)"])
            return reply(connection, .error(.init(.init(.internal, "The server could not load this room. Try again."), ref: ref)))
        }
        guard let descriptor = read.descriptor else {
            abandonEntering(connection, id)
            return reply(connection, .error(.init(.notFound("There is no room \(id)."), ref: ref)))
        }
        let room: LiveRoom
        if let live = rooms[id] {
            refresh(live, descriptor, readAt: read.accessVersion)
            room = live
        } else if let load = read.load, let adopted = adopt(load, evictions: evictions) {
            room = adopted
        } else {
            // A room was evicted since the read began: its state may be older than the store's.
            return join(connection, identity, id, afterSeq: afterSeq, ref: ref)
        }
        if !connection.breakGlass.contains(id) {
            do throws(ProtocolError) {
                try checkJoin(identity, descriptor, standing: read.standing, now: now)
                if try decideJoin(identity, room, alreadyIn: connection.rooms.contains(id)) == .wait {
                    abandonEntering(connection, id)
                    return wait(connection, identity, room, afterSeq: afterSeq, ref: ref)
                }
            } catch {
                abandonEntering(connection, id)
                return reply(connection, .error(.init(error, ref: ref)))
            }
        }
        if let page = read.page { return finishEnter(connection, identity, room, page, ref: ref) }
        if read.pageFailed {
            abandonEntering(connection, id)
            return reply(connection, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
        }
        // The room opened (or the access came) while the rest was read: read the page now.
        readPageAndEnter(connection, identity, room, afterSeq: afterSeq, ref: ref)
    }

    /// The access rule, then the person's standing for this room (enrollment, consent to its series and, in a
    /// multi-family session, the multi-family group consent), as read off the service thread.
    func checkJoin(_ identity: Identity, _ room: RoomDescriptor, standing: StandingCheck, now: Date) throws(ProtocolError) {
        var refusal: ProtocolError?
        if case .failure(let error) = AccessRule.join(identity, room, now: now) {
            refusal = error
        } else {
            switch standing {
            case .clear: refusal = nil
            case .refused(let error): refusal = error
            case .unknown: refusal = ProtocolError(.internal, "The server could not check your access. Try again.")
            }
        }
        guard let refusal else { return }
        logger.notice("join refused", metadata: [
            "hearth.person": "\(identity.id)", "hearth.room": "\(room.id)", "hearth.reason": "\(refusal.code.rawValue)",
        ])
        // Inside a live connection a lost standing refuses the join; the connection itself is closed by the re-check.
        throw refusal.code == .unauthorized ? .forbidden(refusal.message) : refusal
    }

    /// The room's core decides, with its live state: removal, ban and the end of the session keep participants and
    /// family out (the attempt is recorded), a waiting room or a lock sends newcomers to wait.
    private func decideJoin(_ identity: Identity, _ room: LiveRoom, alreadyIn: Bool) throws(ProtocolError) -> JoinDecision {
        switch room.core.join(identity, alreadyIn: alreadyIn) {
        case .success(let decision):
            return decision
        case .failure(let refusal):
            if case .staffOnly(let what)? = refusal.note { recordRefusal(identity, what, room: room.descriptor.id) }
            throw refusal.error
        }
    }

    /// Puts a connection in the room, admitted from the waiting room: the person is in at once (presence,
    /// attendance), and `joined` follows when its page has been read off the service thread. Nothing to do when its
    /// own `join` is being answered: that answer enters.
    func enter(_ connection: Connection, _ identity: Identity, _ room: LiveRoom, afterSeq: Int64?, ref: String?) {
        let id = room.descriptor.id
        guard connection.entering[id] == nil else { return }
        let arrived = !connection.rooms.contains(id)
        if arrived { arrive(connection, identity, room, now: clock()) }
        readPageAndEnter(connection, identity, room, afterSeq: afterSeq, ref: ref, arrived: arrived)
    }

    /// Reads the page up to the room's `deliveredSeq` now, keeping the room's messages for the connection meanwhile,
    /// then enters.
    private func readPageAndEnter(_ connection: Connection, _ identity: Identity, _ room: LiveRoom, afterSeq: Int64?,
                                  ref: String?, arrived: Bool = false) {
        let id = room.descriptor.id, descriptor = room.descriptor
        let wasMember = connection.rooms.contains(id), snapshot = room.core.deliveredSeq
        let revision = book.revisions[id, default: 0]
        let arrived = (endEntering(connection, id)?.arrived ?? false) || arrived
        let attempt = wasMember ? nil : beginEntering(connection, id, snapshot: snapshot, arrived: arrived)
        let reads = self.reads, limits = configuration.limits, now = clock()
        lookup(connection, {
            try reads.page(descriptor, for: identity, afterSeq: afterSeq, upTo: snapshot, resumePage: limits.resumePage,
                           joinPage: limits.joinPage, now: now)
        }) { [self] connection, result in
            if let attempt, connection.entering[id]?.attempt != attempt { return }
            guard let room = rooms[id] else {
                abandonEntering(connection, id)
                return reply(connection, .error(.init(.init(.internal, "The server could not load this room. Try again."), ref: ref)))
            }
            if book.revisions[id, default: 0] != revision || connection.rooms.contains(id) != wasMember
                || connection.entering[id]?.overflowed == true {
                return readPageAndEnter(connection, identity, room, afterSeq: afterSeq, ref: ref)
            }
            switch result {
            case .success(let page):
                if !connection.breakGlass.contains(id) {
                    // Admitted: only a removal, a ban or the end of the session made meanwhile keeps them out.
                    do throws(ProtocolError) { _ = try decideJoin(identity, room, alreadyIn: true) } catch {
                        abandonEntering(connection, id)
                        return reply(connection, .error(.init(error, ref: ref)))
                    }
                }
                finishEnter(connection, identity, room, page, ref: ref)
            case .failure:
                abandonEntering(connection, id)
                reply(connection, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
            }
        }
    }

    /// Puts a connection in the room with the page read for it: presence, attendance, `joined`, then the messages
    /// the room delivered while the page was read. `joined.seq` is the page's snapshot; a message committed up to
    /// it but not yet delivered is left out of the page and comes live. A connection already in the room got every
    /// message after the snapshot live: its `joined.seq` is the room's `deliveredSeq`.
    private func finishEnter(_ connection: Connection, _ identity: Identity, _ room: LiveRoom, _ read: PageRead, ref: String?) {
        let id = room.descriptor.id
        let now = clock()
        let entering = endEntering(connection, id)
        let delivered = room.core.deliveredSeq
        var page = read.page
        let seq: Int64
        if connection.rooms.contains(id) {
            seq = delivered
        } else {
            if read.snapshot > delivered {
                page.messages.removeAll { $0.seq > delivered }
                seq = delivered
            } else {
                seq = read.snapshot
            }
            if entering?.arrived != true { arrive(connection, identity, room, now: now) }
            connection.rooms.insert(id)
            room.connections.insert(connection.id)
        }
        let core = room.core
        let agreement = core.agreementToAccept(by: identity).map(ServerFrame.Agreement.init)
        let staff = identity.role.isStaff
        var controls = ServerFrame.Controls(locked: core.control.locked, slowSeconds: core.control.slowSeconds,
                                            review: core.control.reviewMode, ended: core.ended, round: core.roundFrame)
        if !staff {
            if let until = core.mute(of: identity.id, at: now) {
                controls.muted = true
                controls.mutedUntil = until.map(WireTime.timestamp)
            }
            controls.handRaised = core.hands.contains { $0.id == identity.id }
        }
        reply(connection, .joined(.init(room: id, role: identity.role, open: room.descriptor.isOpen(at: now),
                                     members: core.members, messages: page.messages.map { $0.wire(for: identity.role) },
                                     seq: seq, more: page.more, paused: core.paused,
                                     agreement: agreement, waiting: staff ? core.waitingMembers : nil,
                                     pinned: read.pinned.map { $0.wire(for: identity.role) }, controls: controls,
                                     hands: staff ? core.hands : nil, reports: read.reports?.map(\.frame),
                                     consentMissing: staff ? consentMissing(in: room, read: read.consentMissing) : nil,
                                     ref: ref)))
        // What the room delivered while the page was read, in seq order, after `joined`.
        for message in entering?.missed ?? [] where message.seq > seq {
            transport.send(codec.encode(.message(message.wire)), to: connection.id)
        }
    }

    /// A connection arrives in a room: the person is present (the others hear it when they were not), attendance
    /// opens, staff reading the room is audited. Its frames start with its `joined`.
    private func arrive(_ connection: Connection, _ identity: Identity, _ room: LiveRoom, now: Date) {
        let id = room.descriptor.id
        if identity.role.isStaff {
            audit(.historyRead, by: identity.id, room: id, target: nil, now: now,
                  detail: connection.breakGlass.contains(id) ? "break-glass join" : "join")
        }
        for change in room.core.arrive(identity.member) {
            switch change {
            case .joined(let member):
                let frame = codec.encode(.presence(.init(room: id, member: member, state: .joined)))
                for connectionID in room.connections where connectionID != connection.id {
                    transport.send(frame, to: connectionID)
                }
                let attendance = keeper.attendance, person = identity.id
                keeper.write("attendance") { try attendance.open(room: id, person: person, at: now) }
            case .pausedChanged:
                announcePaused(room, except: connection.id)
            case .left, .handsChanged:
                break
            }
        }
        logger.info("joined room", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"])
    }

    func leave(_ connection: Connection, _ id: RoomID, ref: String?) {
        if connection.waitingRooms.contains(id) {
            stopWaiting(connection, id)
            return reply(connection, .ok(.init(ref: ref)))
        }
        guard connection.rooms.contains(id) else {
            return reply(connection, .error(.init(.badRequest("You are not in room \(id)."), ref: ref)))
        }
        connection.rooms.remove(id)
        removeFromRoom(connection, id)
        reply(connection, .ok(.init(ref: ref)))
    }

    /// Takes a connection out of a room. When it was the person's last, the core says what the room hears: their hand
    /// down (the queue to staff), `presence` left (and attendance closes), the room paused when they were its last
    /// staff member.
    func removeFromRoom(_ connection: Connection, _ id: RoomID) {
        guard let room = rooms[id], let identity = connection.identity else { return }
        room.connections.remove(connection.id)
        var left = false
        for change in room.core.depart(identity.id) {
            switch change {
            case .handsChanged:
                sendHands(room)
            case .left(let member):
                left = true
                let frame = codec.encode(.presence(.init(room: id, member: member, state: .left)))
                for connectionID in room.connections { transport.send(frame, to: connectionID) }
                let attendance = keeper.attendance, person = identity.id, now = clock()
                keeper.write("attendance") { try attendance.close(room: id, person: person, at: now) }
            case .pausedChanged:
                announcePaused(room)
            case .joined:
                break
            }
        }
        if left { logger.info("left room", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"]) }
    }

    /// Tells everyone in a room whether it is paused (no staff where staff is required).
    func announcePaused(_ room: LiveRoom, except: ConnectionID? = nil) {
        let frame = codec.encode(.roomState(.init(room: room.descriptor.id, paused: room.paused)))
        for connectionID in room.connections where connectionID != except { transport.send(frame, to: connectionID) }
    }

    /// `history`: bounded by the room's `deliveredSeq` now; the page is read off the service thread.
    func history(_ connection: Connection, _ id: RoomID, beforeSeq: Int64?, limit: Int?, ref: String?) {
        let limits = configuration.limits
        let limit = limit ?? limits.joinPage
        guard (1...limits.historyMax).contains(limit) else {
            return reply(connection, .error(.init(.badRequest("\"limit\" must be 1 to \(limits.historyMax)."), ref: ref)))
        }
        guard connection.rooms.contains(id), let room = rooms[id], let identity = connection.identity else {
            return reply(connection, .error(.init(.forbidden("Join room \(id) before reading its history."), ref: ref)))
        }
        let before = min(beforeSeq ?? Int64.max, room.core.deliveredSeq + 1), upTo = room.core.deliveredSeq, reads = self.reads
        lookup(connection, { try reads.history(id, for: identity, before: before, upTo: upTo, limit: limit) }) {
            [self] connection, result in
            guard connection.rooms.contains(id) else {
                return reply(connection, .error(.init(.forbidden("Join room \(id) before reading its history."), ref: ref)))
            }
            switch result {
            case .success(let page):
                if identity.role.isStaff {
                    audit(.historyRead, by: identity.id, room: id, target: nil, now: clock(), detail: "history before \(before)")
                }
                reply(connection, .history(.init(room: id, messages: page.messages.map { $0.wire(for: identity.role) },
                                              more: page.more, ref: ref)))
            case .failure:
                reply(connection, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
            }
        }
    }
}
