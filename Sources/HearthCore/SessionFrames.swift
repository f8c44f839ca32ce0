import Foundation

// Frames about a session's program: schedule, waiting room, staff presence, check-ins, alerts and reports.
extension ServerFrame {
    /// Reply to `schedule`: the user's occurrences between `from` and `to`.
    public struct Schedule: Codable, Equatable, Sendable {
        public var type = "schedule"
        public var from: String
        public var to: String
        public var rooms: [RoomSummary]
        public var ref: String?
        public init(from: String, to: String, rooms: [RoomSummary], ref: String?) {
            self.from = from; self.to = to; self.rooms = rooms; self.ref = ref
        }
    }

    /// Reply to a `join` of a room with a waiting room: staff have been told; `joined` follows on admission.
    public struct Waiting: Codable, Equatable, Sendable {
        public var type = "waiting"
        public var room: RoomID
        public var ref: String?
        public init(room: RoomID, ref: String?) { self.room = room; self.ref = ref }
    }

    /// Where someone stands in a waiting room.
    public enum KnockState: String, Codable, Sendable {
        /// Waiting to be admitted.
        case waiting
        /// Gone from the waiting room without a decision (disconnected or left).
        case left
        case admitted, denied
    }

    /// To staff: someone is waiting to be admitted (and later, what became of them, so every staff view agrees).
    public struct Knock: Codable, Equatable, Sendable {
        public var type = "knock"
        public var room: RoomID
        public var member: MemberInfo
        public var state: KnockState
        public init(room: RoomID, member: MemberInfo, state: KnockState) {
            self.room = room; self.member = member; self.state = state
        }
    }

    /// To someone who was waiting (or is no longer allowed in): they are not admitted.
    public struct Denied: Codable, Equatable, Sendable {
        public var type = "denied"
        public var room: RoomID
        /// Shown to the person, from the counselor, or the server's reason.
        public var message: String
        public init(room: RoomID, message: String) { self.room = room; self.message = message }
    }

    /// A room's state changed for everyone in it: paused (no staff connected where staff is required) or not; or,
    /// to staff only, who on its roster lacks a consent to join.
    public struct RoomState: Codable, Equatable, Sendable {
        public var type = "room_state"
        public var room: RoomID
        public var paused: Bool
        /// Staff only, in multi-family rooms, when it changed: rostered participants who lack a consent to join.
        public var consentMissing: [MissingConsent]?
        enum CodingKeys: String, CodingKey {
            case type, room, paused
            case consentMissing = "consent_missing"
        }
        public init(room: RoomID, paused: Bool, consentMissing: [MissingConsent]? = nil) {
            self.room = room; self.paused = paused; self.consentMissing = consentMissing
        }
    }

    /// To staff in the room: a participant's private check-in.
    public struct CheckinFrame: Codable, Equatable, Sendable {
        public var type = "checkin"
        public var checkin: Checkin
        public init(_ checkin: Checkin) { self.checkin = checkin }
        public init(from decoder: any Decoder) throws { checkin = try Checkin(from: decoder) }
        public func encode(to encoder: any Encoder) throws {
            try checkin.encode(to: encoder)
            var container = encoder.container(keyedBy: TypeOnly.self)
            try container.encode(type, forKey: .type)
        }
    }

    /// To every connected staff member until one acknowledges it (`alert_ack`), and replayed after `welcome`.
    public struct AlertFrame: Codable, Equatable, Sendable {
        public var type = "alert"
        public var alert: Alert
        public init(_ alert: Alert) { self.alert = alert }
        public init(from decoder: any Decoder) throws { alert = try Alert(from: decoder) }
        public func encode(to encoder: any Encoder) throws {
            try alert.encode(to: encoder)
            var container = encoder.container(keyedBy: TypeOnly.self)
            try container.encode(type, forKey: .type)
        }
    }

    /// After the bounded replay that follows a staff `welcome`, when more alerts are open than it carried: how many
    /// were replayed and how many were left out. `alerts` lists them all.
    public struct AlertBacklog: Codable, Equatable, Sendable {
        public var type = "alert_backlog"
        /// How many `alert` frames the replay carried.
        public var replayed: Int
        /// How many open alerts the replay left out.
        public var more: Int
        /// When the oldest open alert left out was raised, UTC with milliseconds.
        public var oldest: String
        public init(replayed: Int, more: Int, oldest: String) {
            self.replayed = replayed; self.more = more; self.oldest = oldest
        }
    }

    /// Reply to `alerts` (staff only): every alert no one has acknowledged yet (escalated or not) of the rooms the
    /// requester may access, oldest first, each as its `alert` frame carries it.
    public struct Alerts: Codable, Equatable, Sendable {
        public var type = "alerts"
        public var alerts: [Alert]
        public var ref: String?
        public init(alerts: [Alert], ref: String?) { self.alerts = alerts; self.ref = ref }
    }

    /// Reply to `attendance` (staff only).
    public struct AttendanceFrame: Codable, Equatable, Sendable {
        public var type = "attendance"
        public var report: AttendanceReport
        public var ref: String?
        public init(report: AttendanceReport, ref: String?) { self.report = report; self.ref = ref }
    }

    /// Reply to `summary` (staff only).
    public struct SummaryFrame: Codable, Equatable, Sendable {
        public var type = "summary"
        public var summary: SessionSummary
        public var ref: String?
        public init(summary: SessionSummary, ref: String?) { self.summary = summary; self.ref = ref }
    }

    /// Reply to `invite` (staff only): a single-use token for one family member and one occurrence.
    public struct Invitation: Codable, Equatable, Sendable {
        public var type = "invitation"
        public var room: RoomID
        public var member: MemberInfo
        public var token: String
        /// When the invitation stops working: the end of the occurrence's chat window.
        public var expires: String
        public var ref: String?
        public init(room: RoomID, member: MemberInfo, token: String, expires: String, ref: String?) {
            self.room = room; self.member = member; self.token = token; self.expires = expires; self.ref = ref
        }
    }

    enum TypeOnly: String, CodingKey { case type }
}
