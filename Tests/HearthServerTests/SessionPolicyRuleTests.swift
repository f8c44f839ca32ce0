import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// Group agreements and rooms that need a counselor present, on the in-memory hub (moved from SessionPolicyTests,
/// which keeps individual sessions and the `schedule` request over sockets).
@Suite struct SessionPolicyRuleTests {
    static let agreement = "What is said in group stays in group. No screenshots."

    @Test func aParticipantAcceptsTheAgreementAndWritesOnlyWhileACounselorIsThere() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let clinic = hub.clinic
        let room = try hub.addRoom("group-policies", kind: .group, roster: .participants([clinic.alex.0.id, clinic.sam.0.id]),
                                   requiresStaff: true, agreement: Self.agreement, facilitators: [clinic.counselor.0.id])
        let (alex, joined) = try await hub.joined(clinic.alex.token, room)
        #expect(joined.paused)
        #expect(joined.agreement == ServerFrame.Agreement(text: Self.agreement))

        #expect(try await alex.refusalCode(.send(room: room.id, body: "hi", clientID: "c1")) == .agreementRequired)
        #expect(try await alex.refusalCode(.agree(room: room.id)) == nil)
        #expect(try await alex.refusalCode(.send(room: room.id, body: "hi", clientID: "c1")) == .noStaff)
        // A private question to the counselor waits for the counselor too.
        #expect(try await alex.refusalCode(.send(room: room.id, body: "hi", clientID: "c0", to: .staff)) == .noStaff)

        let (dana, staffJoined) = try await hub.joined(clinic.counselor.token, room)
        #expect(staffJoined.agreement == nil)
        #expect(!staffJoined.paused)
        #expect(try await alex.roomState() == ServerFrame.RoomState(room: room.id, paused: false))
        #expect(try await alex.say("Checking in: a hard week.", in: room.id, clientID: "c1").seq == 1)

        // Accepted once per occurrence: a reconnect does not ask again.
        let (_, again) = try await hub.joined(clinic.alex.token, room)
        #expect(again.agreement == nil)

        _ = try await dana.request(.leave(room: room.id))
        #expect(try await alex.roomState().paused)
        #expect(try await alex.refusalCode(.send(room: room.id, body: "anyone?", clientID: "c2")) == .noStaff)
    }

    @Test func aRoomWithoutPoliciesIsNeverPausedAndAsksForNoAgreement() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let (alex, joined) = try await hub.joined(hub.clinic.alex.token, hub.clinic.group)
        #expect(!joined.paused)
        #expect(joined.agreement == nil)
        #expect(try await alex.refusalCode(.agree(room: hub.clinic.group.id)) == nil)
        #expect(try await alex.say("hello", in: hub.clinic.group.id).seq == 1)
    }
}
