import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// The waiting room's rules on the in-memory hub (moved from WaitingRoomTests): knocking, admitting, denying, and a
/// reconnect keeping the decision. "Not in the room yet" is checked after `settle()`, not after a pause.
@Suite struct WaitingRoomRuleTests {
    @Test func aFamilyMemberWaitsUntilTheCounselorAdmitsThem() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = try hub.familyWaitingRoom()
        let maria = hub.clinic.maria.0.identity.member
        let (dana, _) = try await hub.connect(hub.clinic.counselor.token)
        let staffView = try await dana.join(room.id)
        #expect(staffView.waiting == [])

        let (mariaConnection, _) = try await hub.connect(hub.clinic.maria.token)
        #expect(try await mariaConnection.waits(in: room))
        let knock = try await dana.knock(.waiting)
        #expect(knock.room == room.id)
        #expect(knock.member == maria)
        // Waiting is not being in the room: no presence, no messages.
        _ = try await dana.say("Welcome, everyone.", in: room.id)
        try await hub.settle()
        #expect(mariaConnection.drain().isEmpty)

        _ = dana.drain()
        let answered = try await dana.requestKeepingFrames(.admit(room: room.id, member: maria.id))
        guard case .ok = answered.last else { Issue.record("admit was not answered ok: \(answered)"); return }
        let joined = try await mariaConnection.joinedFrame()
        // Staff hear the decision and the arrival (before or after the `ok`: the order is not the rule here).
        try await hub.settle()
        let frames = answered + dana.drainFrames()
        #expect(frames.contains(.knock(.init(room: room.id, member: maria, state: .admitted))))
        #expect(frames.contains(.presence(.init(room: room.id, member: maria, state: .joined))))
        #expect(joined.room == room.id)
        #expect(joined.messages.map(\.body) == ["Welcome, everyone."])
        #expect(joined.members.map(\.name).contains("Dana M."))
        #expect(try await mariaConnection.say("Hello from work.", in: room.id).seq == 2)
    }

    @Test func someoneWhoDisconnectsWhileWaitingIsStillWaitingWhenTheyComeBack() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = try hub.familyWaitingRoom()
        let (dana, _) = try await hub.connect(hub.clinic.counselor.token)
        _ = try await dana.join(room.id)
        let (maria, _) = try await hub.connect(hub.clinic.maria.token)
        #expect(try await maria.waits(in: room))
        _ = try await dana.knock(.waiting)

        // A second tab waits too, without a second knock.
        let (mariaTab, _) = try await hub.connect(hub.clinic.maria.token)
        #expect(try await mariaTab.waits(in: room))
        try await hub.settle()
        #expect(dana.drain().isEmpty)

        // The first tab leaving is not the person leaving; the last one is.
        maria.close()
        try await hub.settle()
        #expect(dana.drain().isEmpty)
        mariaTab.close()
        #expect(try await dana.knock(.left).member.id == hub.clinic.maria.0.id)
        let (back, _) = try await hub.connect(hub.clinic.maria.token)
        #expect(try await back.waits(in: room))
        _ = try await dana.knock(.waiting)
        let rejoined = try await dana.join(room.id)
        #expect(rejoined.waiting == [hub.clinic.maria.0.identity.member])
    }

    @Test func aDeniedPersonSeesTheCounselorsMessage() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = try hub.familyWaitingRoom()
        let (dana, _) = try await hub.connect(hub.clinic.counselor.token)
        let (maria, _) = try await hub.connect(hub.clinic.maria.token)
        #expect(try await maria.waits(in: room))
        _ = try await dana.knock(.waiting)
        let frames = try await dana.requestKeepingFrames(.deny(room: room.id, member: hub.clinic.maria.0.id,
                                                               message: "Today is for Alex alone; see you next Friday."))
        #expect(frames.contains(.knock(.init(room: room.id, member: hub.clinic.maria.0.identity.member, state: .denied))))
        let denied = try await maria.expect("denied") { frame -> ServerFrame.Denied? in
            if case .denied(let denied) = frame { return denied }
            return nil
        }
        #expect(denied == ServerFrame.Denied(room: room.id, message: "Today is for Alex alone; see you next Friday."))
        // Not in the room: sending is refused.
        #expect(try await maria.refusalCode(.send(room: room.id, body: "hi", clientID: "c1")) == .forbidden)
    }

    @Test func admitWithNoMemberLetsEveryoneIn() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = try hub.familyWaitingRoom()
        let (dana, _) = try await hub.connect(hub.clinic.counselor.token)
        let (alex, _) = try await hub.connect(hub.clinic.alex.token)
        let (maria, _) = try await hub.connect(hub.clinic.maria.token)
        #expect(try await alex.waits(in: room))
        #expect(try await maria.waits(in: room))
        #expect(try await dana.refusalCode(.admit(room: room.id, member: nil)) == nil)
        #expect(try await alex.joinedFrame().room == room.id)
        #expect(try await maria.joinedFrame().room == room.id)
    }
}
