import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// Group agreements, rooms that need a counselor present, individual sessions and the `schedule` request.
@Suite struct SessionPolicyTests {
    static let agreement = "What is said in group stays in group. No screenshots."

    @Test func aParticipantAcceptsTheAgreementAndWritesOnlyWhileACounselorIsThere() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try server.addRoom("group-policies", kind: .group, roster: .participants([clinic.alex.0.id, clinic.sam.0.id]),
                                      requiresStaff: true, agreement: Self.agreement, facilitators: [clinic.counselor.0.id])
        let (alex, joined) = try await server.joined(clinic.alex.token, room)
        #expect(joined.paused)
        #expect(joined.agreement == ServerFrame.Agreement(text: Self.agreement))

        #expect(try await alex.refusalCode(.send(room: room.id, body: "hi", clientID: "c1")) == .agreementRequired)
        #expect(try await alex.refusalCode(.agree(room: room.id)) == nil)
        #expect(try await alex.refusalCode(.send(room: room.id, body: "hi", clientID: "c1")) == .noStaff)

        let (dana, staffJoined) = try await server.joined(clinic.counselor.token, room)
        #expect(staffJoined.agreement == nil)
        #expect(!staffJoined.paused)
        let resumed = try await alex.expect("room_state") { frame -> ServerFrame.RoomState? in
            if case .roomState(let state) = frame { return state }
            return nil
        }
        #expect(resumed == ServerFrame.RoomState(room: room.id, paused: false))
        #expect(try await alex.post("Checking in: a hard week.", to: room.id, clientID: "c1").seq == 1)

        // Accepted once per occurrence: a reconnect does not ask again.
        let (_, again) = try await server.joined(clinic.alex.token, room)
        #expect(again.agreement == nil)

        _ = try await dana.request(.leave(room: room.id))
        let paused = try await alex.expect("room_state") { frame -> ServerFrame.RoomState? in
            if case .roomState(let state) = frame { return state }
            return nil
        }
        #expect(paused.paused)
        #expect(try await alex.refusalCode(.send(room: room.id, body: "anyone?", clientID: "c2")) == .noStaff)
    }

    @Test func aRoomWithoutPoliciesIsNeverPausedAndAsksForNoAgreement() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (alex, joined) = try await server.joined(server.clinic.alex.token, server.clinic.group)
        #expect(!joined.paused)
        #expect(joined.agreement == nil)
        #expect(try await alex.refusalCode(.agree(room: server.clinic.group.id)) == nil)
        #expect(try await alex.post("hello", to: server.clinic.group.id).seq == 1)
    }

    @Test func anIndividualSessionAdmitsOnlyItsParticipantAndTheirCounselor() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try server.addRoom("individual-alex", kind: .individual, roster: .participant(clinic.alex.0.id),
                                      facilitators: [clinic.counselor.0.id])
        let (alex, _) = try await server.joined(clinic.alex.token, room)
        let (dana, _) = try await server.joined(clinic.counselor.token, room)
        _ = try await alex.post("Something I did not want to say in group.", to: room.id)
        #expect(try await dana.messages(1).first?.body == "Something I did not want to say in group.")

        for token in [clinic.sam.token, clinic.admin.token, clinic.maria.token] {
            let (other, welcome) = try await server.connect(token)
            #expect(!welcome.rooms.contains { $0.id == room.id })
            #expect(try await other.refusalCode(.join(room: room.id, afterSeq: nil)) == .forbidden)
            #expect(try await other.refusalCode(.history(room: room.id, beforeSeq: nil, limit: 10)) == .forbidden)
            #expect(try await other.refusalCode(.summary(room: room.id)) == .forbidden)
        }
        // Nor does it show in another staff member's attendance report; it does in its counselor's. The week is the
        // room's own (its scheduled date in its zone), not the server's current one, which differs near midnight.
        let week = ISOWeek(containing: room.date)
        let (jordan, _) = try await server.connect(clinic.admin.token)
        for (staff, sees) in [(jordan, false), (dana, true)] {
            guard case .attendance(let frame) = try await staff.request(.attendance(room: nil, week: week)) else {
                Issue.record("no attendance reply")
                return
            }
            #expect(frame.report.sessions.contains { $0.room == room.id } == sees)
        }
    }

    @Test func welcomeAndScheduleListUpcomingSessionsWithTheirPolicies() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try server.addRoom("group-policies", kind: .group, roster: .participants([clinic.alex.0.id]),
                                      admission: .waiting, requiresStaff: true, agreement: Self.agreement,
                                      facilitators: [clinic.counselor.0.id])
        let (alex, welcome) = try await server.connect(clinic.alex.token)
        let listed = try #require(welcome.rooms.first { $0.id == room.id })
        #expect(listed.admission == .waiting)
        #expect(listed.requiresStaff)
        #expect(listed.agreement)
        #expect(listed.facilitators == [clinic.counselor.0.identity.member])

        guard case .schedule(let schedule) = try await alex.request(.schedule(from: nil, to: nil)) else {
            Issue.record("no schedule reply")
            return
        }
        // Alex's sessions in the coming week, in start order: the group now, the family session, the later group.
        #expect(schedule.rooms.map(\.id) == [clinic.group.id, clinic.family.id, room.id, clinic.later.id]
            .sorted { a, b in
                let all = [clinic.group, clinic.family, room, clinic.later]
                let x = all.first { $0.id == a }!, y = all.first { $0.id == b }!
                return (x.starts, x.id) < (y.starts, y.id)
            })
        let (sam, _) = try await server.connect(clinic.sam.token)
        guard case .schedule(let samSchedule) = try await sam.request(.schedule(from: nil, to: nil)) else { return }
        #expect(!samSchedule.rooms.contains { $0.id == room.id || $0.id == clinic.family.id })

        let later = clinic.group.starts.addingTimeInterval(10 * 86400)
        #expect(try await alex.refusalCode(.schedule(from: later, to: later.addingTimeInterval(-60))) == .badRequest)
        #expect(try await alex.refusalCode(.schedule(from: later, to: later.addingTimeInterval(90 * 86400))) == .badRequest)
    }
}
