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
        guard let room = rooms[id], let identity = connection.identity,
              let member = room.removeWaiting(identity.id, connectionID: connection.id) else { return }
        knock(room, member, .left)
    }

    /// A staff member's live room, after checking they may act on it.
    private func staffRoom(_ identity: Identity, _ id: RoomID) throws(ProtocolError) -> LiveRoom {
        let room = try liveRoom(id)
        guard AccessRule.mayAccess(identity, room.descriptor) else {
            throw .forbidden("You cannot act on this session.")
        }
        return room
    }

    /// `admit`: the core decides who (one waiting person, or everyone waiting in arrival order); they are admitted
    /// once the decision is stored. If it could not be, they stay waiting and staff may admit again.
    func admit(_ connection: Connection, _ identity: Identity, _ id: RoomID, member: PersonID?, ref: String?) {
        let room: LiveRoom
        do throws(ProtocolError) { room = try staffRoom(identity, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        switch room.core.admit(member, by: identity.id, now: clock()) {
        case .failure(let error): reply(connection, .error(.init(error, ref: ref)))
        case .success(let decision): store(decision, in: id, for: connection, ref: ref, failure: "The admission could not be saved. Admit again.")
        }
    }

    /// `deny`: the core decides; the person is told and leaves the waiting room once the decision is stored. If it
    /// could not be, they stay waiting.
    func deny(_ connection: Connection, _ identity: Identity, _ id: RoomID, member: PersonID, message: String?, ref: String?) {
        let room: LiveRoom
        do throws(ProtocolError) { room = try staffRoom(identity, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        switch room.core.deny(member, message: message, by: identity.id, now: clock()) {
        case .failure(let error): reply(connection, .error(.init(error, ref: ref)))
        case .success(let decision): store(decision, in: id, for: connection, ref: ref, failure: "The decision could not be saved. Send it again.")
        }
    }

    /// Stores a waiting-room decision (one record per person), then applies it to the room as it is by then: those
    /// still waiting are admitted (into the room, each of their waiting connections) or told they were not, and
    /// staff hear of each.
    private func store(_ decision: WaitingRoomDecision, in id: RoomID, for connection: Connection, ref: String?, failure: String) {
        let records = keeper.records
        let outcome: SessionRecords.Decision = if case .admitted = decision.verdict { .admitted } else { .denied }
        recordThenReply(connection, ref: ref, "admission", failure: failure, {
            for person in decision.people {
                try records.decide(room: id, person: person.id, outcome, by: decision.by, at: decision.at)
            }
        }, stored: { [self] in
            guard let room = rooms[id] else { return }
            for (member, waiters) in room.confirm(decision) {
                switch decision.verdict {
                case .admitted:
                    logger.info("admitted", metadata: ["hearth.person": "\(member.id)", "hearth.room": "\(id)", "hearth.by": "\(decision.by)"])
                    knock(room, member, .admitted)
                    for (connectionID, afterSeq) in waiters {
                        guard let waiter = connections[connectionID], let who = waiter.identity else { continue }
                        waiter.waitingRooms.remove(id)
                        enter(waiter, who, room, afterSeq: afterSeq, ref: nil)
                    }
                case .denied(let message):
                    logger.info("denied", metadata: ["hearth.person": "\(member.id)", "hearth.room": "\(id)", "hearth.by": "\(decision.by)"])
                    let frame = codec.encode(.denied(.init(room: id, message: message)))
                    for connectionID in waiters.keys {
                        connections[connectionID]?.waitingRooms.remove(id)
                        transport.send(frame, to: connectionID)
                    }
                    knock(room, member, .denied)
                }
            }
        })
    }
}
