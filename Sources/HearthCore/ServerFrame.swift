import Foundation

/// Every frame the server sends. Each payload encodes its own `"type"`; docs/PROTOCOL.md is the contract.
public enum ServerFrame: Equatable, Sendable {
    case welcome(Welcome)
    case joined(Joined)
    case ack(Ack)
    case message(ChatMessage)
    case history(History)
    case presence(Presence)
    case ok(OK)
    case error(ErrorFrame)
    case schedule(Schedule)
    case waiting(Waiting)
    case knock(Knock)
    case denied(Denied)
    case roomState(RoomState)
    case checkin(CheckinFrame)
    case alert(AlertFrame)
    case alerts(Alerts)
    case alertBacklog(AlertBacklog)
    case attendance(AttendanceFrame)
    case summary(SummaryFrame)
    case invitation(Invitation)
    case moderation(Moderation)
    case ended(Ended)
    case hands(Hands)
    case report(Report)
    case support(Support)
    case notes(Notes)
    case transcript(Transcript)

    /// Reply to `hello`: who the token belongs to and the rooms they may join today and next.
    public struct Welcome: Codable, Equatable, Sendable {
        public var type = "welcome"
        public var user: MemberInfo
        public var rooms: [RoomSummary]
        public var server: String
        /// Given once, in exchange for a single-use invitation: the token to reconnect with until the session ends.
        public var sessionToken: String?
        public var ref: String?
        enum CodingKeys: String, CodingKey {
            case type, user, rooms, server, ref
            case sessionToken = "session_token"
        }
        public init(user: MemberInfo, rooms: [RoomSummary], server: String, sessionToken: String? = nil, ref: String?) {
            self.user = user; self.rooms = rooms; self.server = server; self.sessionToken = sessionToken; self.ref = ref
        }
    }

    /// Reply to `join`: who is present and the messages the client asked for.
    public struct Joined: Codable, Equatable, Sendable {
        public var type = "joined"
        public var room: RoomID
        public var role: Role
        /// Whether this member may send now; false outside the chat window.
        public var open: Bool
        public var members: [MemberInfo]
        public var messages: [ChatMessage]
        /// The room's latest committed seq (0 for an empty room).
        public var seq: Int64
        /// True when older (no `after_seq`) or newer (with `after_seq`) messages remain: page with `history`.
        public var more: Bool
        /// True while the session requires staff and none is connected: participants can read but not send.
        public var paused: Bool
        /// The group agreement to accept (`agree`) before sending; absent once accepted, and for staff.
        public var agreement: Agreement?
        /// Staff only: who is in the waiting room.
        public var waiting: [MemberInfo]?
        /// That the room is recorded, and who may read the record: shown to every member on joining.
        public var notice: String
        /// The pinned messages, oldest first.
        public var pinned: [ChatMessage]
        public var controls: Controls
        /// Staff only: raised hands in order, and unresolved reports.
        public var hands: [MemberInfo]?
        public var reports: [Report]?
        /// Staff only, in multi-family rooms: rostered participants who lack a consent to join (with their family).
        public var consentMissing: [MissingConsent]?
        public var ref: String?
        enum CodingKeys: String, CodingKey {
            case type, room, role, open, members, messages, seq, more, paused, agreement, waiting, notice, pinned
            case controls, hands, reports, ref
            case consentMissing = "consent_missing"
        }
        public init(room: RoomID, role: Role, open: Bool, members: [MemberInfo], messages: [ChatMessage],
                    seq: Int64, more: Bool, paused: Bool = false, agreement: Agreement? = nil,
                    waiting: [MemberInfo]? = nil, notice: String = Joined.recordingNotice, pinned: [ChatMessage] = [],
                    controls: Controls = Controls(), hands: [MemberInfo]? = nil, reports: [Report]? = nil,
                    consentMissing: [MissingConsent]? = nil, ref: String?) {
            self.room = room; self.role = role; self.open = open; self.members = members
            self.messages = messages; self.seq = seq; self.more = more; self.paused = paused
            self.agreement = agreement; self.waiting = waiting; self.notice = notice; self.pinned = pinned
            self.controls = controls; self.hands = hands; self.reports = reports; self.consentMissing = consentMissing
            self.ref = ref
        }

        /// The notice every member gets on joining.
        public static let recordingNotice = """
            This session is recorded. Messages are kept in your clinic's treatment record, protected by federal \
            confidentiality rules (42 CFR Part 2) and HIPAA; counselors can read them, and they are shared outside the \
            program only with your written consent or as the law allows.
            """
    }

    /// The text a member accepts before sending.
    public struct Agreement: Codable, Equatable, Sendable {
        public var text: String
        public init(text: String) { self.text = text }
    }

    /// To the sender once its message is committed.
    public struct Ack: Codable, Equatable, Sendable {
        public var type = "ack"
        public var room: RoomID
        public var clientID: String
        public var id: MessageID
        public var seq: Int64
        public var ts: String
        public var ref: String?
        enum CodingKeys: String, CodingKey {
            case type, room, id, seq, ts, ref
            case clientID = "client_id"
        }
        public init(room: RoomID, clientID: String, id: MessageID, seq: Int64, ts: String, ref: String?) {
            self.room = room; self.clientID = clientID; self.id = id; self.seq = seq; self.ts = ts; self.ref = ref
        }
    }

    /// Reply to `history`: messages before `before_seq`, oldest first.
    public struct History: Codable, Equatable, Sendable {
        public var type = "history"
        public var room: RoomID
        public var messages: [ChatMessage]
        public var more: Bool
        public var ref: String?
        public init(room: RoomID, messages: [ChatMessage], more: Bool, ref: String?) {
            self.room = room; self.messages = messages; self.more = more; self.ref = ref
        }
    }

    /// Someone arrived in or left a room (their first connection joined, or their last one left).
    public struct Presence: Codable, Equatable, Sendable {
        public var type = "presence"
        public var room: RoomID
        public var member: MemberInfo
        public var state: PresenceState
        public init(room: RoomID, member: MemberInfo, state: PresenceState) {
            self.room = room; self.member = member; self.state = state
        }
    }

    /// The answer to a request that has no reply of its own (e.g. `leave`).
    public struct OK: Codable, Equatable, Sendable {
        public var type = "ok"
        public var ref: String?
        public init(ref: String?) { self.ref = ref }
    }

    /// A refused request. The connection stays up unless the code is `unauthorized`.
    public struct ErrorFrame: Codable, Equatable, Sendable {
        public var type = "error"
        public var code: ErrorCode
        public var message: String
        /// For `rate_limited`, and a busy `internal`: whole seconds to wait.
        public var retryAfter: Int?
        public var ref: String?
        enum CodingKeys: String, CodingKey {
            case type, code, message, ref
            case retryAfter = "retry_after"
        }
        public init(_ error: ProtocolError, ref: String?) {
            self.code = error.code; self.message = error.message; self.retryAfter = error.retryAfter; self.ref = ref
        }
    }

    /// The `"type"` written on the wire.
    public var type: String {
        switch self {
        case .welcome: "welcome"
        case .joined: "joined"
        case .ack: "ack"
        case .message: "message"
        case .history: "history"
        case .presence: "presence"
        case .ok: "ok"
        case .error: "error"
        case .schedule: "schedule"
        case .waiting: "waiting"
        case .knock: "knock"
        case .denied: "denied"
        case .roomState: "room_state"
        case .checkin: "checkin"
        case .alert: "alert"
        case .alerts: "alerts"
        case .alertBacklog: "alert_backlog"
        case .attendance: "attendance"
        case .summary: "summary"
        case .invitation: "invitation"
        case .moderation: "moderation"
        case .ended: "ended"
        case .hands: "hands"
        case .report: "report"
        case .support: "support"
        case .notes: "notes"
        case .transcript: "transcript"
        }
    }
}

extension ServerFrame: Codable {
    private enum TypeKey: String, CodingKey { case type }

    /// A live message is MSG plus `"type":"message"`.
    private struct LiveMessage: Codable {
        var type = "message"
        var message: ChatMessage
        init(_ message: ChatMessage) { self.message = message }
        init(from decoder: any Decoder) throws { message = try ChatMessage(from: decoder) }
        func encode(to encoder: any Encoder) throws {
            try message.encode(to: encoder)
            var container = encoder.container(keyedBy: TypeKey.self)
            try container.encode(type, forKey: .type)
        }
    }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .type)
        switch type {
        case "welcome": self = .welcome(try Welcome(from: decoder))
        case "joined": self = .joined(try Joined(from: decoder))
        case "ack": self = .ack(try Ack(from: decoder))
        case "message": self = .message(try LiveMessage(from: decoder).message)
        case "history": self = .history(try History(from: decoder))
        case "presence": self = .presence(try Presence(from: decoder))
        case "ok": self = .ok(try OK(from: decoder))
        case "error": self = .error(try ErrorFrame(from: decoder))
        case "schedule": self = .schedule(try Schedule(from: decoder))
        case "waiting": self = .waiting(try Waiting(from: decoder))
        case "knock": self = .knock(try Knock(from: decoder))
        case "denied": self = .denied(try Denied(from: decoder))
        case "room_state": self = .roomState(try RoomState(from: decoder))
        case "checkin": self = .checkin(try CheckinFrame(from: decoder))
        case "alert": self = .alert(try AlertFrame(from: decoder))
        case "alerts": self = .alerts(try Alerts(from: decoder))
        case "alert_backlog": self = .alertBacklog(try AlertBacklog(from: decoder))
        case "attendance": self = .attendance(try AttendanceFrame(from: decoder))
        case "summary": self = .summary(try SummaryFrame(from: decoder))
        case "invitation": self = .invitation(try Invitation(from: decoder))
        case "moderation": self = .moderation(try Moderation(from: decoder))
        case "ended": self = .ended(try Ended(from: decoder))
        case "hands": self = .hands(try Hands(from: decoder))
        case "report": self = .report(try Report(from: decoder))
        case "support": self = .support(try Support(from: decoder))
        case "notes": self = .notes(try Notes(from: decoder))
        case "transcript": self = .transcript(try Transcript(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [TypeKey.type],
                                                    debugDescription: "unknown frame type \(type)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .welcome(let frame): try frame.encode(to: encoder)
        case .joined(let frame): try frame.encode(to: encoder)
        case .ack(let frame): try frame.encode(to: encoder)
        case .message(let message): try LiveMessage(message).encode(to: encoder)
        case .history(let frame): try frame.encode(to: encoder)
        case .presence(let frame): try frame.encode(to: encoder)
        case .ok(let frame): try frame.encode(to: encoder)
        case .error(let frame): try frame.encode(to: encoder)
        case .schedule(let frame): try frame.encode(to: encoder)
        case .waiting(let frame): try frame.encode(to: encoder)
        case .knock(let frame): try frame.encode(to: encoder)
        case .denied(let frame): try frame.encode(to: encoder)
        case .roomState(let frame): try frame.encode(to: encoder)
        case .checkin(let frame): try frame.encode(to: encoder)
        case .alert(let frame): try frame.encode(to: encoder)
        case .alerts(let frame): try frame.encode(to: encoder)
        case .alertBacklog(let frame): try frame.encode(to: encoder)
        case .attendance(let frame): try frame.encode(to: encoder)
        case .summary(let frame): try frame.encode(to: encoder)
        case .invitation(let frame): try frame.encode(to: encoder)
        case .moderation(let frame): try frame.encode(to: encoder)
        case .ended(let frame): try frame.encode(to: encoder)
        case .hands(let frame): try frame.encode(to: encoder)
        case .report(let frame): try frame.encode(to: encoder)
        case .support(let frame): try frame.encode(to: encoder)
        case .notes(let frame): try frame.encode(to: encoder)
        case .transcript(let frame): try frame.encode(to: encoder)
        }
    }
}

/// Encodes and decodes frames. One per thread: JSONEncoder/JSONDecoder are not shared across threads here.
public struct FrameCodec {
    private let encoder: JSONEncoder
    private let decoder = JSONDecoder()

    public init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// The UTF-8 bytes of a server frame, ready to share between every recipient. The per-message frames (`ack`,
    /// `message`) are written directly (`DirectFrameWriter`), byte for byte as `encodeWithFoundation` writes them.
    public func encode(_ frame: ServerFrame) -> [UInt8] {
        switch frame {
        case .ack(let ack): DirectFrameWriter.ack(ack)
        case .message(let message): DirectFrameWriter.message(message)
        default: encodeWithFoundation(frame)
        }
    }

    /// Any server frame through `JSONEncoder`: the path of every other frame, and the reference the direct writer
    /// is tested against.
    public func encodeWithFoundation(_ frame: ServerFrame) -> [UInt8] {
        // Encoding our own value types cannot fail; a failure here is a programming error worth a crash in tests.
        guard let data = try? encoder.encode(frame) else {
            preconditionFailure("ServerFrame \(frame.type) failed to encode")
        }
        return [UInt8](data)
    }

    /// Encodes a client request (used by client libraries).
    public func encode(_ request: ClientRequest) -> [UInt8] {
        guard let data = try? encoder.encode(request) else {
            preconditionFailure("ClientRequest failed to encode")
        }
        return [UInt8](data)
    }

    /// Decodes a server frame (used by client libraries).
    public func decodeServerFrame(_ bytes: [UInt8]) throws -> ServerFrame {
        try decoder.decode(ServerFrame.self, from: Data(bytes))
    }

    /// Decodes and validates a client request, or says precisely what is wrong with it. A `send` the direct
    /// reader is sure of skips `JSONDecoder` (`SendScanner`); the result is the same either way.
    public func decodeClientRequest(_ bytes: [UInt8]) -> Result<ClientRequest, RequestRejection> {
        ClientRequest.decodeDirectly(bytes) ?? ClientRequest.decode(bytes, with: decoder)
    }

    /// Decodes a client request through `JSONDecoder` only: the reference the direct reader is tested against.
    public func decodeClientRequestWithFoundation(_ bytes: [UInt8]) -> Result<ClientRequest, RequestRejection> {
        ClientRequest.decode(bytes, with: decoder)
    }

    /// The direct reader alone: nil for a frame it leaves to `JSONDecoder` (for tests and benchmarks).
    public func decodeClientRequestDirectly(_ bytes: [UInt8]) -> Result<ClientRequest, RequestRejection>? {
        ClientRequest.decodeDirectly(bytes)
    }
}
