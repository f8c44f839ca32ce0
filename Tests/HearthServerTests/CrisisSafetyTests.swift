import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// A message that matches a crisis signal: resources to the sender at once, an alert to every counselor wherever
/// they are until one acknowledges it, escalation when no one does, and holding for review when the clinic asks.
@Suite struct CrisisSafetyTests {
    static let crisis = "honestly i want to kill myself tonight"

    @Test func aFlaggedMessageAlertsStaffInTheRoomElsewhereAndLater() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        // An admin connected elsewhere, watching the room list.
        let (jordan, _) = try await server.connect(clinic.admin.token)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)

        let ack = try await alex.say(Self.crisis, in: room)
        let support = try await alex.expect("support") { frame -> ServerFrame.Support? in
            if case .support(let support) = frame { return support }
            return nil
        }
        #expect(support.text.contains("988") && support.text.contains("911"))
        for staff in [dana, jordan] {
            let alert = try await staff.alertFrame()
            #expect(alert.room == room && alert.seq == ack.seq && alert.member.id == clinic.alex.0.id)
            #expect(alert.severity == .high && alert.category == .crisis(.suicide))
        }
        // Peers see the message (no hold by default), never the alert or the resources.
        let peerFrames = await sam.drain()
        #expect(peerFrames.contains { if case .message(let m) = $0 { m.seq == ack.seq } else { false } })
        #expect(!peerFrames.contains { $0.type == "alert" || $0.type == "support" })
        // An ordinary message raises nothing.
        try await sam.say("I'm glad you said it, Alex.", in: room)
        #expect(await dana.drain().allSatisfy { $0.type != "alert" })

        let (late, _) = try await server.connect(clinic.counselor.token)
        let replayed = try await late.alertFrame()
        #expect(replayed.seq == ack.seq)
        #expect(try await late.refusalCode(.alertAck(alert: replayed.id, outcome: "Spoke with Alex; safety plan in place.")) == nil)
        let acknowledged = try await jordan.expect("acknowledged") { frame -> Alert? in
            if case .alert(let frame) = frame, frame.alert.acknowledgedBy != nil { return frame.alert }
            return nil
        }
        #expect(acknowledged.outcome == "Spoke with Alex; safety plan in place.")
        let rows = try await server.auditRows(room: room, actions: [.alertRaise, .alertAck], atLeast: 2)
        #expect(rows.map(\.action) == ["alert_raise", "alert_ack"])
        #expect(!rows.contains { ($0.detail ?? "").contains("kill") })
        // Logs never hold the message text.
        #expect(!server.logs.text.contains("kill myself"))
    }

    @Test func anAlertNoOneAcknowledgesIsEscalatedToAllStaff() async throws {
        let server = try TestServer { $0.alertEscalationSeconds = 5 }
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (jordan, _) = try await server.connect(clinic.admin.token)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        try await alex.say(Self.crisis, in: room)
        let first = try await jordan.alertFrame()
        #expect(first.escalated == nil)
        server.clock.advance(6)
        let escalated = try await jordan.escalatedAlert()
        #expect(escalated.id == first.id)
        #expect(try await server.auditRows(room: room, actions: [.alertEscalate]).count == 1)
        // Escalated once only.
        server.clock.advance(60)
        #expect(await jordan.drain(for: .milliseconds(1500)).allSatisfy { $0.type != "alert" })
    }

    @Test func aHighSeverityMessageIsHeldUntilACounselorReleasesIt() async throws {
        let server = try TestServer { $0.holdHighSeverity = true }
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        _ = await dana.drain()

        let ack = try await alex.say(Self.crisis, in: room)
        let own = try await alex.message()
        #expect(own.seq == ack.seq && own.held == true)
        let staffCopy = try await dana.message()
        #expect(staffCopy.held == true && staffCopy.body == Self.crisis)
        #expect(await sam.drain().allSatisfy { $0.type != "message" })
        let (_, peerView) = try await server.joined(clinic.jamie.token, clinic.group)
        #expect(!peerView.messages.contains { $0.seq == ack.seq })

        #expect(try await dana.moderate(room, .release(seq: ack.seq)) == nil)
        let released = try await sam.message()
        #expect(released.seq == ack.seq && released.held == nil && released.body == Self.crisis)
        #expect(try await alex.moderation(.release).seq == ack.seq)
        #expect(try await server.auditRows(room: room, actions: [.release]).count == 1)
    }

    @Test func reviewModeHoldsEveryParticipantMessage() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        #expect(try await dana.moderate(room, .review(on: true)) == nil)
        #expect(try await sam.moderation(.review).on == true)
        let held = try await alex.say("Can we talk about the weekend?", in: room)
        #expect(try await alex.message().held == true)
        #expect(await sam.drain().allSatisfy { $0.type != "message" })
        // Staff messages are never held.
        try await dana.say("One moment, Alex.", in: room)
        #expect(try await sam.message().held == nil)
        #expect(try await dana.moderate(room, .release(seq: held.seq)) == nil)
        #expect(try await sam.message().seq == held.seq)
        #expect(try await dana.moderate(room, .review(on: false)) == nil)
        try await alex.say("Thanks.", in: room)
        #expect(try await sam.message().held == nil)
    }

    @Test func reportsGoToStaffAsAQueueNeverToPeers() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        let offending = try await alex.say("you people are pathetic", in: room)
        #expect(try await sam.refusalCode(.report(room: room, seq: offending.seq, reason: "It felt like an attack.")) == nil)
        let report = try await dana.expect("report") { frame -> ServerFrame.Report? in
            if case .report(let report) = frame { return report }
            return nil
        }
        #expect(report.seq == offending.seq && report.by.id == clinic.sam.0.id && report.reason == "It felt like an attack.")
        #expect(await alex.drain().allSatisfy { $0.type != "report" })
        #expect(try await sam.refusalCode(.report(room: room, seq: 999, reason: "?")) == .notFound)

        let (_, staffView) = try await server.joined(clinic.admin.token, clinic.group)
        #expect(staffView.reports?.map(\.id) == [report.id])
        #expect(try await dana.refusalCode(.reportAck(report: report.id, outcome: "Talked with both after group.")) == nil)
        let (_, after) = try await server.joined(clinic.admin.token, clinic.group)
        #expect(after.reports == [])
        #expect(try await server.auditRows(room: room, actions: [.reportFile, .reportResolve], atLeast: 2).count == 2)
    }
}
