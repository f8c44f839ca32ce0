import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// Why someone may not take part (in a series, when given), from the store: a participant's ended enrollment, a
    /// family member's missing or revoked consent. Nil when they may.
    func standing(_ identity: Identity, series: SeriesID?, now: Date, timeZone: TimeZone = .current) throws -> ProtocolError? {
        try database.pool.read { db in
            switch identity.role {
            case .counselor, .admin:
                return nil
            case .participant:
                return try ProgramStore.standing(db, participant: identity.id, now: now)
            case .family:
                return try ConsentStore.standing(db, family: identity, series: series, now: now, timeZone: timeZone)
            }
        }
    }

    /// Why someone may not take part in one room: their standing for its series, then, in a multi-family session,
    /// the participant's multi-family group consent (for a family member, their participant's). Nil when they may.
    func standing(_ identity: Identity, in room: RoomDescriptor, now: Date) throws -> ProtocolError? {
        if let refusal = try standing(identity, series: room.series, now: now, timeZone: room.timeZone) { return refusal }
        return try multiFamilyStanding(identity, in: room, now: now)
    }

    /// Why someone may not take part in a multi-family room for want of a multi-family group consent; nil for staff
    /// and for every other kind of room.
    func multiFamilyStanding(_ identity: Identity, in room: RoomDescriptor, now: Date) throws -> ProtocolError? {
        guard room.kind == .multiFamily, !identity.role.isStaff else { return nil }
        return try database.pool.read { db in try MultiFamilyConsentStore.standing(db, identity, in: room, now: now) }
    }

    /// Checks every connection again: its token, the person's standing, and each room it is in or waiting for.
    /// Runs when the store's access version moves (another process revoked a token or a consent, ended an
    /// enrollment, edited a roster) and every `token_recheck_seconds`. A failed read keeps people connected: only a
    /// confirmed loss of access closes or removes.
    func recheckAccess() {
        let now = clock()
        var refreshed: [RoomID: RoomDescriptor?] = [:]
        for session in sessions.values where !session.closing {
            guard let hash = session.tokenHash, let identity = session.identity else { continue }
            if (try? directory.isValid(tokenHash: hash, now: now)) == false {
                logger.notice("token revoked or expired: closing", metadata: ["hearth.person": "\(identity.id)"])
                closeForAccess(session, "Your access has ended: it was revoked, or the session it was for is over.")
                continue
            }
            if case .some(.some(let error)) = try? standing(identity, series: nil, now: now) {
                logger.notice("standing lost: closing", metadata: ["hearth.person": "\(identity.id)"])
                closeForAccess(session, error.message)
                continue
            }
            // Break-glass access lasts for the rest of the connection (while the token and standing hold).
            for id in session.rooms.union(session.waitingRooms) where !session.breakGlass.contains(id) {
                if refreshed[id] == nil {
                    refreshed[id] = .some(try? schedule.descriptor(of: id, defaultWindow: configuration.window))
                }
                guard let descriptor = refreshed[id] ?? nil else { continue }
                guard let message = lostAccess(identity, descriptor, now: now) else { continue }
                logger.notice("room access lost", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"])
                if session.rooms.remove(id) != nil { removeFromRoom(session, id) }
                if session.waitingRooms.contains(id) { stopWaiting(session, id) }
                reply(session, .denied(.init(room: id, message: message)))
            }
        }
        // A live room's policies may have changed (requires staff turned on): tell the people in it.
        for (id, descriptor) in refreshed {
            guard let descriptor, let room = rooms[id] else { continue }
            let wasPaused = room.paused
            room.descriptor = descriptor
            if room.paused != wasPaused { announcePaused(room) }
        }
        refreshConsentMissing(now: now)
    }

    /// The `denied` message for someone who may no longer be in a room, or nil while they may. Off the roster or
    /// out of their series consent: "no longer on the list"; a multi-family group consent gone: the message naming
    /// it. A failed read keeps them in.
    private func lostAccess(_ identity: Identity, _ room: RoomDescriptor, now: Date) -> String? {
        if !AccessRule.mayAccess(identity, room) { return "You are no longer on the list for this session." }
        if case .some(.some) = try? standing(identity, series: room.series, now: now, timeZone: room.timeZone) {
            return "You are no longer on the list for this session."
        }
        if case .some(.some(let refusal)) = try? multiFamilyStanding(identity, in: room, now: now) { return refusal.message }
        return nil
    }

    private func closeForAccess(_ session: Session, _ message: String) {
        for room in session.rooms { removeFromRoom(session, room) }
        for room in session.waitingRooms { stopWaiting(session, room) }
        session.rooms = []
        session.waitingRooms = []
        refuse(session, message)
    }

    /// The one rule for who is shown an open alert, after `welcome` and in the `alerts` reply: staff who may access
    /// its room (an individual session's alerts go to its counselor), or every staff member when the room cannot be
    /// found.
    static func mayReceiveAlert(_ identity: Identity, of room: RoomDescriptor?) -> Bool {
        guard identity.role.isStaff else { return false }
        guard let room else { return true }
        return AccessRule.mayAccess(identity, room)
    }

    /// Every connected staff member who may access a room.
    func staffSessions(for room: RoomDescriptor) -> [Session] {
        sessions.values.filter { session in
            guard let identity = session.identity, identity.role.isStaff, !session.closing else { return false }
            return AccessRule.mayAccess(identity, room)
        }
    }
}
