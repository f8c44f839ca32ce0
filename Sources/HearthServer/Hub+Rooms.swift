import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// What a join read from the store, off the service thread.
struct JoinRead: Sendable {
    /// Nil: there is no such room.
    var descriptor: RoomDescriptor?
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
        let (descriptor, standing) = try catalog.read { reader -> (RoomDescriptor?, StandingCheck) in
            guard let descriptor = try reader.descriptor(of: id) else { return (nil, .clear) }
            guard checkStanding else { return (descriptor, .clear) }
            do {
                return (descriptor, try reader.standing(identity, in: descriptor, now: now).map(StandingCheck.refused) ?? .clear)
            } catch {
                return (descriptor, .unknown)
            }
        }
        guard let descriptor else { return JoinRead() }
        var read = JoinRead(descriptor: descriptor, load: snapshot == nil ? try load(descriptor, now: now) : nil,
                            standing: standing)
        let mayJoin = if case .success = AccessRule.join(identity, descriptor, now: now) { standing == .clear } else { false }
        if breakGlass || mayJoin, let upTo = snapshot ?? read.load?.latestSeq {
            do {
                read.page = try page(descriptor, for: identity, afterSeq: afterSeq, upTo: upTo, resumePage: resumePage,
                                     joinPage: joinPage, now: now)
            } catch {
                read.pageFailed = true
            }
        }
        return read
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
    func join(_ session: Session, _ identity: Identity, _ id: RoomID, afterSeq: Int64?, ref: String?) {
        let now = clock()
        let breakGlass = session.breakGlass.contains(id)
        let wasLive = rooms[id] != nil, wasMember = session.rooms.contains(id)
        let snapshot = rooms[id]?.deliveredSeq
        let evictions = book.evictions, revision = book.revisions[id, default: 0]
        abandonEntering(session, id)
        let attempt = wasMember ? nil : beginEntering(session, id, snapshot: snapshot)
        let reads = self.reads, limits = configuration.limits
        lookup(session, {
            try reads.join(id, identity, afterSeq: afterSeq, snapshot: snapshot, breakGlass: breakGlass,
                           resumePage: limits.resumePage, joinPage: limits.joinPage, now: now)
        }) { [self] session, result in
            // Turned away meanwhile (a re-check denied the room): the `denied` it got is the answer.
            if let attempt, session.entering[id]?.attempt != attempt { return }
            // Read again when the room changed under the read in a way the page shows, when this connection went
            // in or out of the room meanwhile, or when too many messages went by.
            if book.revisions[id, default: 0] != revision || session.rooms.contains(id) != wasMember
                || (wasLive && rooms[id] == nil) || session.entering[id]?.overflowed == true {
                return join(session, identity, id, afterSeq: afterSeq, ref: ref)
            }
            joinRead(session, identity, id, result, evictions: evictions, afterSeq: afterSeq, ref: ref)
        }
    }

    /// A join's read is back: the room made live (or its descriptor refreshed), the access rule, standing and
    /// moderation checks, then the waiting room or the room itself.
    private func joinRead(_ session: Session, _ identity: Identity, _ id: RoomID, _ result: Result<JoinRead, any Error>,
                          evictions: Int, afterSeq: Int64?, ref: String?) {
        let now = clock()
        let read: JoinRead
        switch result {
        case .success(let value):
            read = value
        case .failure:
            abandonEntering(session, id)
            logger.error("room lookup failed", metadata: ["hearth.room": "\(id)"])
            return reply(session, .error(.init(.init(.internal, "The server could not load this room. Try again."), ref: ref)))
        }
        guard let descriptor = read.descriptor else {
            abandonEntering(session, id)
            return reply(session, .error(.init(.notFound("There is no room \(id)."), ref: ref)))
        }
        let room: LiveRoom
        if let live = rooms[id] {
            refresh(live, descriptor)
            room = live
        } else if let load = read.load, let adopted = adopt(load, evictions: evictions) {
            room = adopted
        } else {
            // A room was evicted since the read began: its state may be older than the store's.
            return join(session, identity, id, afterSeq: afterSeq, ref: ref)
        }
        if !session.breakGlass.contains(id) {
            do throws(ProtocolError) {
                try checkJoin(identity, descriptor, standing: read.standing, now: now)
                if try decideJoin(identity, room, alreadyIn: session.rooms.contains(id)) == .wait {
                    abandonEntering(session, id)
                    return wait(session, identity, room, afterSeq: afterSeq, ref: ref)
                }
            } catch {
                abandonEntering(session, id)
                return reply(session, .error(.init(error, ref: ref)))
            }
        }
        if let page = read.page { return finishEnter(session, identity, room, page, ref: ref) }
        if read.pageFailed {
            abandonEntering(session, id)
            return reply(session, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
        }
        // The room opened (or the access came) while the rest was read: read the page now.
        readPageAndEnter(session, identity, room, afterSeq: afterSeq, ref: ref)
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
    func enter(_ session: Session, _ identity: Identity, _ room: LiveRoom, afterSeq: Int64?, ref: String?) {
        let id = room.descriptor.id
        guard session.entering[id] == nil else { return }
        let arrived = !session.rooms.contains(id)
        if arrived { arrive(session, identity, room, now: clock()) }
        readPageAndEnter(session, identity, room, afterSeq: afterSeq, ref: ref, arrived: arrived)
    }

    /// Reads the page up to the room's `deliveredSeq` now, keeping the room's messages for the connection meanwhile,
    /// then enters.
    private func readPageAndEnter(_ session: Session, _ identity: Identity, _ room: LiveRoom, afterSeq: Int64?,
                                  ref: String?, arrived: Bool = false) {
        let id = room.descriptor.id, descriptor = room.descriptor
        let wasMember = session.rooms.contains(id), snapshot = room.deliveredSeq
        let revision = book.revisions[id, default: 0]
        let arrived = (endEntering(session, id)?.arrived ?? false) || arrived
        let attempt = wasMember ? nil : beginEntering(session, id, snapshot: snapshot, arrived: arrived)
        let reads = self.reads, limits = configuration.limits, now = clock()
        lookup(session, {
            try reads.page(descriptor, for: identity, afterSeq: afterSeq, upTo: snapshot, resumePage: limits.resumePage,
                           joinPage: limits.joinPage, now: now)
        }) { [self] session, result in
            if let attempt, session.entering[id]?.attempt != attempt { return }
            guard let room = rooms[id] else {
                abandonEntering(session, id)
                return reply(session, .error(.init(.init(.internal, "The server could not load this room. Try again."), ref: ref)))
            }
            if book.revisions[id, default: 0] != revision || session.rooms.contains(id) != wasMember
                || session.entering[id]?.overflowed == true {
                return readPageAndEnter(session, identity, room, afterSeq: afterSeq, ref: ref)
            }
            switch result {
            case .success(let page):
                if !session.breakGlass.contains(id) {
                    // Admitted: only a removal, a ban or the end of the session made meanwhile keeps them out.
                    do throws(ProtocolError) { _ = try decideJoin(identity, room, alreadyIn: true) } catch {
                        abandonEntering(session, id)
                        return reply(session, .error(.init(error, ref: ref)))
                    }
                }
                finishEnter(session, identity, room, page, ref: ref)
            case .failure:
                abandonEntering(session, id)
                reply(session, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
            }
        }
    }

    /// Puts a connection in the room with the page read for it: presence, attendance, `joined`, then the messages
    /// the room delivered while the page was read. `joined.seq` is the page's snapshot; a message committed up to
    /// it but not yet delivered is left out of the page and comes live. A connection already in the room got every
    /// message after the snapshot live: its `joined.seq` is the room's `deliveredSeq`.
    private func finishEnter(_ session: Session, _ identity: Identity, _ room: LiveRoom, _ read: PageRead, ref: String?) {
        let id = room.descriptor.id
        let now = clock()
        let entering = endEntering(session, id)
        let delivered = room.deliveredSeq
        var page = read.page
        let seq: Int64
        if session.rooms.contains(id) {
            seq = delivered
        } else {
            if read.snapshot > delivered {
                page.messages.removeAll { $0.seq > delivered }
                seq = delivered
            } else {
                seq = read.snapshot
            }
            if entering?.arrived != true { arrive(session, identity, room, now: now) }
            session.rooms.insert(id)
            room.connections.insert(session.connection)
        }
        let agreement = !identity.role.isStaff && !room.agreed.contains(identity.id)
            ? room.descriptor.agreement.map(ServerFrame.Agreement.init) : nil
        let staff = identity.role.isStaff
        var controls = ServerFrame.Controls(locked: room.control.locked, slowSeconds: room.control.slowSeconds,
                                            review: room.control.reviewMode, ended: room.ended, round: room.roundFrame)
        if !staff {
            if let until = room.mute(of: identity.id, at: now) {
                controls.muted = true
                controls.mutedUntil = until.map(WireTime.timestamp)
            }
            controls.handRaised = room.hands.contains { $0.id == identity.id }
        }
        reply(session, .joined(.init(room: id, role: identity.role, open: room.descriptor.isOpen(at: now),
                                     members: room.members, messages: page.messages.map { $0.wire(for: identity.role) },
                                     seq: seq, more: page.more, paused: room.paused,
                                     agreement: agreement, waiting: staff ? room.waitingMembers : nil,
                                     pinned: read.pinned.map { $0.wire(for: identity.role) }, controls: controls,
                                     hands: staff ? room.hands : nil, reports: read.reports?.map(\.frame),
                                     consentMissing: staff ? consentMissing(in: room, read: read.consentMissing) : nil,
                                     ref: ref)))
        // What the room delivered while the page was read, in seq order, after `joined`.
        for message in entering?.missed ?? [] where message.seq > seq {
            transport.send(codec.encode(.message(message.wire)), to: session.connection)
        }
    }

    /// A connection arrives in a room: the person is present (the others hear it when they were not), attendance
    /// opens, staff reading the room is audited. Its frames start with its `joined`.
    private func arrive(_ session: Session, _ identity: Identity, _ room: LiveRoom, now: Date) {
        let id = room.descriptor.id
        if identity.role.isStaff {
            audit(.historyRead, by: identity.id, room: id, target: nil, now: now,
                  detail: session.breakGlass.contains(id) ? "break-glass join" : "join")
        }
        for change in room.core.arrive(identity.member) {
            switch change {
            case .joined(let member):
                let frame = codec.encode(.presence(.init(room: id, member: member, state: .joined)))
                for connection in room.connections where connection != session.connection {
                    transport.send(frame, to: connection)
                }
                let attendance = keeper.attendance, person = identity.id
                keeper.write("attendance") { try attendance.open(room: id, person: person, at: now) }
            case .pausedChanged:
                announcePaused(room, except: session.connection)
            case .left, .handsChanged:
                break
            }
        }
        logger.info("joined room", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"])
    }

    func leave(_ session: Session, _ id: RoomID, ref: String?) {
        if session.waitingRooms.contains(id) {
            stopWaiting(session, id)
            return reply(session, .ok(.init(ref: ref)))
        }
        guard session.rooms.contains(id) else {
            return reply(session, .error(.init(.badRequest("You are not in room \(id)."), ref: ref)))
        }
        session.rooms.remove(id)
        removeFromRoom(session, id)
        reply(session, .ok(.init(ref: ref)))
    }

    /// Takes a connection out of a room, announcing the person's departure when it was their last connection.
    func removeFromRoom(_ session: Session, _ id: RoomID) {
        guard let room = rooms[id], let identity = session.identity else { return }
        room.connections.remove(session.connection)
        guard let entry = room.present[identity.id] else { return }
        if entry.connections > 1 {
            room.present[identity.id] = (entry.member, entry.connections - 1)
            return
        }
        let wasPaused = room.paused
        room.present.removeValue(forKey: identity.id)
        if room.hands.contains(where: { $0.id == identity.id }) {
            room.hands.removeAll { $0.id == identity.id }
            sendHands(room)
        }
        let frame = codec.encode(.presence(.init(room: id, member: entry.member, state: .left)))
        for connection in room.connections { transport.send(frame, to: connection) }
        let attendance = keeper.attendance, person = identity.id, now = clock()
        keeper.write("attendance") { try attendance.close(room: id, person: person, at: now) }
        if room.paused != wasPaused { announcePaused(room) }
        logger.info("left room", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"])
    }

    /// Tells everyone in a room whether it is paused (no staff where staff is required).
    func announcePaused(_ room: LiveRoom, except: ConnectionID? = nil) {
        let frame = codec.encode(.roomState(.init(room: room.descriptor.id, paused: room.paused)))
        for connection in room.connections where connection != except { transport.send(frame, to: connection) }
    }

    /// `history`: bounded by the room's `deliveredSeq` now; the page is read off the service thread.
    func history(_ session: Session, _ id: RoomID, beforeSeq: Int64?, limit: Int?, ref: String?) {
        let limits = configuration.limits
        let limit = limit ?? limits.joinPage
        guard (1...limits.historyMax).contains(limit) else {
            return reply(session, .error(.init(.badRequest("\"limit\" must be 1 to \(limits.historyMax)."), ref: ref)))
        }
        guard session.rooms.contains(id), let room = rooms[id], let identity = session.identity else {
            return reply(session, .error(.init(.forbidden("Join room \(id) before reading its history."), ref: ref)))
        }
        let before = min(beforeSeq ?? Int64.max, room.deliveredSeq + 1), upTo = room.deliveredSeq, reads = self.reads
        lookup(session, { try reads.history(id, for: identity, before: before, upTo: upTo, limit: limit) }) {
            [self] session, result in
            guard session.rooms.contains(id) else {
                return reply(session, .error(.init(.forbidden("Join room \(id) before reading its history."), ref: ref)))
            }
            switch result {
            case .success(let page):
                if identity.role.isStaff {
                    audit(.historyRead, by: identity.id, room: id, target: nil, now: clock(), detail: "history before \(before)")
                }
                reply(session, .history(.init(room: id, messages: page.messages.map { $0.wire(for: identity.role) },
                                              more: page.more, ref: ref)))
            case .failure:
                reply(session, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
            }
        }
    }
}
