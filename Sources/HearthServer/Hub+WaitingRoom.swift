import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// Puts a connection in a room's waiting room: `waiting` to it, a knock to staff when the person was not
    /// already waiting (a second tab or a reconnect does not knock twice).
    func wait(_ connection: Connection, _ identity: Identity, _ room: LiveRoom, afterSeq: Int64?, ref: String?) {
        connection.waitingRooms.insert(room.descriptor.id)
        let isNew = room.addWaiting(identity.member, connectionID: connection.id, afterSeq: afterSeq)
        reply(connection, .waiting(.init(room: room.descriptor.id, ref: ref)))
        if isNew {
            logger.info("waiting to be admitted", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(room.descriptor.id)"])
            knock(room, identity.member, .waiting)
        }
    }

    /// Tells staff what happened in a waiting room: staff in the room, and every connected staff member who may
    /// access it and leads it (every staff member when the session names no facilitators).
    func knock(_ room: LiveRoom, _ member: MemberInfo, _ state: ServerFrame.KnockState) {
        let descriptor = room.descriptor
        let frame = codec.encode(.knock(.init(room: descriptor.id, member: member, state: state)))
        for connection in watchingStaff(descriptor) { transport.send(frame, to: connection.id) }
    }

    /// Staff who follow a room: those in it, and every connected staff member who may access it and leads it
    /// (every one of them when the session names no facilitators).
    func watchingStaff(_ descriptor: RoomDescriptor) -> [Connection] {
        staffConnections(for: descriptor).filter { connection in
            guard let identity = connection.identity else { return false }
            return connection.rooms.contains(descriptor.id) || descriptor.facilitators.isEmpty
                || descriptor.isFacilitated(by: identity.id)
        }
    }

    /// Takes a connection out of a waiting room (it left or disconnected); staff hear when the person is gone.
    func stopWaiting(_ connection: Connection, _ id: RoomID) {
        connection.waitingRooms.remove(id)
        guard let room = rooms[id], let identity = connection.identity, var entry = room.waiting[identity.id] else { return }
        entry.connections.removeValue(forKey: connection.id)
        if entry.connections.isEmpty {
            room.waiting.removeValue(forKey: identity.id)
            knock(room, entry.member, .left)
        } else {
            room.waiting[identity.id] = entry
        }
    }

    /// A staff member's live room, after checking they may act on it.
    private func staffRoom(_ identity: Identity, _ id: RoomID) throws(ProtocolError) -> LiveRoom {
        let room = try liveRoom(id)
        guard AccessRule.mayAccess(identity, room.descriptor) else {
            throw .forbidden("You cannot act on this session.")
        }
        return room
    }

    func admit(_ connection: Connection, _ identity: Identity, _ id: RoomID, member: PersonID?, ref: String?) {
        let room: LiveRoom
        do throws(ProtocolError) { room = try staffRoom(identity, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        let people: [PersonID]
        if let member {
            guard room.waiting[member] != nil else {
                return reply(connection, .error(.init(.notFound("\(member) is not in the waiting room."), ref: ref)))
            }
            people = [member]
        } else {
            people = room.waitingMembers.map(\.id)
        }
        // Admitted once the decision is stored; if it could not be, they stay waiting and staff may admit again.
        let now = clock(), records = keeper.records, staff = identity.id
        recordThenReply(connection, ref: ref, "admission", failure: "The admission could not be saved. Admit again.", {
            for person in people { try records.decide(room: id, person: person, .admitted, by: staff, at: now) }
        }, stored: { [self] in
            guard let room = rooms[id] else { return }
            for person in people {
                guard let entry = room.waiting.removeValue(forKey: person) else { continue }
                room.admitted.insert(person)
                logger.info("admitted", metadata: ["hearth.person": "\(person)", "hearth.room": "\(id)", "hearth.by": "\(staff)"])
                knock(room, entry.member, .admitted)
                for (connectionID, afterSeq) in entry.connections {
                    guard let waiter = connections[connectionID], let who = waiter.identity else { continue }
                    waiter.waitingRooms.remove(id)
                    enter(waiter, who, room, afterSeq: afterSeq, ref: nil)
                }
            }
        })
    }

    func deny(_ connection: Connection, _ identity: Identity, _ id: RoomID, member: PersonID, message: String?, ref: String?) {
        let room: LiveRoom
        do throws(ProtocolError) { room = try staffRoom(identity, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        guard room.waiting[member] != nil else {
            return reply(connection, .error(.init(.notFound("\(member) is not in the waiting room."), ref: ref)))
        }
        // Denied once the decision is stored; if it could not be, they stay waiting.
        let now = clock(), records = keeper.records, staff = identity.id
        recordThenReply(connection, ref: ref, "admission", failure: "The decision could not be saved. Send it again.", {
            try records.decide(room: id, person: member, .denied, by: staff, at: now)
        }, stored: { [self] in
            guard let room = rooms[id], let entry = room.waiting.removeValue(forKey: member) else { return }
            logger.info("denied", metadata: ["hearth.person": "\(member)", "hearth.room": "\(id)", "hearth.by": "\(staff)"])
            let text = message?.trimmingCharacters(in: .whitespacesAndNewlines)
            let frame = codec.encode(.denied(.init(room: id, message: text?.isEmpty == false ? text!
                : "The counselor did not admit you to this session. You can contact the clinic if you have questions.")))
            for connectionID in entry.connections.keys {
                connections[connectionID]?.waitingRooms.remove(id)
                transport.send(frame, to: connectionID)
            }
            knock(room, entry.member, .denied)
        })
    }
}
