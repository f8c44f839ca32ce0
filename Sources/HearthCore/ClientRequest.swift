import Foundation

/// One frame from a client: an optional `ref` echoed in the reply, and what it asks for.
public struct ClientRequest: Equatable, Sendable {
    public var ref: String?
    public var command: ClientCommand

    public init(_ command: ClientCommand, ref: String? = nil) {
        self.command = command
        self.ref = ref
    }
}

/// What a client can ask. Identity and role never come from here: they come from the token given in `hello`.
public enum ClientCommand: Equatable, Sendable {
    case hello(token: String)
    /// Without `afterSeq`: the latest page; with it: exactly the messages after it (resume).
    case join(room: RoomID, afterSeq: Int64?)
    /// To the room; with `to`, privately to staff or (staff only) whispered to one member; `announce` (staff only)
    /// highlights it.
    case send(room: RoomID, body: String, clientID: String, to: Recipient? = nil, announce: Bool = false)
    /// Messages before `beforeSeq` (or the latest when nil), oldest first.
    case history(room: RoomID, beforeSeq: Int64?, limit: Int?)
    case leave(room: RoomID)
    /// The user's occurrences overlapping `[from, to)` (default: the coming 7 days).
    case schedule(from: Date?, to: Date?)
    /// Accepts the room's group agreement for this occurrence.
    case agree(room: RoomID)
    /// A participant's private check-in on entering a session; every field is optional.
    case checkin(room: RoomID, mood: Int?, craving: Int?, safe: Bool?)
    /// Staff: let someone (or, with no member, everyone) in from the waiting room.
    case admit(room: RoomID, member: PersonID?)
    /// Staff: turn someone away from the waiting room, with an optional message to them.
    case deny(room: RoomID, member: PersonID, message: String?)
    /// Staff: the attendance of one occurrence, or of an ISO week (default: this week).
    case attendance(room: RoomID?, week: ISOWeek?)
    /// Staff: the post-session summary of one occurrence.
    case summary(room: RoomID)
    /// Staff: a single-use token for a family member for one occurrence.
    case invite(room: RoomID, member: PersonID)
    /// Staff: acknowledge an alert, with an optional outcome note.
    case alertAck(alert: Int64, outcome: String?)
    /// Staff: acknowledge several alerts at once (`"alerts": [ids]`, 1 to `maxBulkAlerts`), with one outcome for all.
    case alertAckMany(alerts: [Int64], outcome: String?)
    /// Staff: every alert no one has acknowledged yet, of the rooms the requester may access (or of one of them).
    case alerts(room: RoomID?)
    /// Staff: a moderation action on a live room.
    case moderate(room: RoomID, action: ModerationRequest)
    /// A participant raises or lowers their hand.
    case hand(room: RoomID, raised: Bool)
    /// The speaker (or staff) passes the talking piece of a check-in round to the next member.
    case pass(room: RoomID)
    /// Any member: report a message to the room's staff.
    case report(room: RoomID, seq: Int64, reason: String)
    /// Staff: resolve a report, with an optional outcome note.
    case reportAck(report: Int64, outcome: String?)
    /// Staff: write a counseling note on this occurrence (never shown to participants).
    case note(room: RoomID, body: String)
    /// Staff: read this occurrence's counseling notes.
    case notes(room: RoomID)
    /// Staff: export the room's transcript for a recipient and purpose (recorded as a disclosure).
    case transcript(room: RoomID, recipient: String, purpose: String, json: Bool)
    /// Admin: open any room read-only in an emergency, with a stated reason (loudly recorded).
    case breakGlass(room: RoomID, reason: String)

    /// The `"type"` on the wire.
    public var type: String {
        switch self {
        case .hello: "hello"
        case .join: "join"
        case .send: "send"
        case .history: "history"
        case .leave: "leave"
        case .schedule: "schedule"
        case .agree: "agree"
        case .checkin: "checkin"
        case .admit: "admit"
        case .deny: "deny"
        case .attendance: "attendance"
        case .summary: "summary"
        case .invite: "invite"
        case .alertAck, .alertAckMany: "alert_ack"
        case .alerts: "alerts"
        case .moderate: "moderate"
        case .hand: "hand"
        case .pass: "pass"
        case .report: "report"
        case .reportAck: "report_ack"
        case .note: "note"
        case .notes: "notes"
        case .transcript: "transcript"
        case .breakGlass: "break_glass"
        }
    }

    /// The room a request is about, if it names one.
    public var room: RoomID? {
        switch self {
        case .join(let room, _), .send(let room, _, _, _, _), .history(let room, _, _), .leave(let room),
             .agree(let room), .checkin(let room, _, _, _), .admit(let room, _), .deny(let room, _, _),
             .summary(let room), .invite(let room, _), .moderate(let room, _), .hand(let room, _), .pass(let room),
             .report(let room, _, _), .note(let room, _), .notes(let room), .transcript(let room, _, _, _),
             .breakGlass(let room, _):
            room
        case .attendance(let room, _), .alerts(let room): room
        case .hello, .schedule, .alertAck, .alertAckMany, .reportAck: nil
        }
    }

    /// Requests only counselors and admins may make.
    public var isStaffOnly: Bool {
        switch self {
        case .admit, .deny, .attendance, .summary, .invite, .alertAck, .alertAckMany, .alerts, .moderate, .reportAck,
             .note, .notes, .transcript, .breakGlass: true
        default: false
        }
    }
}

/// Why a frame could not be read as a request, with the `ref` when it could be recovered.
public struct RequestRejection: Error, Equatable, Sendable {
    public var error: ProtocolError
    public var ref: String?
}

extension ClientRequest {
    /// Largest `client_id` accepted.
    public static let maxClientIDLength = 128
    /// Most alert ids one `alert_ack` may list in `alerts`.
    public static let maxBulkAlerts = 100

    /// Every field any request may carry. Unknown fields are ignored so clients can add their own.
    fileprivate struct Fields: Codable {
        var type: String?
        var ref: String?
        var token: String?
        var room: String?
        var body: String?
        var clientID: String?
        var afterSeq: Int64?
        var beforeSeq: Int64?
        var limit: Int?
        var from: String?
        var to: String?
        var member: String?
        var message: String?
        var mood: Int?
        var craving: Int?
        var safe: Bool?
        var week: String?
        var alert: Int64?
        var alerts: [Int64]?
        var outcome: String?
        var announce: Bool?
        var action: String?
        var seq: Int64?
        var minutes: Int?
        var seconds: Int?
        var reason: String?
        var on: Bool?
        var order: [String]?
        var raised: Bool?
        var report: Int64?
        var recipient: String?
        var purpose: String?
        var format: String?

        enum CodingKeys: String, CodingKey {
            case type, ref, token, room, body, limit, from, to, member, message, mood, craving, safe, week, alert, alerts
            case outcome, announce, action, seq, minutes, seconds, reason, on, order, raised, report, recipient
            case purpose, format
            case clientID = "client_id"
            case afterSeq = "after_seq"
            case beforeSeq = "before_seq"
        }
    }

    /// Only the ref, to answer a frame whose other fields are wrong.
    private struct RefOnly: Decodable {
        var ref: String?
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Fields.CodingKeys.self)
            ref = try? container.decodeIfPresent(String.self, forKey: .ref)
        }
    }

    /// A `send` read by `SendScanner`, validated exactly as the JSONDecoder path validates it; nil when the
    /// scanner leaves the frame to `decode(_:with:)`.
    static func decodeDirectly(_ bytes: [UInt8]) -> Result<ClientRequest, RequestRejection>? {
        guard let send = SendScanner.scan(bytes) else { return nil }
        let fields = Fields(type: "send", ref: send.ref, room: send.room, body: send.body, clientID: send.clientID,
                            to: send.to, announce: send.announce)
        return fields.request().mapError { RequestRejection(error: $0, ref: fields.ref) }
    }

    static func decode(_ bytes: [UInt8], with decoder: JSONDecoder) -> Result<ClientRequest, RequestRejection> {
        let data = Data(bytes)
        let fields: Fields
        do {
            fields = try decoder.decode(Fields.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let ref = (try? decoder.decode(RefOnly.self, from: data))?.ref
            let field = context.codingPath.first?.stringValue ?? "frame"
            let message = field == "frame" ? "A frame must be a JSON object." : "Field \"\(field)\" has the wrong type."
            return .failure(RequestRejection(error: .badRequest(message), ref: ref))
        } catch {
            // Valid JSON whose numbers do not fit (1.5 or 1e30 where a whole number belongs) still keeps its ref.
            if (try? JSONSerialization.jsonObject(with: data)) is [String: Any] {
                let ref = (try? decoder.decode(RefOnly.self, from: data))?.ref
                return .failure(RequestRejection(error: .badRequest("A number field is not a whole number in range."), ref: ref))
            }
            return .failure(RequestRejection(error: .badRequest("The frame is not valid JSON."), ref: nil))
        }
        return fields.request().mapError { RequestRejection(error: $0, ref: fields.ref) }
    }

    /// The wire form of this request (for client libraries).
    private var fields: Fields {
        var fields = Fields(type: command.type, ref: ref)
        switch command {
        case .hello(let token): fields.token = token
        case .join(let room, let afterSeq): fields.room = room.rawValue; fields.afterSeq = afterSeq
        case .send(let room, let body, let clientID, let to, let announce):
            fields.room = room.rawValue; fields.body = body; fields.clientID = clientID; fields.to = to?.wire
            fields.announce = announce ? true : nil
        case .history(let room, let beforeSeq, let limit):
            fields.room = room.rawValue; fields.beforeSeq = beforeSeq; fields.limit = limit
        case .leave(let room), .agree(let room), .summary(let room), .pass(let room), .notes(let room):
            fields.room = room.rawValue
        case .schedule(let from, let to):
            fields.from = from.map(WireTime.timestamp); fields.to = to.map(WireTime.timestamp)
        case .checkin(let room, let mood, let craving, let safe):
            fields.room = room.rawValue; fields.mood = mood; fields.craving = craving; fields.safe = safe
        case .admit(let room, let member): fields.room = room.rawValue; fields.member = member?.rawValue
        case .deny(let room, let member, let message):
            fields.room = room.rawValue; fields.member = member.rawValue; fields.message = message
        case .attendance(let room, let week): fields.room = room?.rawValue; fields.week = week?.description
        case .invite(let room, let member): fields.room = room.rawValue; fields.member = member.rawValue
        case .alertAck(let alert, let outcome): fields.alert = alert; fields.outcome = outcome
        case .alertAckMany(let alerts, let outcome): fields.alerts = alerts; fields.outcome = outcome
        case .alerts(let room): fields.room = room?.rawValue
        case .moderate(let room, let action):
            let wire = action.fields
            fields.room = room.rawValue; fields.action = wire.action; fields.member = wire.member?.rawValue
            fields.seq = wire.seq; fields.minutes = wire.minutes; fields.seconds = wire.seconds
            fields.reason = wire.reason; fields.on = wire.on; fields.order = wire.order
        case .hand(let room, let raised): fields.room = room.rawValue; fields.raised = raised
        case .report(let room, let seq, let reason): fields.room = room.rawValue; fields.seq = seq; fields.reason = reason
        case .reportAck(let report, let outcome): fields.report = report; fields.outcome = outcome
        case .note(let room, let body): fields.room = room.rawValue; fields.body = body
        case .transcript(let room, let recipient, let purpose, let json):
            fields.room = room.rawValue; fields.recipient = recipient; fields.purpose = purpose
            fields.format = json ? "json" : "txt"
        case .breakGlass(let room, let reason): fields.room = room.rawValue; fields.reason = reason
        }
        return fields
    }
}

extension ClientRequest: Encodable {
    public func encode(to encoder: any Encoder) throws { try fields.encode(to: encoder) }
}

extension ClientRequest.Fields {
    /// The first string field holding U+0000, by its wire name. SQLite's C strings (GRDB binds and reads text with
    /// them) end there: such a string would be one thing in memory, and in the frames sent about it, and another in
    /// the record, a lookup or an idempotency key. No request needs one, so none is accepted.
    var fieldWithNUL: String? {
        func has(_ text: String?) -> Bool { text?.utf8.contains(0) ?? false }
        if has(ref) { return "ref" }
        if has(token) { return "token" }
        if has(room) { return "room" }
        if has(body) { return "body" }
        if has(clientID) { return "client_id" }
        if has(from) { return "from" }
        if has(to) { return "to" }
        if has(member) { return "member" }
        if has(message) { return "message" }
        if has(week) { return "week" }
        if has(outcome) { return "outcome" }
        if has(action) { return "action" }
        if has(reason) { return "reason" }
        if order?.contains(where: { $0.utf8.contains(0) }) == true { return "order" }
        if has(recipient) { return "recipient" }
        if has(purpose) { return "purpose" }
        if has(format) { return "format" }
        return nil
    }

    func request() -> Result<ClientRequest, ProtocolError> {
        guard let type else { return .failure(.badRequest("A frame needs a \"type\".")) }
        if let field = fieldWithNUL {
            return .failure(.badRequest("\"\(field)\" cannot contain the character U+0000."))
        }
        func require<T>(_ value: T?, _ name: String) throws(ProtocolError) -> T {
            guard let value else { throw .badRequest("\"\(type)\" needs the field \"\(name)\".") }
            return value
        }
        func roomID() throws(ProtocolError) -> RoomID {
            let raw = try require(room, "room")
            guard !raw.isEmpty, raw.utf8.count <= 64 else { throw .badRequest("\"room\" is not a room id.") }
            return RoomID(raw)
        }
        func memberID(required: Bool) throws(ProtocolError) -> PersonID? {
            guard let member else {
                if required { throw .badRequest("\"\(type)\" needs the field \"member\".") }
                return nil
            }
            guard !member.isEmpty, member.utf8.count <= 64 else { throw .badRequest("\"member\" is not a person id.") }
            return PersonID(member)
        }
        func time(_ text: String?, _ name: String) throws(ProtocolError) -> Date? {
            guard let text else { return nil }
            guard let date = WireTime.parse(text) else {
                throw .badRequest("\"\(name)\" must be a time like 2026-11-23T00:00:00-08:00.")
            }
            return date
        }
        do throws(ProtocolError) {
            let command: ClientCommand
            switch type {
            case "hello":
                command = .hello(token: try require(token, "token"))
            case "join":
                if let afterSeq, afterSeq < 0 { throw .badRequest("\"after_seq\" cannot be negative.") }
                command = .join(room: try roomID(), afterSeq: afterSeq)
            case "send":
                let room = try roomID()
                let body = try require(body, "body")
                let clientID = try require(clientID, "client_id")
                guard !clientID.isEmpty, clientID.utf8.count <= ClientRequest.maxClientIDLength else {
                    throw .badRequest("\"client_id\" must be 1 to \(ClientRequest.maxClientIDLength) bytes.")
                }
                var recipient: Recipient?
                if let to {
                    guard !to.isEmpty, to.utf8.count <= 64 else { throw .badRequest("\"to\" must be \"staff\" or a member id.") }
                    recipient = Recipient(wire: to)
                }
                if announce == true && recipient != nil {
                    throw .badRequest("An announcement goes to the whole room: drop \"to\".")
                }
                command = .send(room: room, body: body, clientID: clientID, to: recipient, announce: announce ?? false)
            case "history":
                if let beforeSeq, beforeSeq < 1 { throw .badRequest("\"before_seq\" must be 1 or more.") }
                command = .history(room: try roomID(), beforeSeq: beforeSeq, limit: limit)
            case "leave":
                command = .leave(room: try roomID())
            case "schedule":
                command = .schedule(from: try time(from, "from"), to: try time(to, "to"))
            case "agree":
                command = .agree(room: try roomID())
            case "checkin":
                let room = try roomID()
                for (value, name) in [(mood, "mood"), (craving, "craving")] {
                    if let value, !(0...10).contains(value) { throw .badRequest("\"\(name)\" must be 0 to 10.") }
                }
                if mood == nil && craving == nil && safe == nil {
                    throw .badRequest("A check-in needs \"mood\", \"craving\" or \"safe\".")
                }
                command = .checkin(room: room, mood: mood, craving: craving, safe: safe)
            case "admit":
                command = .admit(room: try roomID(), member: try memberID(required: false))
            case "deny":
                let room = try roomID(), member = try memberID(required: true)!
                if let message, message.count > 500 { throw .badRequest("\"message\" can be at most 500 characters.") }
                command = .deny(room: room, member: member, message: message)
            case "attendance":
                var week: ISOWeek?
                if let text = self.week {
                    guard let parsed = ISOWeek(text) else { throw .badRequest("\"week\" must be an ISO week like 2026-W48.") }
                    week = parsed
                }
                command = .attendance(room: room == nil ? nil : try roomID(), week: week)
            case "summary":
                command = .summary(room: try roomID())
            case "invite":
                command = .invite(room: try roomID(), member: try memberID(required: true)!)
            case "alert_ack":
                if alert != nil && alerts != nil { throw .badRequest("Give \"alert\" or \"alerts\", not both.") }
                if let alerts {
                    guard (1...ClientRequest.maxBulkAlerts).contains(alerts.count) else {
                        throw .badRequest("\"alerts\" must list 1 to \(ClientRequest.maxBulkAlerts) alert ids.")
                    }
                    if let outcome, outcome.count > 1000 { throw .badRequest("\"outcome\" can be at most 1000 characters.") }
                    command = .alertAckMany(alerts: alerts, outcome: outcome)
                    break
                }
                let alert = try require(alert, "alert")
                if let outcome, outcome.count > 1000 { throw .badRequest("\"outcome\" can be at most 1000 characters.") }
                command = .alertAck(alert: alert, outcome: outcome)
            case "alerts":
                command = .alerts(room: room == nil ? nil : try roomID())
            case "moderate":
                let room = try roomID()
                let action = try require(action, "action")
                command = .moderate(room: room, action: try ModerationRequest.parse(
                    action: action, member: { () throws(ProtocolError) -> PersonID in try memberID(required: true)! },
                    seq: seq, minutes: minutes, seconds: seconds, reason: reason, on: on, order: order))
            case "hand":
                command = .hand(room: try roomID(), raised: try require(raised, "raised"))
            case "pass":
                command = .pass(room: try roomID())
            case "report":
                let room = try roomID(), seq = try require(seq, "seq")
                let reason = try require(reason, "reason").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !reason.isEmpty, reason.count <= ModerationRequest.maxReasonCharacters else {
                    throw .badRequest("\"reason\" must be 1 to \(ModerationRequest.maxReasonCharacters) characters.")
                }
                command = .report(room: room, seq: seq, reason: reason)
            case "report_ack":
                let report = try require(report, "report")
                if let outcome, outcome.count > 1000 { throw .badRequest("\"outcome\" can be at most 1000 characters.") }
                command = .reportAck(report: report, outcome: outcome)
            case "note":
                let room = try roomID(), body = try require(body, "body")
                guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, body.count <= 20_000 else {
                    throw .badRequest("A note must be 1 to 20000 characters.")
                }
                command = .note(room: room, body: body)
            case "notes":
                command = .notes(room: try roomID())
            case "transcript":
                let room = try roomID()
                let recipient = try require(recipient, "recipient").trimmingCharacters(in: .whitespacesAndNewlines)
                let purpose = try require(purpose, "purpose").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !recipient.isEmpty, !purpose.isEmpty, recipient.count <= 200, purpose.count <= 500 else {
                    throw .badRequest("A transcript needs a \"recipient\" and a \"purpose\" (a disclosure is recorded with both).")
                }
                guard [nil, "txt", "json"].contains(format) else { throw .badRequest("\"format\" must be txt or json.") }
                command = .transcript(room: room, recipient: recipient, purpose: purpose, json: format == "json")
            case "break_glass":
                let room = try roomID()
                let reason = try require(reason, "reason").trimmingCharacters(in: .whitespacesAndNewlines)
                guard reason.count >= 10, reason.count <= ModerationRequest.maxReasonCharacters else {
                    throw .badRequest("Break-glass access needs a \"reason\" of 10 to 500 characters: it is recorded.")
                }
                command = .breakGlass(room: room, reason: reason)
            default:
                throw .badRequest("Unknown frame type \"\(type.prefix(40))\".")
            }
            return .success(ClientRequest(command, ref: ref))
        } catch {
            return .failure(error)
        }
    }
}
