import Foundation
import HearthCore
import Testing

/// Server frames: each one survives an encode/decode round trip, and the wire shape of the main ones is pinned.
struct ServerFrameTests {
    static let alex = MemberInfo(id: PersonID("p_alex"), name: "Alex R.", role: .participant)
    static let dana = MemberInfo(id: PersonID("p_dana"), name: "Dana M.", role: .counselor)
    static let message = ChatMessage(room: RoomID("r_group"), seq: 7, id: MessageID("m_seven"),
                                     ts: "2026-11-24T02:00:00.123Z", from: alex, body: "Thanks, everyone 🙏",
                                     clientID: "c-7")
    static let room = RoomSummary(id: RoomID("r_group"), title: "Group therapy", kind: .relapsePrevention,
                                  starts: "2026-11-23T18:00:00-08:00", ends: "2026-11-23T21:00:00-08:00", open: true,
                                  opens: "2026-11-23T17:45:00-08:00", closes: "2026-11-23T21:10:00-08:00",
                                  timeZone: "America/Los_Angeles")

    static let alert = Alert(id: 3, room: RoomID("r_group"), member: alex, severity: .high, category: .crisis(.suicide),
                             ts: "2026-11-24T02:04:55.610Z", seq: 12, escalated: true)

    static let everyFrame: [ServerFrame] = [
        .welcome(.init(user: alex, rooms: [room], server: "hearth 0.1", ref: "h")),
        .welcome(.init(user: dana, rooms: [], server: "hearth 0.1", ref: nil)),
        .joined(.init(room: RoomID("r_group"), role: .participant, open: true, members: [alex, dana],
                      messages: [message], seq: 7, more: true, ref: "j")),
        .joined(.init(room: RoomID("r_group"), role: .counselor, open: false, members: [], messages: [], seq: 0,
                      more: false, ref: nil)),
        .ack(.init(room: RoomID("r_group"), clientID: "c-7", id: MessageID("m_seven"), seq: 7,
                   ts: "2026-11-24T02:00:00.123Z", ref: "s")),
        .message(message),
        .history(.init(room: RoomID("r_group"), messages: [message, message], more: false, ref: "p")),
        .presence(.init(room: RoomID("r_group"), member: dana, state: .joined)),
        .presence(.init(room: RoomID("r_group"), member: dana, state: .left)),
        .ok(.init(ref: "l")),
        .ok(.init(ref: nil)),
        .error(.init(ProtocolError(.roomClosed, "This session's chat opens at 17:45."), ref: "e")),
        .error(.init(.badRequest("The frame is not valid JSON."), ref: nil)),
        .alert(.init(alert)),
        .alerts(.init(alerts: [alert], ref: "al")),
        .alerts(.init(alerts: [], ref: nil)),
        .alert(.init(coalesced)),
        .alertBacklog(.init(replayed: 50, more: 1950, oldest: "2026-11-24T02:04:55.610Z")),
    ]

    static let coalesced = Alert(id: 4, room: RoomID("r_group"), member: alex, severity: .high, category: .crisis(.suicide),
                                 ts: "2026-11-24T02:04:55.610Z", seq: 12, count: 3,
                                 latest: "2026-11-24T02:06:01.002Z", latestSeq: 15)

    private func jsonObject(_ frame: ServerFrame) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(FrameCodec().encode(frame))) as? [String: Any])
    }

    @Test("every frame encodes and decodes back equal", arguments: everyFrame)
    func roundTrip(frame: ServerFrame) throws {
        let codec = FrameCodec()
        #expect(try codec.decodeServerFrame(codec.encode(frame)) == frame)
    }

    @Test("every frame carries its own type on the wire", arguments: everyFrame)
    func typeOnTheWire(frame: ServerFrame) throws {
        #expect(try jsonObject(frame)["type"] as? String == frame.type)
    }

    @Test("a live message is the message fields plus type, with from as id, name and role")
    func liveMessageShape() throws {
        let object = try jsonObject(.message(Self.message))
        #expect(Set(object.keys) == ["type", "room", "seq", "id", "ts", "from", "body", "client_id"])
        #expect(object["type"] as? String == "message")
        #expect(object["room"] as? String == "r_group")
        #expect(object["seq"] as? Int == 7)
        #expect(object["id"] as? String == "m_seven")
        #expect(object["ts"] as? String == "2026-11-24T02:00:00.123Z")
        #expect(object["body"] as? String == "Thanks, everyone 🙏")
        #expect(object["client_id"] as? String == "c-7")
        let from = try #require(object["from"] as? [String: Any])
        #expect(Set(from.keys) == ["id", "name", "role"])
        #expect(from["id"] as? String == "p_alex")
        #expect(from["name"] as? String == "Alex R.")
        #expect(from["role"] as? String == "participant")
    }

    @Test("an error frame has type, code, message and ref")
    func errorShape() throws {
        let object = try jsonObject(.error(.init(ProtocolError(.tooLarge, "Too long."), ref: "e1")))
        #expect(Set(object.keys) == ["type", "code", "message", "ref"])
        let limited = try jsonObject(.error(.init(ProtocolError(.rateLimited, "Wait 3 s.", retryAfter: 3), ref: nil)))
        #expect(limited["retry_after"] as? Int == 3)
        #expect(object["type"] as? String == "error")
        #expect(object["code"] as? String == "too_large")
        #expect(object["message"] as? String == "Too long.")
        #expect(object["ref"] as? String == "e1")
    }

    @Test("error codes are written as their protocol names")
    func errorCodeNames() {
        #expect(ErrorCode.allCases.map(\.rawValue) == [
            "bad_request", "unauthorized", "forbidden", "not_found", "room_closed", "too_large", "rate_limited",
            "agreement_required", "no_staff", "muted", "removed", "banned", "not_your_turn", "ended", "internal",
        ])
    }

    @Test("an ack has the committed seq, id, ts and the sender's client_id")
    func ackShape() throws {
        let object = try jsonObject(.ack(.init(room: RoomID("r_group"), clientID: "c-7", id: MessageID("m_seven"),
                                               seq: 7, ts: "2026-11-24T02:00:00.123Z", ref: "s")))
        #expect(Set(object.keys) == ["type", "room", "client_id", "id", "seq", "ts", "ref"])
        #expect(object["client_id"] as? String == "c-7")
        #expect(object["seq"] as? Int == 7)
    }

    @Test("welcome lists the user and rooms with snake_case time_zone and the session's policies")
    func welcomeShape() throws {
        let object = try jsonObject(.welcome(.init(user: Self.alex, rooms: [Self.room], server: "hearth", ref: "h")))
        #expect(Set(object.keys) == ["type", "user", "rooms", "server", "ref"])
        let user = try #require(object["user"] as? [String: Any])
        #expect(Set(user.keys) == ["id", "name", "role"])
        let rooms = try #require(object["rooms"] as? [[String: Any]])
        let room = try #require(rooms.first)
        #expect(Set(room.keys) == ["id", "title", "kind", "starts", "ends", "open", "opens", "closes", "time_zone",
                                   "facilitators", "admission", "requires_staff", "agreement"])
        #expect(room["admission"] as? String == "auto")
        #expect(room["requires_staff"] as? Bool == false)
        #expect(room["agreement"] as? Bool == false)
        #expect(room["kind"] as? String == "relapse_prevention")
        #expect(room["time_zone"] as? String == "America/Los_Angeles")
        #expect(room["open"] as? Bool == true)
    }

    @Test("joined carries role, open, members, messages, seq, more, paused, the recording notice, pins and controls; no agreement or staff lists unless set")
    func joinedShape() throws {
        let object = try jsonObject(.joined(.init(room: RoomID("r_group"), role: .family, open: false,
                                                  members: [Self.alex], messages: [Self.message], seq: 7, more: true,
                                                  ref: "j")))
        #expect(Set(object.keys) == ["type", "room", "role", "open", "members", "messages", "seq", "more", "paused",
                                     "notice", "pinned", "controls", "ref"])
        #expect((object["notice"] as? String)?.contains("42 CFR Part 2") == true)
        let controls = try #require(object["controls"] as? [String: Any])
        #expect(Set(controls.keys) == ["locked", "slow_seconds", "review", "ended"])
        #expect(object["role"] as? String == "family")
        #expect(object["open"] as? Bool == false)
        #expect(object["more"] as? Bool == true)
        let messages = try #require(object["messages"] as? [[String: Any]])
        #expect(messages.count == 1)
        #expect(messages.first?["type"] == nil)
        #expect(messages.first?["client_id"] as? String == "c-7")
    }

    @Test("presence names the member and the state")
    func presenceShape() throws {
        let object = try jsonObject(.presence(.init(room: RoomID("r_group"), member: Self.dana, state: .left)))
        #expect(Set(object.keys) == ["type", "room", "member", "state"])
        #expect(object["state"] as? String == "left")
    }

    @Test("the alerts reply holds each open alert exactly as its alert frame does, and an empty list when none")
    func alertsShape() throws {
        let object = try jsonObject(.alerts(.init(alerts: [Self.alert], ref: "al")))
        #expect(Set(object.keys) == ["type", "alerts", "ref"])
        #expect(object["type"] as? String == "alerts")
        let listed = try #require((object["alerts"] as? [[String: Any]])?.first)
        var single = try jsonObject(.alert(.init(Self.alert)))
        #expect(single.removeValue(forKey: "type") as? String == "alert")
        func canonical(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) }
        #expect(try canonical(listed) == canonical(single))
        #expect(Set(listed.keys) == ["id", "room", "member", "category", "severity", "seq", "escalated", "ts"])
        let empty = try jsonObject(.alerts(.init(alerts: [], ref: nil)))
        #expect((empty["alerts"] as? [Any])?.isEmpty == true)
        #expect(empty["ref"] == nil)
    }

    @Test("a coalesced alert carries count, latest and latest_seq; a single one none of them")
    func coalescedAlertShape() throws {
        let object = try jsonObject(.alert(.init(Self.coalesced)))
        #expect(object["count"] as? Int == 3 && object["latest"] as? String == "2026-11-24T02:06:01.002Z")
        #expect(object["latest_seq"] as? Int == 15 && object["seq"] as? Int == 12)
        let single = try jsonObject(.alert(.init(Self.alert)))
        #expect(single["count"] == nil && single["latest"] == nil && single["latest_seq"] == nil)
        let backlog = try jsonObject(.alertBacklog(.init(replayed: 50, more: 1950, oldest: "2026-11-24T02:04:55.610Z")))
        #expect(Set(backlog.keys) == ["type", "replayed", "more", "oldest"] && backlog["type"] as? String == "alert_backlog")
    }

    @Test("a frame of an unknown type is not decoded")
    func unknownTypeRejected() {
        #expect(throws: DecodingError.self) {
            try FrameCodec().decodeServerFrame(Array(#"{"type":"shout","room":"r"}"#.utf8))
        }
    }
}
