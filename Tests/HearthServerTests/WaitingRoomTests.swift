import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// A session with a waiting room over sockets: participants and family knock, staff admit, and a reconnect keeps the
/// decision. Admitting, denying and waiting across reconnects run on the in-memory hub (`WaitingRoomRuleTests`).
@Suite struct WaitingRoomTests {
    @Test func theParticipantWaitsTooAndStaffGoStraightIn() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try server.familyWaitingRoom()
        let (alex, _) = try await server.connect(server.clinic.alex.token)
        #expect(try await alex.waits(in: room))
        let (jordan, _) = try await server.connect(server.clinic.admin.token)
        let staffView = try await jordan.join(room.id)
        #expect(staffView.waiting == [server.clinic.alex.0.identity.member])
    }

    @Test func aStaffMemberWatchingTheRoomListHearsTheKnock() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try server.familyWaitingRoom()
        // The facilitator is connected but has not joined the room.
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await maria.waits(in: room))
        #expect(try await dana.knock(.waiting).member.id == server.clinic.maria.0.id)
        // And can admit from there.
        #expect(try await dana.refusalCode(.admit(room: room.id, member: nil)) == nil)
        #expect(try await maria.joinedFrame().room == room.id)
    }

    @Test func someoneAdmittedGoesStraightBackInAfterReconnecting() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try server.familyWaitingRoom()
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await maria.waits(in: room))
        #expect(try await dana.refusalCode(.admit(room: room.id, member: server.clinic.maria.0.id)) == nil)
        _ = try await maria.joinedFrame()
        maria.close()

        let (back, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await back.join(room.id).room == room.id)
        // Admitting someone who is not waiting is an error, not a second admission.
        #expect(try await dana.refusalCode(.admit(room: room.id, member: server.clinic.maria.0.id)) == .notFound)
    }

    @Test func participantsCannotAdmitOrDeny() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = try server.familyWaitingRoom()
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await maria.waits(in: room))
        let (alex, _) = try await server.connect(server.clinic.alex.token)
        #expect(try await alex.refusalCode(.admit(room: room.id, member: nil)) == .forbidden)
        #expect(try await alex.refusalCode(.deny(room: room.id, member: server.clinic.maria.0.id, message: nil)) == .forbidden)
        #expect(try await maria.refusalCode(.admit(room: room.id, member: server.clinic.maria.0.id)) == .forbidden)
    }
}
