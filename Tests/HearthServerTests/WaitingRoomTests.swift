import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// A session with a waiting room: participants and family knock, staff admit or deny, and a reconnect keeps the
/// decision.
@Suite struct WaitingRoomTests {
    /// Alex's family session with a waiting room, led by the clinic's counselor.
    private func familyWaitingRoom(_ server: TestServer) throws -> RoomDescriptor {
        try server.addRoom("family-waiting", title: "Family therapy: Alex R.", kind: .family,
                           roster: .family(server.clinic.alex.0.id), admission: .waiting,
                           facilitators: [server.clinic.counselor.0.id])
    }

    private func waiting(_ connection: HearthConnection, _ room: RoomDescriptor) async throws -> Bool {
        if case .waiting(let frame) = try await connection.request(.join(room: room.id, afterSeq: nil)) {
            return frame.room == room.id
        }
        return false
    }

    @Test func aFamilyMemberWaitsUntilTheCounselorAdmitsThem() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try familyWaitingRoom(server)
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let staffView = try await dana.join(room.id)
        #expect(staffView.waiting == [])

        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(maria, room))
        let knock = try await dana.knock(.waiting)
        #expect(knock.room == room.id)
        #expect(knock.member == server.clinic.maria.0.identity.member)
        // Waiting is not being in the room: no presence, no messages.
        _ = try await dana.post("Welcome, everyone.", to: room.id)
        #expect(await maria.quiet() == nil)

        let frames = try await dana.requestKeepingFrames(.admit(room: room.id, member: server.clinic.maria.0.id))
        #expect(frames.contains(.knock(.init(room: room.id, member: server.clinic.maria.0.identity.member, state: .admitted))))
        #expect(frames.contains(.presence(.init(room: room.id, member: server.clinic.maria.0.identity.member, state: .joined))))
        guard case .ok = frames.last else { Issue.record("admit was not answered ok: \(frames)"); return }
        let joined = try await maria.joinedFrame()
        #expect(joined.room == room.id)
        #expect(joined.messages.map(\.body) == ["Welcome, everyone."])
        #expect(joined.members.map(\.name).contains("Dana M."))
        #expect(try await maria.post("Hello from work.", to: room.id).seq == 2)
    }

    @Test func theParticipantWaitsTooAndStaffGoStraightIn() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try familyWaitingRoom(server)
        let (alex, _) = try await server.connect(server.clinic.alex.token)
        #expect(try await waiting(alex, room))
        let (jordan, _) = try await server.connect(server.clinic.admin.token)
        let staffView = try await jordan.join(room.id)
        #expect(staffView.waiting == [server.clinic.alex.0.identity.member])
    }

    @Test func aStaffMemberWatchingTheRoomListHearsTheKnock() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try familyWaitingRoom(server)
        // The facilitator is connected but has not joined the room.
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(maria, room))
        #expect(try await dana.knock(.waiting).member.id == server.clinic.maria.0.id)
        // And can admit from there.
        #expect(try await dana.refusalCode(.admit(room: room.id, member: nil)) == nil)
        #expect(try await maria.joinedFrame().room == room.id)
    }

    @Test func someoneWhoDisconnectsWhileWaitingIsStillWaitingWhenTheyComeBack() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try familyWaitingRoom(server)
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        _ = try await dana.join(room.id)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(maria, room))
        _ = try await dana.knock(.waiting)

        // A second tab waits too, without a second knock.
        let (mariaTab, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(mariaTab, room))
        #expect(await dana.quiet() == nil)

        maria.close()
        mariaTab.close()
        #expect(try await dana.knock(.left).member.id == server.clinic.maria.0.id)
        let (back, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(back, room))
        _ = try await dana.knock(.waiting)
        let rejoined = try await dana.join(room.id)
        #expect(rejoined.waiting == [server.clinic.maria.0.identity.member])
    }

    @Test func someoneAdmittedGoesStraightBackInAfterReconnecting() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try familyWaitingRoom(server)
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(maria, room))
        #expect(try await dana.refusalCode(.admit(room: room.id, member: server.clinic.maria.0.id)) == nil)
        _ = try await maria.joinedFrame()
        maria.close()

        let (back, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await back.join(room.id).room == room.id)
        // Admitting someone who is not waiting is an error, not a second admission.
        #expect(try await dana.refusalCode(.admit(room: room.id, member: server.clinic.maria.0.id)) == .notFound)
    }

    @Test func aDeniedPersonSeesTheCounselorsMessage() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try familyWaitingRoom(server)
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(maria, room))
        _ = try await dana.knock(.waiting)
        let frames = try await dana.requestKeepingFrames(.deny(room: room.id, member: server.clinic.maria.0.id,
                                                               message: "Today is for Alex alone; see you next Friday."))
        #expect(frames.contains(.knock(.init(room: room.id, member: server.clinic.maria.0.identity.member, state: .denied))))
        let denied = try await maria.expect("denied") { frame -> ServerFrame.Denied? in
            if case .denied(let denied) = frame { return denied }
            return nil
        }
        #expect(denied == ServerFrame.Denied(room: room.id, message: "Today is for Alex alone; see you next Friday."))
        // Not in the room: sending is refused.
        #expect(try await maria.refusalCode(.send(room: room.id, body: "hi", clientID: "c1")) == .forbidden)
    }

    @Test func admitWithNoMemberLetsEveryoneIn() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try familyWaitingRoom(server)
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let (alex, _) = try await server.connect(server.clinic.alex.token)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(alex, room))
        #expect(try await waiting(maria, room))
        #expect(try await dana.refusalCode(.admit(room: room.id, member: nil)) == nil)
        #expect(try await alex.joinedFrame().room == room.id)
        #expect(try await maria.joinedFrame().room == room.id)
    }

    @Test func participantsCannotAdmitOrDeny() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try familyWaitingRoom(server)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await waiting(maria, room))
        let (alex, _) = try await server.connect(server.clinic.alex.token)
        #expect(try await alex.refusalCode(.admit(room: room.id, member: nil)) == .forbidden)
        #expect(try await alex.refusalCode(.deny(room: room.id, member: server.clinic.maria.0.id, message: nil)) == .forbidden)
        #expect(try await maria.refusalCode(.admit(room: room.id, member: server.clinic.maria.0.id)) == .forbidden)
    }
}
