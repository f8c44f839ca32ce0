import Foundation
import HearthCore
import Testing

/// Reading client frames: every command, its `ref`, and a precise `bad_request` for every malformed frame.
struct ClientRequestTests {
    private func decode(_ json: String) -> Result<ClientRequest, RequestRejection> {
        FrameCodec().decodeClientRequest(Array(json.utf8))
    }

    private func rejectionOf(_ json: String) -> RequestRejection? {
        if case .failure(let rejection) = decode(json) { return rejection }
        return nil
    }

    // MARK: Commands

    @Test("alert_ack takes one alert, or a list of 1 to 100 in alerts, never both")
    func alertAckSingleAndBulk() throws {
        #expect(try decode(#"{"type":"alert_ack","alert":4,"outcome":"ok","ref":"a"}"#).get()
                == ClientRequest(.alertAck(alert: 4, outcome: "ok"), ref: "a"))
        #expect(try decode(#"{"type":"alert_ack","alerts":[4,5,6],"ref":"b"}"#).get()
                == ClientRequest(.alertAckMany(alerts: [4, 5, 6], outcome: nil), ref: "b"))
        let many = "[" + (1...101).map(String.init).joined(separator: ",") + "]"
        let empty = rejectionOf(#"{"type":"alert_ack","alerts":[],"ref":"c"}"#)
        #expect(empty?.error == .badRequest("\"alerts\" must list 1 to 100 alert ids.") && empty?.ref == "c")
        #expect(rejectionOf(#"{"type":"alert_ack","alerts":"# + many + "}")?.error.message
                == "\"alerts\" must list 1 to 100 alert ids.")
        #expect(rejectionOf(#"{"type":"alert_ack","alert":1,"alerts":[2]}"#)?.error.message
                == "Give \"alert\" or \"alerts\", not both.")
        #expect(rejectionOf(#"{"type":"alert_ack","alerts":["x"]}"#)?.error.code == .badRequest)
        #expect(rejectionOf(#"{"type":"alert_ack"}"#)?.error.message == "\"alert_ack\" needs the field \"alert\".")
        // The bulk form encodes as it decodes.
        let bytes = FrameCodec().encode(ClientRequest(.alertAckMany(alerts: [7, 8], outcome: "done"), ref: "d"))
        #expect(try decode(String(decoding: bytes, as: UTF8.self)).get()
                == ClientRequest(.alertAckMany(alerts: [7, 8], outcome: "done"), ref: "d"))
    }

    @Test("hello decodes with its token and ref")
    func helloDecodes() throws {
        let request = try decode(#"{"type":"hello","token":"hth_abc","ref":"1"}"#).get()
        #expect(request == ClientRequest(.hello(token: "hth_abc"), ref: "1"))
    }

    @Test("join without after_seq asks for the latest page")
    func joinWithoutAfterSeq() throws {
        let request = try decode(#"{"type":"join","room":"r_1","ref":"2"}"#).get()
        #expect(request == ClientRequest(.join(room: RoomID("r_1"), afterSeq: nil), ref: "2"))
    }

    @Test("join with after_seq resumes after that seq, including 0")
    func joinWithAfterSeq() throws {
        #expect(try decode(#"{"type":"join","room":"r_1","after_seq":41}"#).get()
            == ClientRequest(.join(room: RoomID("r_1"), afterSeq: 41)))
        #expect(try decode(#"{"type":"join","room":"r_1","after_seq":0}"#).get()
            == ClientRequest(.join(room: RoomID("r_1"), afterSeq: 0)))
    }

    @Test("send decodes room, body and client_id")
    func sendDecodes() throws {
        let request = try decode(#"{"type":"send","room":"r_1","body":"Hi all","client_id":"c-1","ref":"s"}"#).get()
        #expect(request == ClientRequest(.send(room: RoomID("r_1"), body: "Hi all", clientID: "c-1"), ref: "s"))
    }

    @Test("history decodes with and without before_seq and limit")
    func historyDecodes() throws {
        #expect(try decode(#"{"type":"history","room":"r_1","before_seq":20,"limit":5}"#).get()
            == ClientRequest(.history(room: RoomID("r_1"), beforeSeq: 20, limit: 5)))
        #expect(try decode(#"{"type":"history","room":"r_1"}"#).get()
            == ClientRequest(.history(room: RoomID("r_1"), beforeSeq: nil, limit: nil)))
    }

    @Test("leave decodes")
    func leaveDecodes() throws {
        #expect(try decode(#"{"type":"leave","room":"r_1","ref":"bye"}"#).get()
            == ClientRequest(.leave(room: RoomID("r_1")), ref: "bye"))
    }

    @Test("a frame without ref decodes with a nil ref")
    func refIsOptional() throws {
        #expect(try decode(#"{"type":"leave","room":"r_1"}"#).get().ref == nil)
    }

    @Test("unknown extra fields are ignored")
    func unknownFieldsIgnored() throws {
        let json = #"{"type":"send","room":"r_1","body":"hey","client_id":"c","ref":"x","color":"blue","meta":{"a":[1,2]},"n":null}"#
        #expect(try decode(json).get() == ClientRequest(.send(room: RoomID("r_1"), body: "hey", clientID: "c"), ref: "x"))
    }

    // MARK: Rejections

    @Test("malformed JSON is a bad request with no ref", arguments: [
        #"{"type":"hello","#, #"{"type":"hello","ref":"1""#, "", "not json", #"{"type":"hello" "token":"t","ref":"1"}"#,
    ])
    func malformedJSON(json: String) throws {
        let rejection = try #require(rejectionOf(json))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == nil)
        #expect(!rejection.error.message.isEmpty)
    }

    @Test("a JSON value that is not an object is a bad request", arguments: [
        "[1,2]", #""hello""#, "42", "null", "true",
    ])
    func nonObject(json: String) throws {
        let rejection = try #require(rejectionOf(json))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == nil)
        #expect(rejection.error.message.contains("object"))
    }

    @Test("a frame without a type is a bad request that keeps its ref")
    func missingType() throws {
        let rejection = try #require(rejectionOf(#"{"room":"r_1","ref":"q1"}"#))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == "q1")
        #expect(rejection.error.message.contains("type"))
    }

    @Test("an unknown type is a bad request that names it and keeps the ref")
    func unknownType() throws {
        let rejection = try #require(rejectionOf(#"{"type":"dance","ref":"q2"}"#))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == "q2")
        #expect(rejection.error.message.contains("dance"))
    }

    struct MissingField: Sendable, CustomTestStringConvertible {
        var json: String
        var field: String
        var testDescription: String { "\(field) missing from \(json)" }
    }

    @Test("a missing required field is a bad request that names the field and keeps the ref", arguments: [
        MissingField(json: #"{"type":"hello","ref":"m"}"#, field: "token"),
        MissingField(json: #"{"type":"join","ref":"m"}"#, field: "room"),
        MissingField(json: #"{"type":"send","body":"b","client_id":"c","ref":"m"}"#, field: "room"),
        MissingField(json: #"{"type":"send","room":"r_1","client_id":"c","ref":"m"}"#, field: "body"),
        MissingField(json: #"{"type":"send","room":"r_1","body":"b","ref":"m"}"#, field: "client_id"),
        MissingField(json: #"{"type":"history","ref":"m"}"#, field: "room"),
        MissingField(json: #"{"type":"leave","ref":"m"}"#, field: "room"),
    ])
    func missingField(_ example: MissingField) throws {
        let rejection = try #require(rejectionOf(example.json))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == "m")
        #expect(rejection.error.message.contains("\"\(example.field)\""))
    }

    @Test("a field of the wrong type is a bad request that names it and keeps the ref", arguments: [
        (#"{"type":"join","room":5,"ref":"w"}"#, "room"),
        (#"{"type":5,"ref":"w"}"#, "type"),
        (#"{"type":"hello","token":["t"],"ref":"w"}"#, "token"),
        (#"{"type":"join","room":"r_1","after_seq":"3","ref":"w"}"#, "after_seq"),
        (#"{"type":"send","room":"r_1","body":{"text":"hi"},"client_id":"c","ref":"w"}"#, "body"),
        (#"{"type":"history","room":"r_1","limit":"all","ref":"w"}"#, "limit"),
    ])
    func wrongType(json: String, field: String) throws {
        let rejection = try #require(rejectionOf(json))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == "w")
        #expect(rejection.error.message.contains("\"\(field)\""))
    }

    @Test("a ref of the wrong type is dropped, not echoed")
    func wrongTypeRef() throws {
        let rejection = try #require(rejectionOf(#"{"type":"leave","room":"r_1","ref":7}"#))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == nil)
    }

    @Test("a fractional after_seq is a bad request that keeps the ref")
    func fractionalAfterSeq() throws {
        let rejection = try #require(rejectionOf(#"{"type":"join","room":"r_1","after_seq":1.5,"ref":"f"}"#))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == "f")
    }

    @Test("a negative after_seq is a bad request")
    func negativeAfterSeq() throws {
        let rejection = try #require(rejectionOf(#"{"type":"join","room":"r_1","after_seq":-1,"ref":"n"}"#))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == "n")
        #expect(rejection.error.message.contains("after_seq"))
    }

    @Test("a before_seq below 1 is a bad request", arguments: [0, -5])
    func beforeSeqBelowOne(beforeSeq: Int) throws {
        let rejection = try #require(rejectionOf(#"{"type":"history","room":"r_1","before_seq":\#(beforeSeq),"ref":"b"}"#))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == "b")
        #expect(rejection.error.message.contains("before_seq"))
    }

    @Test("before_seq 1 is accepted")
    func beforeSeqOne() throws {
        #expect(try decode(#"{"type":"history","room":"r_1","before_seq":1}"#).get()
            == ClientRequest(.history(room: RoomID("r_1"), beforeSeq: 1, limit: nil)))
    }

    @Test("an empty client_id is a bad request")
    func emptyClientID() throws {
        let rejection = try #require(rejectionOf(#"{"type":"send","room":"r_1","body":"b","client_id":"","ref":"e"}"#))
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.ref == "e")
        #expect(rejection.error.message.contains("client_id"))
    }

    @Test("a client_id of 128 bytes is accepted and 129 bytes is refused")
    func clientIDByteLimit() throws {
        func send(_ clientID: String) -> Result<ClientRequest, RequestRejection> {
            decode(#"{"type":"send","room":"r_1","body":"b","client_id":"\#(clientID)"}"#)
        }
        #expect((try? send(String(repeating: "a", count: 128)).get()) != nil)
        #expect(rejectionOf(#"{"type":"send","room":"r_1","body":"b","client_id":"\#(String(repeating: "a", count: 129))"}"#)?
            .error.code == .badRequest)
    }

    @Test("the client_id limit counts UTF-8 bytes, not characters")
    func clientIDCountsBytes() throws {
        // 65 "é" are 65 characters but 130 bytes.
        let clientID = String(repeating: "é", count: 65)
        let rejection = try #require(rejectionOf(#"{"type":"send","room":"r_1","body":"b","client_id":"\#(clientID)"}"#))
        #expect(rejection.error.code == .badRequest)
    }

    @Test("an empty or over-long room id is a bad request")
    func badRoomID() throws {
        #expect(rejectionOf(#"{"type":"join","room":"","ref":"r"}"#)?.error.code == .badRequest)
        #expect(rejectionOf(#"{"type":"join","room":"\#(String(repeating: "r", count: 65))","ref":"r"}"#)?.error.code
            == .badRequest)
        #expect((try? decode(#"{"type":"join","room":"\#(String(repeating: "r", count: 64))"}"#).get()) != nil)
    }

    // MARK: Encoding

    @Test("every request encodes and decodes back unchanged", arguments: [
        ClientRequest(.hello(token: "hth_token"), ref: "1"),
        ClientRequest(.hello(token: "hth_token")),
        ClientRequest(.join(room: RoomID("r_1"), afterSeq: nil), ref: "j"),
        ClientRequest(.join(room: RoomID("r_1"), afterSeq: 0)),
        ClientRequest(.join(room: RoomID("r_1"), afterSeq: 9_000_000_000)),
        ClientRequest(.send(room: RoomID("r_1"), body: "Line one\nline \"two\" ✨ / 👨‍👩‍👧", clientID: "c-1"), ref: "s"),
        ClientRequest(.history(room: RoomID("r_1"), beforeSeq: 12, limit: 30), ref: "h"),
        ClientRequest(.history(room: RoomID("r_1"), beforeSeq: nil, limit: nil)),
        ClientRequest(.leave(room: RoomID("r_1")), ref: "l"),
    ])
    func roundTrip(request: ClientRequest) throws {
        let codec = FrameCodec()
        #expect(try codec.decodeClientRequest(codec.encode(request)).get() == request)
    }

    @Test("an encoded request uses the wire's snake_case keys and omits absent fields")
    func encodedKeys() throws {
        let codec = FrameCodec()
        let send = try jsonObject(codec.encode(ClientRequest(.send(room: RoomID("r_1"), body: "b", clientID: "c"), ref: "1")))
        #expect(Set(send.keys) == ["type", "room", "body", "client_id", "ref"])
        #expect(send["type"] as? String == "send")
        #expect(send["client_id"] as? String == "c")

        let join = try jsonObject(codec.encode(ClientRequest(.join(room: RoomID("r_1"), afterSeq: 3))))
        #expect(Set(join.keys) == ["type", "room", "after_seq"])
        #expect(join["after_seq"] as? Int == 3)

        let history = try jsonObject(codec.encode(ClientRequest(.history(room: RoomID("r_1"), beforeSeq: 4, limit: 2))))
        #expect(Set(history.keys) == ["type", "room", "before_seq", "limit"])
    }

    private func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }
}
