import Foundation

/// Who may enter which room. Pure policy: the hub asks, then acts. Standing that lives in the store (an active
/// enrollment, a family member's consent) is checked by the hub before it asks.
public enum AccessRule {
    /// Whether `person` belongs in `room` at all. Staff: every room except individual sessions, which admit only
    /// their facilitators. A participant: rooms whose roster has them for that occurrence. A family member: only
    /// family sessions of the participant they belong to. A token for one room admits to that room only.
    public static func mayAccess(_ person: Identity, _ room: RoomDescriptor) -> Bool {
        if let only = person.onlyRoom, only != room.id { return false }
        switch person.role {
        case .counselor, .admin:
            return room.kind != .individual || room.isFacilitated(by: person.id)
        case .participant:
            return room.roster.contains(person.id)
        case .family:
            guard room.kind.admitsFamily, let participant = person.familyOf else { return false }
            return room.roster.contains(participant)
        }
    }

    /// Decides a `join`: staff may read a room at any time; others only while it is open.
    public static func join(_ person: Identity, _ room: RoomDescriptor, now: Date) -> Result<Void, ProtocolError> {
        guard mayAccess(person, room) else {
            return .failure(.forbidden("You are not on the list for this session."))
        }
        if !person.role.isStaff && !room.isOpen(at: now) {
            return .failure(closedError(room, now: now))
        }
        return .success(())
    }

    /// Whether `person` goes through the waiting room before entering.
    public static func mustWait(_ person: Identity, _ room: RoomDescriptor) -> Bool {
        room.admission == .waiting && !person.role.isStaff
    }

    /// Decides a `send` from someone who has joined.
    public static func send(_ person: Identity, _ room: RoomDescriptor, now: Date) -> Result<Void, ProtocolError> {
        room.isOpen(at: now) ? .success(()) : .failure(closedError(room, now: now))
    }

    static func closedError(_ room: RoomDescriptor, now: Date) -> ProtocolError {
        if now < room.opens {
            return ProtocolError(.roomClosed, "This session's chat opens at \(WireTime.local(room.opens, in: room.timeZone)).")
        }
        return ProtocolError(.roomClosed, "This session's chat closed at \(WireTime.local(room.closes, in: room.timeZone)).")
    }
}
