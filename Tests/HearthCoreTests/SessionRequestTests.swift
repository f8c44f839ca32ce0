import Foundation
import HearthCore
import Testing

/// Reading the program requests: schedule, agree, checkin, admit, deny, attendance, summary, invite, alert_ack,
/// alerts.
struct SessionRequestTests {
    private func decode(_ json: String) -> Result<ClientRequest, RequestRejection> {
        FrameCodec().decodeClientRequest(Array(json.utf8))
    }

    @Test("each request decodes, and encodes back to the same request", arguments: [
        (#"{"type":"schedule","ref":"1"}"#, ClientCommand.schedule(from: nil, to: nil)),
        (#"{"type":"schedule","from":"2026-11-23T00:00:00-08:00","to":"2026-11-30T00:00:00Z"}"#,
         .schedule(from: WireTime.parse("2026-11-23T08:00:00Z"), to: WireTime.parse("2026-11-30T00:00:00Z"))),
        (#"{"type":"agree","room":"r_1"}"#, .agree(room: RoomID("r_1"))),
        (#"{"type":"checkin","room":"r_1","mood":0,"craving":10,"safe":false}"#,
         .checkin(room: RoomID("r_1"), mood: 0, craving: 10, safe: false)),
        (#"{"type":"checkin","room":"r_1","safe":true}"#, .checkin(room: RoomID("r_1"), mood: nil, craving: nil, safe: true)),
        (#"{"type":"admit","room":"r_1"}"#, .admit(room: RoomID("r_1"), member: nil)),
        (#"{"type":"admit","room":"r_1","member":"p_maria"}"#, .admit(room: RoomID("r_1"), member: PersonID("p_maria"))),
        (#"{"type":"deny","room":"r_1","member":"p_maria","message":"Next week."}"#,
         .deny(room: RoomID("r_1"), member: PersonID("p_maria"), message: "Next week.")),
        (#"{"type":"attendance"}"#, .attendance(room: nil, week: nil)),
        (#"{"type":"attendance","week":"2026-W48"}"#, .attendance(room: nil, week: ISOWeek("2026-W48"))),
        (#"{"type":"attendance","room":"r_1"}"#, .attendance(room: RoomID("r_1"), week: nil)),
        (#"{"type":"summary","room":"r_1"}"#, .summary(room: RoomID("r_1"))),
        (#"{"type":"invite","room":"r_1","member":"p_maria"}"#, .invite(room: RoomID("r_1"), member: PersonID("p_maria"))),
        (#"{"type":"alert_ack","alert":7,"outcome":"Called; safe with family."}"#,
         .alertAck(alert: 7, outcome: "Called; safe with family.")),
        (#"{"type":"alerts","ref":"al1"}"#, .alerts(room: nil)),
        (#"{"type":"alerts","room":"r_1"}"#, .alerts(room: RoomID("r_1"))),
    ])
    func decodes(json: String, command: ClientCommand) throws {
        let request = try decode(json).get()
        #expect(request.command == command)
        let again = try FrameCodec().decodeClientRequest(FrameCodec().encode(request)).get()
        #expect(again == request)
    }

    @Test("a malformed request is a bad_request that says which field", arguments: [
        (#"{"type":"checkin","room":"r_1","mood":11}"#, "\"mood\" must be 0 to 10"),
        (#"{"type":"checkin","room":"r_1","craving":-1}"#, "\"craving\" must be 0 to 10"),
        (#"{"type":"checkin","room":"r_1"}"#, "needs \"mood\", \"craving\" or \"safe\""),
        (#"{"type":"checkin","room":"r_1","safe":"no"}"#, "\"safe\" has the wrong type"),
        (#"{"type":"deny","room":"r_1"}"#, "needs the field \"member\""),
        (#"{"type":"invite","member":"p_1"}"#, "needs the field \"room\""),
        (#"{"type":"attendance","week":"48"}"#, "ISO week"),
        (#"{"type":"schedule","from":"Monday"}"#, "\"from\" must be a time"),
        (#"{"type":"alert_ack"}"#, "needs the field \"alert\""),
        (#"{"type":"admit","room":"r_1","member":""}"#, "not a person id"),
        (#"{"type":"alerts","room":""}"#, "not a room id"),
        (#"{"type":"alerts","room":7}"#, "\"room\" has the wrong type"),
    ])
    func rejected(json: String, says: String) throws {
        guard case .failure(let rejection) = decode(json) else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(rejection.error.code == .badRequest)
        #expect(rejection.error.message.contains(says), "message: \(rejection.error.message)")
    }

    @Test func staffOnlyRequestsAreMarked() {
        #expect(ClientCommand.admit(room: RoomID("r"), member: nil).isStaffOnly)
        #expect(ClientCommand.alertAck(alert: 1, outcome: nil).isStaffOnly)
        #expect(ClientCommand.alerts(room: nil).isStaffOnly)
        #expect(ClientCommand.alerts(room: RoomID("r")).isStaffOnly)
        #expect(!ClientCommand.checkin(room: RoomID("r"), mood: 1, craving: nil, safe: nil).isStaffOnly)
        #expect(!ClientCommand.schedule(from: nil, to: nil).isStaffOnly)
    }
}
