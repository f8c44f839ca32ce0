import Foundation
import GRDB
import HearthClient
import HearthCore
import HearthStore
import Testing

/// No flood of crisis signals can drown a crisis: open alerts coalesce per person, room and category (a count and
/// the latest time instead of new rows, frames and escalations), the replay after a staff `welcome` is bounded, and
/// `alert_ack` acknowledges many alerts at once.
@Suite struct AlertCoalescingTests {
    @Test func aCheckinFloodLeavesOneOpenAlertAndStaffGetABoundedNumberOfFrames() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, group = clinic.group.id
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)

        // 2,000 "not safe" check-ins as fast as the socket takes them; each is answered (ok, or refused by a limit).
        let flood = 2_000
        let started = ContinuousClock.now
        for _ in 0..<flood { alex.send(ClientRequest(.checkin(room: group, mood: nil, craving: nil, safe: false))) }
        var accepted = 0, answered = 0
        while answered < flood {
            switch try await alex.next(timeout: .seconds(60)) {
            case .ok: accepted += 1; answered += 1
            case .error: answered += 1
            default: break
            }
        }
        #expect(accepted > 0)

        // Dana's frames: one alert, updated until it stands for every accepted check-in.
        var frames: [Alert] = []
        while frames.last?.signals != accepted {
            frames.append(try await dana.alertFrame(timeout: .seconds(60)))
        }
        let elapsed = ContinuousClock.now - started
        #expect(Set(frames.map(\.id)).count == 1)
        #expect(frames[0].count == nil && frames[0].latest == nil)
        let last = try #require(frames.last)
        #expect(last.category == .notSafe && last.severity == .high && last.latest != nil)
        // At most one frame a second (plus the first), never one per check-in.
        let seconds = Int(elapsed.components.seconds) + 1
        #expect(frames.count <= seconds + 2, "\(frames.count) frames in \(elapsed)")
        #expect(try await dana.openAlerts() == [last])
        // Stored once, audited once: the repeats made no rows.
        #expect(try await server.auditRows(room: group, actions: [.alertRaise]).count == 1)
        let rows = try await server.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alert") }
        #expect(rows == 1)

        // An admin who signs in afterwards stays connected and is shown the one alert with its count.
        let (jordan, _) = try await server.connect(clinic.admin.token)
        let replayed = try await jordan.alertFrame()
        #expect(replayed == last)
        #expect(try await jordan.openAlerts() == [last])
        #expect(await jordan.quiet() == nil)
    }

    @Test func aRepeatWhileOpenUpdatesTheAlertAndARepeatAfterAcknowledgementOpensANewOne() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, group = clinic.group.id
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let notSafe = ClientCommand.checkin(room: group, mood: 2, craving: nil, safe: false)

        #expect(try await alex.refusalCode(notSafe) == nil)
        let first = try await dana.alertFrame()
        #expect(first.count == nil)
        #expect(try await alex.refusalCode(notSafe) == nil)
        let repeated = try await dana.alertFrame(signals: 2)
        #expect(repeated.id == first.id && repeated.ts == first.ts && repeated.latest != nil)
        // Another cause in the same room is another alert.
        let flagged = try await alex.say(CrisisSafetyTests.crisis, in: group)
        let crisis = try await dana.expect("crisis alert") { frame -> Alert? in
            if case .alert(let frame) = frame, frame.alert.category == .crisis(.suicide) { return frame.alert }
            return nil
        }
        #expect(crisis.id != first.id && crisis.seq == flagged.seq && crisis.count == nil)
        let again = try await alex.say(CrisisSafetyTests.crisis + " again", in: group)
        let crisisRepeated = try await dana.alertFrame(signals: 2)
        #expect(crisisRepeated.id == crisis.id && crisisRepeated.seq == flagged.seq && crisisRepeated.latestSeq == again.seq)

        #expect(try await dana.refusalCode(.alertAck(alert: first.id, outcome: "Called Alex.")) == nil)
        #expect(try await alex.refusalCode(notSafe) == nil)
        let reopened = try await dana.expect("a new alert") { frame -> Alert? in
            if case .alert(let frame) = frame, frame.alert.id != first.id, frame.alert.id != crisis.id { return frame.alert }
            return nil
        }
        #expect(reopened.count == nil && reopened.category == .notSafe && reopened.acknowledgedBy == nil)
        #expect(try await dana.openAlerts().map(\.id) == [crisis.id, reopened.id])
    }

    @Test func bulkAcknowledgementAcknowledgesEveryListedAlertOrNoneWhenOneIsUnknown() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let (jordan, _) = try await server.connect(clinic.admin.token)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        _ = try await alex.join(clinic.family.id)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        #expect(try await alex.refusalCode(.checkin(room: clinic.group.id, mood: 1, craving: nil, safe: false)) == nil)
        #expect(try await sam.refusalCode(.checkin(room: clinic.group.id, mood: 1, craving: nil, safe: false)) == nil)
        #expect(try await alex.refusalCode(.checkin(room: clinic.family.id, mood: 1, craving: nil, safe: false)) == nil)
        let ids = [try await jordan.alertFrame().id, try await jordan.alertFrame().id, try await jordan.alertFrame().id]
        #expect(Set(ids).count == 3)
        #expect(try await dana.openAlerts().count == 3)

        // One unknown id: refused, naming it, and nothing acknowledged.
        guard case .error(let refusal) = try await dana.request(.alertAckMany(alerts: [ids[0], 999_998, 999_999],
                                                                              outcome: nil)) else {
            Issue.record("a bulk acknowledgement with an unknown id was accepted")
            return
        }
        #expect(refusal.code == .notFound && refusal.message == "There is no alert 999998.")
        #expect(try await dana.openAlerts().count == 3)

        #expect(try await dana.refusalCode(.alertAckMany(alerts: ids, outcome: "Group debrief; all safe.")) == nil)
        var acknowledged: [Int64: Alert] = [:]
        while acknowledged.count < 3 {
            let alert = try await jordan.alertFrame()
            if alert.acknowledgedBy != nil { acknowledged[alert.id] = alert }
        }
        #expect(Set(acknowledged.keys) == Set(ids))
        #expect(acknowledged.values.allSatisfy { $0.outcome == "Group debrief; all safe." && $0.acknowledgedBy?.name == "Dana M." })
        #expect(try await dana.openAlerts() == [])
        #expect(try await server.auditRows(actions: [.alertAck], atLeast: 3).count == 3)
        // Acknowledging again (an id twice, too) is answered ok and changes nothing.
        #expect(try await jordan.refusalCode(.alertAckMany(alerts: [ids[1], ids[1]], outcome: "again")) == nil)
        let unchanged = try await jordan.alertFrame()
        #expect(unchanged.acknowledgedBy?.name == "Dana M." && unchanged.outcome == "Group debrief; all safe.")
        // The single form still works, and refuses an unknown id the same way.
        #expect(try await dana.refusalCode(.alertAck(alert: 999_999, outcome: nil)) == .notFound)
    }

    @Test func aCoalescedAlertSurvivesARestartWithItsCount() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, group = clinic.group.id
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let notSafe = ClientCommand.checkin(room: group, mood: 2, craving: nil, safe: false)
        for _ in 0..<3 { #expect(try await alex.refusalCode(notSafe) == nil) }
        let coalesced = try await dana.alertFrame(signals: 3)

        try server.restart()
        let (again, _) = try await server.connect(clinic.counselor.token)
        #expect(try await again.alertFrame() == coalesced)
        #expect(try await again.openAlerts() == [coalesced])
        // A repeat after the restart still updates the stored alert.
        let (alexAgain, _) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(try await alexAgain.refusalCode(notSafe) == nil)
        let updated = try await again.alertFrame(signals: 4)
        #expect(updated.id == coalesced.id && updated.ts == coalesced.ts)
    }

    @Test func theReplayAfterWelcomeIsBoundedAndSaysHowManyMoreAreOpen() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        // A database from before coalescing: 120 open alerts of one person, room and category, one a minute.
        let total = 120, start = server.clock.now.addingTimeInterval(-Double(total) * 60)
        try await server.database.pool.write { db in
            for index in 0..<total {
                try db.execute(sql: """
                    INSERT INTO alert (roomId, personId, category, severity, raisedAt) VALUES (?, ?, 'not_safe', 'high', ?)
                    """, arguments: [clinic.group.id, clinic.alex.0.id,
                                     start.addingTimeInterval(Double(index) * 60).epochMilliseconds])
            }
        }
        let (dana, _) = try await server.connect(clinic.counselor.token)
        var replayed: [Alert] = []
        let backlog = try await dana.expect("alert backlog", timeout: .seconds(10)) { frame -> ServerFrame.AlertBacklog? in
            if case .alert(let frame) = frame { replayed.append(frame.alert) }
            if case .alertBacklog(let backlog) = frame { return backlog }
            return nil
        }
        let limit = 50
        #expect(replayed.count == limit)
        #expect(backlog.replayed == limit && backlog.more == total - limit)
        let all = try await dana.openAlerts()
        #expect(all.count == total)
        // The newest, oldest first; the backlog names when the oldest left out was raised.
        #expect(replayed == Array(all.suffix(limit)))
        #expect(backlog.oldest == all[0].ts)
        #expect(await dana.quiet() == nil)
    }
}

extension HearthConnection {
    /// Waits for an `alert` frame of an alert standing for this many signals.
    fileprivate func alertFrame(signals: Int) async throws -> Alert {
        try await expect("alert ×\(signals)") { frame in
            if case .alert(let alert) = frame, alert.alert.signals == signals { return alert.alert }
            return nil
        }
    }
}
