import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// Loads a room fresh from the store (its roster may have changed) and keeps it live.
    func liveRoom(_ id: RoomID) throws(ProtocolError) -> LiveRoom {
        let descriptor: RoomDescriptor?
        do {
            descriptor = try schedule.descriptor(of: id, defaultWindow: configuration.window)
        } catch {
            logger.error("room lookup failed", metadata: ["hearth.room": "\(id)"])
            throw ProtocolError(.internal, "The server could not load this room. Try again.")
        }
        guard let descriptor else { throw .notFound("There is no room \(id).") }
        if let room = rooms[id] {
            let wasPaused = room.paused
            room.descriptor = descriptor
            if room.paused != wasPaused { announcePaused(room) }
            return room
        }
        let room: LiveRoom
        do {
            room = LiveRoom(descriptor: descriptor, deliveredSeq: try messages.latestSeq(of: id),
                            admitted: try keeper.records.admitted(room: id), agreed: try keeper.records.accepted(room: id),
                            control: try moderation.control(of: id),
                            restrictions: try moderation.restrictions(room: id, series: descriptor.series, now: clock()))
        } catch {
            throw ProtocolError(.internal, "The server could not load this room. Try again.")
        }
        rooms[id] = room
        return room
    }

    func join(_ session: Session, _ identity: Identity, _ id: RoomID, afterSeq: Int64?, ref: String?) {
        let now = clock()
        let room: LiveRoom
        do throws(ProtocolError) {
            room = try liveRoom(id)
            if session.breakGlass.contains(id) {
                return enter(session, identity, room, afterSeq: afterSeq, ref: ref)
            }
            try checkJoin(identity, room.descriptor, now: now)
            try checkModeration(identity, room)
        } catch {
            return reply(session, .error(.init(error, ref: ref)))
        }
        let locked = room.control.locked && !identity.role.isStaff && !room.everPresent.contains(identity.id)
        if (locked || AccessRule.mustWait(identity, room.descriptor)) && !room.admitted.contains(identity.id)
            && !session.rooms.contains(id) {
            return wait(session, identity, room, afterSeq: afterSeq, ref: ref)
        }
        enter(session, identity, room, afterSeq: afterSeq, ref: ref)
    }

    /// The access rule, then the person's standing for this room (enrollment, consent to its series and, in a
    /// multi-family session, the multi-family group consent).
    func checkJoin(_ identity: Identity, _ room: RoomDescriptor, now: Date) throws(ProtocolError) {
        var refusal: ProtocolError?
        if case .failure(let error) = AccessRule.join(identity, room, now: now) {
            refusal = error
        } else {
            do {
                refusal = try standing(identity, in: room, now: now)
            } catch {
                refusal = ProtocolError(.internal, "The server could not check your access. Try again.")
            }
        }
        guard let refusal else { return }
        logger.notice("join refused", metadata: [
            "hearth.person": "\(identity.id)", "hearth.room": "\(room.id)", "hearth.reason": "\(refusal.code.rawValue)",
        ])
        // Inside a live connection a lost standing refuses the join; the connection itself is closed by the re-check.
        throw refusal.code == .unauthorized ? .forbidden(refusal.message) : refusal
    }

    /// Removal, ban and the end of the session keep participants and family out (and the attempt is recorded).
    private func checkModeration(_ identity: Identity, _ room: LiveRoom) throws(ProtocolError) {
        guard !identity.role.isStaff else { return }
        let refusal: ProtocolError? = if room.removed.contains(identity.id) {
            ProtocolError(.removed, "A counselor removed you from this session. You can contact the clinic if you have questions.")
        } else if room.banned.contains(identity.id) {
            ProtocolError(.banned, "A counselor has stopped you from joining this group's sessions. Please contact the clinic.")
        } else if room.ended {
            ProtocolError(.ended, "This session has ended.")
        } else {
            nil
        }
        guard let refusal else { return }
        if refusal.code != .ended { recordRefusal(identity, "join (\(refusal.code.rawValue))", room: room.descriptor.id) }
        throw refusal
    }

    /// Puts a connection in the room: presence, attendance, and `joined` with the page asked for.
    func enter(_ session: Session, _ identity: Identity, _ room: LiveRoom, afterSeq: Int64?, ref: String?) {
        let id = room.descriptor.id
        let now = clock()
        let page: MessagePage
        let pinned: [StoredMessage]
        var reports: [ServerFrame.Report]?
        let reader = identity.role.isStaff ? nil : identity.id
        do {
            if let afterSeq {
                page = trimNewest(try messages.messages(in: id, after: afterSeq, upTo: room.deliveredSeq,
                                                        limit: configuration.limits.resumePage, reader: reader))
            } else {
                page = trimOldest(try messages.messages(in: id, before: room.deliveredSeq + 1, upTo: room.deliveredSeq,
                                                        limit: configuration.limits.joinPage, reader: reader))
            }
            pinned = try messages.pinned(in: id, reader: reader)
            if identity.role.isStaff { reports = try moderation.openReports(room: id).map(\.frame) }
        } catch {
            return reply(session, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
        }

        if !session.rooms.contains(id) {
            session.rooms.insert(id)
            room.connections.insert(session.connection)
            room.everPresent.insert(identity.id)
            if identity.role.isStaff {
                audit(.historyRead, by: identity.id, room: id, target: nil, now: now,
                      detail: session.breakGlass.contains(id) ? "break-glass join" : "join")
            }
            if let entry = room.present[identity.id] {
                room.present[identity.id] = (entry.member, entry.connections + 1)
            } else {
                let wasPaused = room.paused
                room.present[identity.id] = (identity.member, 1)
                let frame = codec.encode(.presence(.init(room: id, member: identity.member, state: .joined)))
                for connection in room.connections where connection != session.connection {
                    transport.send(frame, to: connection)
                }
                let attendance = keeper.attendance, person = identity.id
                keeper.write("attendance") { try attendance.open(room: id, person: person, at: now) }
                if room.paused != wasPaused { announcePaused(room, except: session.connection) }
            }
            logger.info("joined room", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"])
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
                                     seq: room.deliveredSeq, more: page.more, paused: room.paused,
                                     agreement: agreement, waiting: staff ? room.waitingMembers : nil,
                                     pinned: pinned.map { $0.wire(for: identity.role) }, controls: controls,
                                     hands: staff ? room.hands : nil, reports: reports,
                                     consentMissing: staff ? consentMissing(in: room, now: now) : nil, ref: ref)))
    }

    /// Cuts a forward (resume) page to the page byte budget, keeping its oldest messages.
    private func trimNewest(_ page: MessagePage) -> MessagePage {
        let fit = configuration.limits.pageFit(page.messages.lazy.map(\.body.utf8.count))
        guard fit < page.messages.count else { return page }
        return MessagePage(messages: Array(page.messages.prefix(fit)), more: true)
    }

    /// Cuts a backward (latest or history) page to the page byte budget, keeping its newest messages.
    private func trimOldest(_ page: MessagePage) -> MessagePage {
        let fit = configuration.limits.pageFit(page.messages.reversed().lazy.map(\.body.utf8.count))
        guard fit < page.messages.count else { return page }
        return MessagePage(messages: Array(page.messages.suffix(fit)), more: true)
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

    func history(_ session: Session, _ id: RoomID, beforeSeq: Int64?, limit: Int?, ref: String?) {
        let limits = configuration.limits
        let limit = limit ?? limits.joinPage
        guard (1...limits.historyMax).contains(limit) else {
            return reply(session, .error(.init(.badRequest("\"limit\" must be 1 to \(limits.historyMax)."), ref: ref)))
        }
        guard session.rooms.contains(id), let room = rooms[id], let identity = session.identity else {
            return reply(session, .error(.init(.forbidden("Join room \(id) before reading its history."), ref: ref)))
        }
        do {
            let before = min(beforeSeq ?? Int64.max, room.deliveredSeq + 1)
            let reader = identity.role.isStaff ? nil : identity.id
            let page = trimOldest(try messages.messages(in: id, before: before, upTo: room.deliveredSeq, limit: limit,
                                                        reader: reader))
            if identity.role.isStaff {
                audit(.historyRead, by: identity.id, room: id, target: nil, now: clock(), detail: "history before \(before)")
            }
            reply(session, .history(.init(room: id, messages: page.messages.map { $0.wire(for: identity.role) },
                                          more: page.more, ref: ref)))
        } catch {
            reply(session, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
        }
    }
}
