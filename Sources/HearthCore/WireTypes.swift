/// A person as other people see them: an opaque id, a display name and a role. Never a legal name.
public struct MemberInfo: Codable, Hashable, Sendable {
    public var id: PersonID
    public var name: String
    public var role: Role

    public init(id: PersonID, name: String, role: Role) {
        self.id = id
        self.name = name
        self.role = role
    }
}

/// A room as listed in `welcome`: one dated occurrence of a session.
public struct RoomSummary: Codable, Hashable, Sendable {
    public var id: RoomID
    public var title: String
    public var kind: SessionKind
    /// Start and end of the session, ISO-8601 with the session's offset.
    public var starts: String
    public var ends: String
    /// Whether chatting is allowed right now (between `opens` and `closes`).
    public var open: Bool
    /// The chat window: `opens` is before `starts`, `closes` after `ends`.
    public var opens: String
    public var closes: String
    public var timeZone: String
    /// The staff who lead the session, by display name.
    public var facilitators: [MemberInfo]
    /// `waiting`: participants and family wait to be admitted by staff.
    public var admission: Admission
    /// Participants can send only while a staff member is in the room.
    public var requiresStaff: Bool
    /// Participants and family accept a group agreement before they can send.
    public var agreement: Bool

    enum CodingKeys: String, CodingKey {
        case id, title, kind, starts, ends, open, opens, closes, facilitators, admission, agreement
        case timeZone = "time_zone"
        case requiresStaff = "requires_staff"
    }

    public init(id: RoomID, title: String, kind: SessionKind, starts: String, ends: String, open: Bool,
                opens: String, closes: String, timeZone: String, facilitators: [MemberInfo] = [],
                admission: Admission = .auto, requiresStaff: Bool = false, agreement: Bool = false) {
        self.id = id; self.title = title; self.kind = kind; self.starts = starts; self.ends = ends
        self.open = open; self.opens = opens; self.closes = closes; self.timeZone = timeZone
        self.facilitators = facilitators; self.admission = admission; self.requiresStaff = requiresStaff
        self.agreement = agreement
    }
}

/// A stored chat message as it appears on the wire (MSG in docs/PROTOCOL.md).
public struct ChatMessage: Codable, Hashable, Sendable {
    public var room: RoomID
    public var seq: Int64
    public var id: MessageID
    /// When the server accepted it, ISO-8601 UTC with milliseconds.
    public var ts: String
    public var from: MemberInfo
    /// Empty when the message is hidden and the reader is not staff.
    public var body: String
    public var clientID: String
    /// Absent for an ordinary message (`chat`).
    public var kind: MessageKind?
    /// A whisper's member.
    public var to: MemberInfo?
    /// True while the message waits for a counselor's review: only its sender and staff have it.
    public var held: Bool?
    /// True when a counselor hid it: members see that it was hidden, staff still see the text and `hidden_reason`.
    public var hidden: Bool?
    public var hiddenReason: String?
    public var pinned: Bool?

    enum CodingKeys: String, CodingKey {
        case room, seq, id, ts, from, body, kind, to, held, hidden, pinned
        case clientID = "client_id", hiddenReason = "hidden_reason"
    }

    public init(room: RoomID, seq: Int64, id: MessageID, ts: String, from: MemberInfo, body: String, clientID: String,
                kind: MessageKind? = nil, to: MemberInfo? = nil, held: Bool? = nil, hidden: Bool? = nil,
                hiddenReason: String? = nil, pinned: Bool? = nil) {
        self.room = room; self.seq = seq; self.id = id; self.ts = ts; self.from = from; self.body = body
        self.clientID = clientID; self.kind = kind; self.to = to; self.held = held; self.hidden = hidden
        self.hiddenReason = hiddenReason; self.pinned = pinned
    }
}

/// Whether a member arrived in or left a room.
public enum PresenceState: String, Codable, Sendable {
    case joined, left
}
