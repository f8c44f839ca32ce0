import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// Who may join which room, and when a room accepts messages.
@Suite struct RoomAccessTests {
    @Test func aParticipantNotOnTheRosterIsForbidden() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (pat, _) = try await server.connect(server.clinic.outsider.token)
        let error = try await pat.refusal(.join(room: server.clinic.group.id, afterSeq: nil))
        #expect(error?.code == .forbidden)
        // The connection stays usable after a refusal.
        let again = try await pat.refusal(.join(room: server.clinic.family.id, afterSeq: nil))
        #expect(again?.code == .forbidden)
    }

    @Test func familyMembersMayJoinOnlyTheirParticipantsFamilySession() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await maria.refusal(.join(room: server.clinic.group.id, afterSeq: nil))?.code == .forbidden)
        let joined = try await maria.join(server.clinic.family.id)
        #expect(joined.role == .family)
        let (tom, _) = try await server.connect(server.clinic.tom.token)
        #expect(try await tom.refusal(.join(room: server.clinic.family.id, afterSeq: nil))?.code == .forbidden)
    }

    @Test func aParticipantOutsideAFamilySessionCannotJoinIt() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (sam, _) = try await server.connect(server.clinic.sam.token)
        #expect(try await sam.refusal(.join(room: server.clinic.family.id, afterSeq: nil))?.code == .forbidden)
    }

    @Test func counselorsAndAdminsMayJoinEveryRoom() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        for token in [server.clinic.counselor.token, server.clinic.admin.token] {
            let (staff, _) = try await server.connect(token)
            for room in [server.clinic.group, server.clinic.family, server.clinic.later] {
                #expect(try await staff.join(room.id).room == room.id)
            }
        }
    }

    @Test func anUnknownRoomIsNotFound() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (alex, _) = try await server.connect(server.clinic.alex.token)
        #expect(try await alex.refusal(.join(room: RoomID("r_doesnotexist"), afterSeq: nil))?.code == .notFound)
    }

    @Test func sendingOrReadingHistoryWithoutJoiningIsForbidden() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (alex, _) = try await server.connect(server.clinic.alex.token)
        let room = server.clinic.group.id
        #expect(try await alex.refusal(.send(room: room, body: "hi", clientID: "x"))?.code == .forbidden)
        #expect(try await alex.refusal(.history(room: room, beforeSeq: nil, limit: 10))?.code == .forbidden)
        #expect(try await alex.refusal(.leave(room: room))?.code == .badRequest)
    }

    @Test func aRoomOpensFifteenMinutesBeforeItsSessionAndClosesTenMinutesAfter() async throws {
        let clock = TestClock()
        let server = try TestServer(clock: clock)
        defer { server.shutdown() }
        let later = server.clinic.later

        // Before the window: participants cannot enter; staff can, to read, but cannot post.
        clock.set(later.starts.addingTimeInterval(-16 * 60))
        let (alex, welcome) = try await server.connect(server.clinic.alex.token)
        #expect(welcome.rooms.first { $0.id == later.id }?.open == false)
        let early = try await alex.refusal(.join(room: later.id, afterSeq: nil))
        #expect(early?.code == .roomClosed)
        #expect(early?.message.contains("opens") == true)
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let staffJoined = try await dana.join(later.id)
        #expect(!staffJoined.open)
        #expect(try await dana.refusal(.send(room: later.id, body: "too early", clientID: "d0"))?.code == .roomClosed)

        // Fifteen minutes before the start it opens.
        clock.set(later.starts.addingTimeInterval(-15 * 60))
        #expect(try await alex.join(later.id).open)
        _ = try await alex.post("Here early.", to: later.id)

        // Ten minutes after the end it is still open; then it closes.
        clock.set(later.ends.addingTimeInterval(10 * 60 - 1))
        _ = try await alex.post("Last words.", to: later.id)
        clock.set(later.ends.addingTimeInterval(10 * 60))
        let late = try await alex.refusal(.send(room: later.id, body: "too late", clientID: "a9"))
        #expect(late?.code == .roomClosed)
        #expect(late?.message.contains("closed") == true)

        // After it closed, staff can still read the record.
        let (reader, _) = try await server.connect(server.clinic.counselor.token)
        let record = try await reader.join(later.id)
        #expect(record.messages.map(\.body) == ["Here early.", "Last words."])
    }

    @Test func aResendAfterTheRoomClosedStillGetsItsOriginalAck() async throws {
        let clock = TestClock()
        let server = try TestServer(clock: clock)
        defer { server.shutdown() }
        let group = server.clinic.group
        let (alex, _) = try await server.joined(server.clinic.alex.token, group)
        let ack = try await alex.post("last thing before we close", to: group.id, clientID: "final")
        clock.set(group.closes)
        let again = try await alex.post("last thing before we close", to: group.id, clientID: "final")
        #expect(again.seq == ack.seq)
        #expect(again.id == ack.id)
        #expect(try await alex.refusal(.send(room: group.id, body: "new", clientID: "new"))?.code == .roomClosed)
    }

    @Test func theWindowIsConfigurable() async throws {
        let clock = TestClock()
        let server = try TestServer(clock: clock) { $0.openBeforeMinutes = 60; $0.graceAfterMinutes = 0 }
        defer { server.shutdown() }
        let later = server.clinic.later
        clock.set(later.starts.addingTimeInterval(-59 * 60))
        let (alex, _) = try await server.connect(server.clinic.alex.token)
        #expect(try await alex.join(later.id).open)
        clock.set(later.ends)
        #expect(try await alex.refusal(.send(room: later.id, body: "x", clientID: "x"))?.code == .roomClosed)
    }
}
