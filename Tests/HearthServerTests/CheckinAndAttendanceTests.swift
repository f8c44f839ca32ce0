import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// Check-ins reach staff only, "not safe" raises an alert every counselor sees until one acknowledges it, and the
/// attendance of a scripted session comes out right in the report and the summary.
@Suite struct CheckinAndAttendanceTests {
    @Test func aCheckinReachesStaffOnlyAndNotSafeAlertsEveryCounselor() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        // An admin connected elsewhere, watching the room list.
        let (jordan, _) = try await server.connect(clinic.admin.token)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)

        #expect(try await alex.refusalCode(.checkin(room: clinic.group.id, mood: 3, craving: 8, safe: false)) == nil)
        let checkin = try await dana.expect("checkin") { frame -> Checkin? in
            if case .checkin(let frame) = frame { return frame.checkin }
            return nil
        }
        #expect(checkin.member == clinic.alex.0.identity.member)
        #expect(checkin.mood == 3 && checkin.craving == 8 && checkin.safe == false)

        for staff in [dana, jordan] {
            let alert = try await staff.alertFrame()
            #expect(alert.room == clinic.group.id)
            #expect(alert.member == clinic.alex.0.identity.member)
            #expect(alert.category == .notSafe)
            #expect(alert.severity == .high)
            #expect(alert.acknowledgedBy == nil)
        }
        // Peers never see a check-in or an alert.
        var samSaw: [String] = []
        while case .frame(let frame)? = await sam.nextEvent(timeout: .milliseconds(300)) { samSaw.append(frame.type) }
        #expect(!samSaw.contains("checkin") && !samSaw.contains("alert"))

        // A counselor who connects later is shown the alert no one has acknowledged.
        let (late, _) = try await server.connect(clinic.counselor.token)
        let replayed = try await late.alertFrame()
        #expect(try await late.refusalCode(.alertAck(alert: replayed.id, outcome: "Called Alex; safety plan reviewed.")) == nil)
        let acknowledged = try await jordan.expect("acknowledged alert") { frame -> Alert? in
            if case .alert(let frame) = frame, frame.alert.acknowledgedBy != nil { return frame.alert }
            return nil
        }
        #expect(acknowledged.acknowledgedBy?.name == "Dana M.")
        #expect(acknowledged.outcome == "Called Alex; safety plan reviewed.")
        // Acknowledged: not replayed any more.
        let (next, _) = try await server.connect(clinic.admin.token)
        #expect(await next.quiet() == nil)
        #expect(try await next.refusalCode(.alertAck(alert: 999_999, outcome: nil)) == .notFound)
    }

    @Test func onlyParticipantsCheckInAndOnlyStaffReadReports() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (maria, _) = try await server.joined(clinic.maria.token, clinic.family)
        #expect(try await maria.refusalCode(.checkin(room: clinic.family.id, mood: 5, craving: nil, safe: nil)) == .forbidden)
        let (alex, _) = try await server.connect(clinic.alex.token)
        #expect(try await alex.refusalCode(.checkin(room: clinic.group.id, mood: 5, craving: nil, safe: nil)) == .forbidden)
        #expect(try await alex.refusalCode(.attendance(room: nil, week: nil)) == .forbidden)
        #expect(try await alex.refusalCode(.summary(room: clinic.group.id)) == .forbidden)
        #expect(try await alex.refusalCode(.alertAck(alert: 1, outcome: nil)) == .forbidden)
    }

    @Test func theAttendanceOfAScriptedSessionIsRightToTheMinute() async throws {
        // The group started 30 minutes ago, runs 3 hours. Alex arrives now (late), drops after 20 minutes and
        // comes back 5 minutes later on two devices at once; Sam arrives at once and leaves an hour before the end;
        // Jamie never comes.
        let clock = TestClock()
        let server = try TestServer(clock: clock)
        defer { server.shutdown() }
        let clinic = server.clinic
        let group = clinic.group
        clock.set(group.starts.addingTimeInterval(30 * 60))
        let (dana, _) = try await server.joined(clinic.counselor.token, group)
        let (alex, _) = try await server.joined(clinic.alex.token, group)
        clock.set(group.starts.addingTimeInterval(2 * 60))
        let (sam, _) = try await server.joined(clinic.sam.token, group)
        clock.set(group.starts.addingTimeInterval(50 * 60))
        alex.close()
        _ = try await dana.expect("alex left") { frame -> Bool? in
            if case .presence(let presence) = frame, presence.state == .left { return true }
            return nil
        }
        clock.set(group.starts.addingTimeInterval(55 * 60))
        let (phone, _) = try await server.joined(clinic.alex.token, group)
        let (laptop, _) = try await server.joined(clinic.alex.token, group)
        _ = try await phone.post("Sorry, my bus was late.", to: group.id)
        _ = try await laptop.request(.checkin(room: group.id, mood: 6, craving: 2, safe: true))
        clock.set(group.ends.addingTimeInterval(-60 * 60))
        _ = try await sam.request(.leave(room: group.id))
        clock.set(group.ends)
        phone.close()
        laptop.close()
        _ = try await dana.expect("alex left") { frame -> Bool? in
            if case .presence(let presence) = frame, presence.state == .left, presence.member.id == clinic.alex.0.id { return true }
            return nil
        }

        guard case .attendance(let frame) = try await dana.request(.attendance(room: group.id, week: nil)) else {
            Issue.record("no attendance reply")
            return
        }
        let rows = Dictionary(uniqueKeysWithValues: frame.report.sessions.map { ($0.member.name, $0) })
        #expect(rows.keys.sorted() == ["Alex R.", "Jamie L.", "Sam T."])
        let alexRow = try #require(rows["Alex R."])
        #expect(alexRow.minutes == 145) // minutes 30 to 50 and 55 to 180 of the session: 20 + 125
        #expect(alexRow.late)
        #expect(!alexRow.leftEarly)
        #expect(alexRow.firstJoin == WireTime.local(group.starts.addingTimeInterval(30 * 60), in: group.timeZone))
        #expect(alexRow.lastLeave == WireTime.local(group.ends, in: group.timeZone))
        let samRow = try #require(rows["Sam T."])
        #expect(samRow.minutes == 118)
        #expect(!samRow.late)
        #expect(samRow.leftEarly)
        #expect(try #require(rows["Jamie L."]).noShow)

        guard case .summary(let summaryFrame) = try await dana.request(.summary(room: group.id)) else {
            Issue.record("no summary reply")
            return
        }
        let summary = summaryFrame.summary
        #expect(summary.ended)
        let alexSummary = try #require(summary.people.first { $0.member.id == clinic.alex.0.id })
        #expect(alexSummary.messages == 1)
        #expect(alexSummary.minutes == 145)
        #expect(alexSummary.checkins.map(\.mood) == [6])
        #expect(summary.people.first { $0.member.id == clinic.jamie.0.id }?.noShow == true)
        #expect(summary.people.last?.member.role == .counselor)
    }

    @Test func attendanceOpenWhenTheServerStopsIsClosedAtTheStop() async throws {
        let clock = TestClock()
        let server = try TestServer(clock: clock)
        defer { server.shutdown() }
        let group = server.clinic.group
        clock.set(group.starts.addingTimeInterval(5 * 60))
        _ = try await server.joined(server.clinic.alex.token, group)
        clock.set(group.starts.addingTimeInterval(65 * 60))
        try server.restart()
        let intervals = try AttendanceStore(server.database).intervals(room: group.id, now: group.ends)
        let alex = try #require(intervals[server.clinic.alex.0.id])
        #expect(alex == [PresenceInterval(start: group.starts.addingTimeInterval(5 * 60),
                                          end: group.starts.addingTimeInterval(65 * 60))])
    }
}
