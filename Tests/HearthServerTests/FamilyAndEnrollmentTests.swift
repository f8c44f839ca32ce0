import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// Family members take part on the participant's consent, and by single-use invitations; a participant's access
/// ends with their enrollment.
@Suite struct FamilyAndEnrollmentTests {
    @Test func revokingTheConsentClosesTheFamilyMembersAccessAtOnce() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let consents = ConsentStore(server.database)
        let (maria, _) = try await server.joined(server.clinic.maria.token, server.clinic.family)
        let consent = try #require(try consents.list(participant: server.clinic.alex.0.id).first)
        try consents.revoke(id: consent.id!)
        // The server notices the change within a second or two, not at the next periodic re-check.
        let closed = try await maria.closed(timeout: .seconds(4))
        #expect(closed.code == 4001)

        do {
            _ = try await server.connect(server.clinic.maria.token)
            Issue.record("a family member without consent was let in")
        } catch HearthClientError.refused(let code, let message) {
            #expect(code == .unauthorized)
            #expect(message.contains("consent"))
        }
    }

    @Test func aConsentForOneSeriesDoesNotOpenTheParticipantsOtherFamilySessions() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let consents = ConsentStore(server.database)
        for consent in try consents.list(participant: server.clinic.alex.0.id) { try consents.revoke(id: consent.id!) }
        let other = try server.addRoom("family-alex-2", kind: .family, roster: .family(server.clinic.alex.0.id))
        try consents.add(participant: server.clinic.alex.0.id, family: server.clinic.maria.0.id, series: other.series,
                         now: server.clock.now)
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        #expect(try await maria.join(other.id).room == other.id)
        #expect(try await maria.refusalCode(.join(room: server.clinic.family.id, afterSeq: nil)) == .forbidden)
    }

    @Test func anExpiredConsentIsNoConsent() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let consents = ConsentStore(server.database)
        for consent in try consents.list(participant: server.clinic.sam.0.id) { try consents.revoke(id: consent.id!) }
        let yesterday = LocalDate(server.clock.now.addingTimeInterval(-86400), in: .current)
        try consents.add(participant: server.clinic.sam.0.id, family: server.clinic.tom.0.id, expiresOn: yesterday,
                         now: server.clock.now)
        await #expect(throws: HearthClientError.self) { _ = try await server.connect(server.clinic.tom.token) }
    }

    @Test func aSingleUseInvitationAdmitsToOneSessionAndCannotBeUsedTwice() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let invitation = try await dana.invite(clinic.maria.0.id, to: clinic.family.id)
        #expect(invitation.member == clinic.maria.0.identity.member)
        #expect(invitation.token.hasPrefix("hth_"))
        #expect(WireTime.parse(invitation.expires) == clinic.family.closes)

        let (maria, welcome) = try await server.connect(invitation.token)
        #expect(welcome.user.id == clinic.maria.0.id)
        #expect(welcome.rooms.map(\.id) == [clinic.family.id])
        let sessionToken = try #require(welcome.sessionToken)
        #expect(try await maria.join(clinic.family.id).room == clinic.family.id)

        do {
            _ = try await server.connect(invitation.token)
            Issue.record("an invitation worked twice")
        } catch HearthClientError.refused(let code, let message) {
            #expect(code == .unauthorized)
            #expect(message.contains("already been used"))
        }
        // The token given in exchange reconnects, to that session only.
        let (back, again) = try await server.connect(sessionToken)
        #expect(again.sessionToken == nil)
        #expect(try await back.join(clinic.family.id).room == clinic.family.id)
        let otherFamily = try server.addRoom("family-alex-2", kind: .family, roster: .family(clinic.alex.0.id))
        #expect(try await back.refusalCode(.join(room: otherFamily.id, afterSeq: nil)) == .forbidden)

        // Once the session is over, neither token works.
        server.clock.set(clinic.family.closes.addingTimeInterval(1))
        await #expect(throws: HearthClientError.self) { _ = try await server.connect(sessionToken) }
    }

    @Test func invitationsAreForFamilyMembersOfTheRosterAndOnlyFromStaff() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (dana, _) = try await server.connect(clinic.counselor.token)
        #expect(try await dana.refusalCode(.invite(room: clinic.family.id, member: clinic.tom.0.id)) == .forbidden)
        #expect(try await dana.refusalCode(.invite(room: clinic.group.id, member: clinic.maria.0.id)) == .badRequest)
        #expect(try await dana.refusalCode(.invite(room: clinic.family.id, member: clinic.sam.0.id)) == .notFound)
        let (alex, _) = try await server.connect(clinic.alex.token)
        #expect(try await alex.refusalCode(.invite(room: clinic.family.id, member: clinic.maria.0.id)) == .forbidden)
        // No invitation without the participant's consent.
        let consents = ConsentStore(server.database)
        for consent in try consents.list(participant: clinic.alex.0.id) { try consents.revoke(id: consent.id!) }
        #expect(try await dana.refusalCode(.invite(room: clinic.family.id, member: clinic.maria.0.id)) == .forbidden)
    }

    @Test func aDischargedParticipantIsDisconnectedAndCannotComeBack() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let programs = ProgramStore(server.database)
        try server.importPrograms(enroll: [clinic.alex.0.id, clinic.sam.0.id])
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let (maria, _) = try await server.joined(clinic.maria.token, clinic.family)

        try programs.end(person: clinic.alex.0.id, program: "iop", reason: .discharged, now: server.clock.now)
        #expect(try await alex.closed(timeout: .seconds(4)).code == 4001)
        // Alex's family sessions end with Alex's program.
        #expect(try await maria.closed(timeout: .seconds(4)).code == 4001)
        do {
            _ = try await server.connect(clinic.alex.token)
            Issue.record("a discharged participant was let in")
        } catch HearthClientError.refused(let code, let message) {
            #expect(code == .unauthorized)
            #expect(message.contains("program has ended"))
        }
        // Sam is still enrolled.
        #expect(try await server.joined(clinic.sam.token, clinic.group).1.room == clinic.group.id)
    }

    @Test func aMidProgramJoinerSeesOnlyTheCohortSessionsFromTheirStart() async throws {
        // At noon in the clinic's zone, so the session 23 hours ago is on the day before whatever the hour of the run.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TestClinic.zone
        let noon = calendar.date(bySettingHour: 12, minute: 0, second: 0, of: Date())!
        let server = try TestServer(clock: TestClock(noon))
        defer { server.shutdown() }
        let clinic = server.clinic
        let today = LocalDate(server.clock.now, in: TestClinic.zone)
        try server.importPrograms(enroll: [clinic.alex.0.id], late: clinic.jamie.0.id, lateStart: today)
        let yesterday = try server.addRoom("cohort-yesterday", kind: .group, roster: .cohort("cohort"),
                                           startedMinutesAgo: 24 * 60 - 60, minutes: 120)
        let now = try server.addRoom("cohort-now", kind: .group, roster: .cohort("cohort"))
        #expect(now.roster == [clinic.alex.0.id, clinic.jamie.0.id])
        #expect(yesterday.roster == [clinic.alex.0.id])
        let (_, welcome) = try await server.connect(clinic.jamie.token)
        #expect(welcome.rooms.contains { $0.id == now.id })
        #expect(!welcome.rooms.contains { $0.id == yesterday.id })
        let (jamie, _) = try await server.connect(clinic.jamie.token)
        #expect(try await jamie.refusalCode(.join(room: yesterday.id, afterSeq: nil)) == .forbidden)
        #expect(try await jamie.join(now.id).room == now.id)
    }
}

extension TestServer {
    /// A program "iop" (9 h a week) with a cohort "cohort": `enroll` started four weeks ago; `late` starts on
    /// `lateStart`.
    func importPrograms(enroll: [PersonID], late: PersonID? = nil, lateStart: LocalDate? = nil) throws {
        let today = LocalDate(clock.now, in: TestClinic.zone)
        var enrollments = enroll.map {
            ProgramStore.EnrollmentInput(person: $0, program: "iop", cohort: "cohort", start: today.adding(days: -28),
                                         end: today.adding(days: 56))
        }
        if let late, let lateStart {
            enrollments.append(.init(person: late, program: "iop", cohort: "cohort", start: lateStart,
                                     end: lateStart.adding(days: 84)))
        }
        _ = try ScheduleStore(database).importClinic(
            programs: [ProgramRecord(key: "iop", title: "Evening IOP", weeks: 12, requiredMinutesPerWeek: 540)],
            cohorts: [CohortRecord(key: "cohort", programKey: "iop", title: "Cohort A")],
            enrollments: enrollments, series: [], timeZone: TestClinic.zone, now: clock.now)
    }
}
