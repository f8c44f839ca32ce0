import Foundation

/// Who a connection belongs to, as established by `hello`.
public struct Identity: Hashable, Sendable {
    public var id: PersonID
    public var role: Role
    public var displayName: String
    /// For a family member: the participant they belong to.
    public var familyOf: PersonID?

    public init(id: PersonID, role: Role, displayName: String, familyOf: PersonID? = nil) {
        self.id = id
        self.role = role
        self.displayName = displayName
        self.familyOf = familyOf
    }

    /// How others see this person.
    public var member: MemberInfo { MemberInfo(id: id, name: displayName, role: role) }
}

/// Everything the rules need to know about a room: its session, its time window and its roster.
public struct RoomDescriptor: Hashable, Sendable {
    public var id: RoomID
    public var series: SeriesID
    public var title: String
    public var kind: SessionKind
    public var starts: Date
    public var ends: Date
    public var timeZone: TimeZone
    public var window: ChatWindowPolicy
    /// The participants on the session's roster.
    public var roster: Set<PersonID>

    public init(id: RoomID, series: SeriesID, title: String, kind: SessionKind, starts: Date, ends: Date,
                timeZone: TimeZone, window: ChatWindowPolicy, roster: Set<PersonID>) {
        self.id = id; self.series = series; self.title = title; self.kind = kind; self.starts = starts
        self.ends = ends; self.timeZone = timeZone; self.window = window; self.roster = roster
    }

    public var opens: Date { window.opens(starts) }
    public var closes: Date { window.closes(ends) }

    /// Whether messages are accepted at `now`.
    public func isOpen(at now: Date) -> Bool { now >= opens && now < closes }

    /// The room as listed to clients.
    public func summary(at now: Date) -> RoomSummary {
        RoomSummary(id: id, title: title, kind: kind,
                    starts: WireTime.local(starts, in: timeZone), ends: WireTime.local(ends, in: timeZone),
                    open: isOpen(at: now),
                    opens: WireTime.local(opens, in: timeZone), closes: WireTime.local(closes, in: timeZone),
                    timeZone: timeZone.identifier)
    }
}

/// Who may enter which room. Pure policy: the hub asks, then acts.
public enum AccessRule {
    /// Whether `person` belongs in `room` at all (staff: every room; a participant: rooms whose roster has them;
    /// a family member: only family sessions of the participant they belong to).
    public static func mayAccess(_ person: Identity, _ room: RoomDescriptor) -> Bool {
        switch person.role {
        case .counselor, .admin:
            return true
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

/// Size limits a message must respect.
public struct MessageLimits: Hashable, Sendable, Codable {
    /// Longest body, in characters (extended grapheme clusters, what a person counts).
    public var maxBodyCharacters: Int = 4000
    /// Messages in `joined` when no `after_seq` is given.
    public var joinPage: Int = 50
    /// Most messages in `joined` when resuming with `after_seq`.
    public var resumePage: Int = 500
    /// Most messages per `history` request.
    public var historyMax: Int = 200
    /// A `joined` or `history` page stops growing at about this many bytes of message text (`more` says the rest
    /// is still there), so one reply never floods a connection's send queue.
    public var pageBytes: Int = 256 * 1024

    public init() {}

    /// How many of `sizes` (message body sizes in bytes, in page order) fit in one page, keeping at least one.
    public func pageFit(_ sizes: some Sequence<Int>) -> Int {
        var total = 0, count = 0
        for size in sizes {
            total += size + 200
            if count > 0 && total > pageBytes { break }
            count += 1
        }
        return count
    }

    /// Checks a body before it is stored.
    public func validate(body: String) -> ProtocolError? {
        if body.utf8.count > maxBodyCharacters, body.count > maxBodyCharacters {
            return ProtocolError(.tooLarge, "A message can be at most \(maxBodyCharacters) characters.")
        }
        if body.allSatisfy(\.isWhitespace) {
            return .badRequest("A message cannot be empty.")
        }
        return nil
    }
}
