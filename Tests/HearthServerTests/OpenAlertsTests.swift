import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// The `alerts` request: a counselor asks for every alert no one has acknowledged yet and gets all of them, of the
/// rooms they may access, in one reply (escalated ones included, acknowledged ones gone, a restart changing nothing).
@Suite struct OpenAlertsTests {
    /// Dana (a counselor) connected; Alex's not-safe check-in raises an alert left to escalate (`server` escalates
    /// after 5 s; the clock moves 6), then Sam's raises a recent one. Returns Dana's connection and both alerts.
    private func escalatedAndRecentAlerts(_ server: TestServer) async throws
        -> (dana: HearthConnection, escalated: Alert, recent: Alert) {
        let clinic = server.clinic, group = clinic.group.id
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(try await alex.refusalCode(.checkin(room: group, mood: 1, craving: nil, safe: false)) == nil)
        _ = try await dana.alertFrame()
        server.clock.advance(6)
        let escalated = try await dana.escalatedAlert()
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        #expect(try await sam.refusalCode(.checkin(room: group, mood: 4, craving: nil, safe: false)) == nil)
        return (dana, escalated, try await dana.alertFrame())
    }

    @Test func aCounselorListsTheOpenAlertsOfHerRoomsButNotOfAnIndividualSessionSheDoesNotLead() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, group = clinic.group.id
        // Alex's individual session, led by Jordan: Dana may not access it.
        let individual = try server.addRoom("individual-alex", title: "Individual: Alex R.", kind: .individual,
                                            roster: .participant(clinic.alex.0.id), facilitators: [clinic.admin.0.id])
        // Neither has joined a room: the list covers the rooms they may access, wherever they are.
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let (jordan, _) = try await server.connect(clinic.admin.token)
        #expect(try await dana.openAlerts() == [])

        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(try await alex.refusalCode(.checkin(room: group, mood: 2, craving: 9, safe: false)) == nil)
        let notSafe = try await dana.alertFrame()
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        let flagged = try await sam.say(CrisisSafetyTests.crisis, in: group)
        let crisis = try await dana.alertFrame()
        _ = try await alex.join(individual.id)
        #expect(try await alex.refusalCode(.checkin(room: individual.id, mood: 3, craving: nil, safe: false)) == nil)
        let seenByJordan = [try await jordan.alertFrame(), try await jordan.alertFrame(), try await jordan.alertFrame()]
        let individualAlert = seenByJordan[2]
        #expect(seenByJordan == [notSafe, crisis, individualAlert])
        #expect(individualAlert.room == individual.id && individualAlert.category == .notSafe)

        // Each listed alert is exactly what the alert frame carried, oldest first.
        #expect(try await dana.openAlerts() == [notSafe, crisis])
        #expect(crisis.seq == flagged.seq && crisis.category == .crisis(.suicide) && crisis.member.id == clinic.sam.0.id)
        #expect(try await jordan.openAlerts() == [notSafe, crisis, individualAlert])
        // Limited to one room.
        #expect(try await dana.openAlerts(room: group) == [notSafe, crisis])
        #expect(try await jordan.openAlerts(room: individual.id) == [individualAlert])
        #expect(try await jordan.openAlerts(room: clinic.family.id) == [])
        #expect(try await dana.refusalCode(.alerts(room: individual.id)) == .forbidden)
        #expect(try await dana.refusalCode(.alerts(room: RoomID("r_doesnotexist"))) == .notFound)
    }

    @Test func onlyStaffWhoMayOpenTheRoomAcknowledgeItsAlert() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        // Alex's individual session, led by Jordan (an admin): Dana, a counselor, may not open it.
        let individual = try server.addRoom("individual-alex", title: "Individual: Alex R.", kind: .individual,
                                            roster: .participant(clinic.alex.0.id), facilitators: [clinic.admin.0.id])
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let (jordan, _) = try await server.connect(clinic.admin.token)
        let (alex, _) = try await server.joined(clinic.alex.token, individual)
        #expect(try await alex.refusalCode(.checkin(room: individual.id, mood: 2, craving: nil, safe: false)) == nil)
        let alert = try await jordan.alertFrame()
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        #expect(try await sam.refusalCode(.checkin(room: clinic.group.id, mood: 2, craving: nil, safe: false)) == nil)
        let groupAlert = try await dana.alertFrame()
        // Dana is refused, alone or in a list with an alert of her own; nothing is acknowledged.
        #expect(try await dana.refusalCode(.alertAck(alert: alert.id, outcome: "seen")) == .forbidden)
        #expect(try await dana.refusalCode(.alertAckMany(alerts: [groupAlert.id, alert.id], outcome: nil)) == .forbidden)
        #expect(try await jordan.openAlerts().map(\.id) == [alert.id, groupAlert.id])
        // Jordan, who leads the session, may.
        #expect(try await jordan.refusalCode(.alertAck(alert: alert.id, outcome: "Called Alex")) == nil)
        #expect(try await dana.refusalCode(.alertAck(alert: groupAlert.id, outcome: nil)) == nil)
        #expect(try await jordan.openAlerts() == [])
    }

    @Test func anAcknowledgedAlertLeavesTheListAndAnEscalatedOneStaysUntilAcknowledged() async throws {
        let server = try TestServer { $0.alertEscalationSeconds = 5 }
        defer { server.shutdown() }
        let (dana, escalated, recent) = try await escalatedAndRecentAlerts(server)

        #expect(try await dana.openAlerts() == [escalated, recent])
        #expect(escalated.escalated == true && escalated.acknowledgedBy == nil)

        #expect(try await dana.refusalCode(.alertAck(alert: recent.id, outcome: "Talked with Sam; safe at home.")) == nil)
        #expect(try await dana.openAlerts() == [escalated])
        #expect(try await dana.refusalCode(.alertAck(alert: escalated.id, outcome: "Called Alex; safety plan reviewed.")) == nil)
        #expect(try await dana.openAlerts() == [])
    }

    @Test func aParticipantOrFamilyMemberAskingForAlertsIsRefusedAndRecorded() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        // An alert is open, about Alex himself: still not his to list.
        #expect(try await alex.refusalCode(.checkin(room: clinic.group.id, mood: 2, craving: nil, safe: false)) == nil)
        guard case .error(let refusal) = try await alex.request(.alerts(room: nil)) else {
            Issue.record("a participant got the alerts")
            return
        }
        #expect(refusal.code == .forbidden && refusal.message == "Only counselors can do that.")
        let (maria, _) = try await server.joined(clinic.maria.token, clinic.family)
        #expect(try await maria.refusalCode(.alerts(room: clinic.family.id)) == .forbidden)

        let refused = try await server.auditRows(actions: [.refused], atLeast: 2).filter { $0.detail == "alerts" }
        #expect(refused.map(\.actor) == [clinic.alex.0.id, clinic.maria.0.id])
        #expect(refused.map(\.room) == [nil, clinic.family.id])
    }

    @Test func theListIsCompleteAfterARestart() async throws {
        let server = try TestServer { $0.alertEscalationSeconds = 5 }
        defer { server.shutdown() }
        let (dana, escalated, recent) = try await escalatedAndRecentAlerts(server)

        try server.restart()
        // The escalated alert is no longer watched for escalation, yet it is listed: the list comes from the store.
        let (again, _) = try await server.connect(server.clinic.counselor.token)
        #expect(try await again.openAlerts() == [escalated, recent])
    }
}
