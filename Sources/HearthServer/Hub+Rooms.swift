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
            room.descriptor = descriptor
            return room
        }
        let latest: Int64
        do {
            latest = try messages.latestSeq(of: id)
        } catch {
            throw ProtocolError(.internal, "The server could not load this room. Try again.")
        }
        let room = LiveRoom(descriptor: descriptor, deliveredSeq: latest)
        rooms[id] = room
        return room
    }

    func join(_ session: Session, _ identity: Identity, _ id: RoomID, afterSeq: Int64?, ref: String?) {
        let now = clock()
        let room: LiveRoom
        do throws(ProtocolError) {
            room = try liveRoom(id)
            if case .failure(let error) = AccessRule.join(identity, room.descriptor, now: now) {
                logger.notice("join refused", metadata: [
                    "hearth.person": "\(identity.id)", "hearth.room": "\(id)", "hearth.reason": "\(error.code.rawValue)",
                ])
                throw error
            }
        } catch {
            return reply(session, .error(.init(error, ref: ref)))
        }

        let page: MessagePage
        do {
            if let afterSeq {
                page = trimNewest(try messages.messages(in: id, after: afterSeq, upTo: room.deliveredSeq,
                                                        limit: configuration.limits.resumePage))
            } else {
                page = trimOldest(try messages.messages(in: id, before: room.deliveredSeq + 1, upTo: room.deliveredSeq,
                                                        limit: configuration.limits.joinPage))
            }
        } catch {
            return reply(session, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
        }

        if !session.rooms.contains(id) {
            session.rooms.insert(id)
            room.connections.insert(session.connection)
            if let entry = room.present[identity.id] {
                room.present[identity.id] = (entry.member, entry.connections + 1)
            } else {
                room.present[identity.id] = (identity.member, 1)
                let frame = codec.encode(.presence(.init(room: id, member: identity.member, state: .joined)))
                for connection in room.connections where connection != session.connection {
                    transport.send(frame, to: connection)
                }
            }
            logger.info("joined room", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"])
        }
        reply(session, .joined(.init(room: id, role: identity.role, open: room.descriptor.isOpen(at: now),
                                     members: room.members, messages: page.messages.map(\.wire),
                                     seq: room.deliveredSeq, more: page.more, ref: ref)))
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
        room.present.removeValue(forKey: identity.id)
        let frame = codec.encode(.presence(.init(room: id, member: entry.member, state: .left)))
        for connection in room.connections { transport.send(frame, to: connection) }
        logger.info("left room", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"])
    }

    func history(_ session: Session, _ id: RoomID, beforeSeq: Int64?, limit: Int?, ref: String?) {
        let limits = configuration.limits
        let limit = limit ?? limits.joinPage
        guard (1...limits.historyMax).contains(limit) else {
            return reply(session, .error(.init(.badRequest("\"limit\" must be 1 to \(limits.historyMax)."), ref: ref)))
        }
        guard session.rooms.contains(id), let room = rooms[id] else {
            return reply(session, .error(.init(.forbidden("Join room \(id) before reading its history."), ref: ref)))
        }
        do {
            let before = min(beforeSeq ?? Int64.max, room.deliveredSeq + 1)
            let page = trimOldest(try messages.messages(in: id, before: before, upTo: room.deliveredSeq, limit: limit))
            reply(session, .history(.init(room: id, messages: page.messages.map(\.wire), more: page.more, ref: ref)))
        } catch {
            reply(session, .error(.init(.init(.internal, "The server could not read this room's history."), ref: ref)))
        }
    }
}
