import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// Individual sessions and the `schedule` request over sockets. Group agreements and rooms that need a counselor
/// present run on the in-memory hub (`SessionPolicyRuleTests`).
@Suite struct SessionPolicyTests {
    static let agreement = "What is said in group stays in group. No screenshots."

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
