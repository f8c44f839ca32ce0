import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// A multi-family session admits a participant, and that participant's family members, only while the participant
/// has a multi-family group consent in force: everyone in the room has consented to the others' presence.
@Suite struct MultiFamilyConsentTests {
    static let yours = "Taking part in multi-family sessions needs your written multi-family group consent, and none is in force. Ask your counselor."

    /// A multi-family session running now, with Alex and Sam on its roster (Maria and Tom have their family
    /// participation consents from `TestClinic`, so only the multi-family group consent is missing).
    private func multiFamilyRoom(_ server: TestServer, key: String = "multi-family-now") throws -> RoomDescriptor {
        try server.addRoom(key, title: "Multi-family group", kind: .multiFamily,
                           roster: .participants([server.clinic.alex.0.id, server.clinic.sam.0.id]))
    }

    private func missing(_ server: TestServer, _ people: PersonRecord...) -> [MissingConsent] {
        people.map { MissingConsent(member: $0.identity.member, consent: .multiFamily) }
            .sorted { $0.member.name < $1.member.name }
    }

    @Test func withoutTheConsentTheParticipantAndTheirFamilyAreForbiddenByAMessageNamingIt() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try multiFamilyRoom(server)

        // The room is listed (so they know it exists and can ask), but the join is refused.
        let (alex, welcome) = try await server.connect(clinic.alex.token)
        #expect(welcome.rooms.contains { $0.id == room.id })
        let alexRefusal = try #require(try await alex.refusal(.join(room: room.id, afterSeq: nil)))
        #expect(alexRefusal.code == .forbidden)
        #expect(alexRefusal.message == Self.yours)
        #expect(try await alex.refusalCode(.join(room: room.id, afterSeq: 0)) == .forbidden)
        #expect(try await alex.refusalCode(.history(room: room.id, beforeSeq: nil, limit: 10)) == .forbidden)

        let (maria, _) = try await server.connect(clinic.maria.token)
        let mariaRefusal = try #require(try await maria.refusal(.join(room: room.id, afterSeq: nil)))
        #expect(mariaRefusal.code == .forbidden)
        #expect(mariaRefusal.message == "Taking part in multi-family sessions needs Alex R.'s written multi-family group consent, and none is in force. Ask your counselor.")
        #expect(!mariaRefusal.message.contains("legal"))
        // Their other sessions are untouched.
        #expect(try await alex.join(clinic.group.id).room == clinic.group.id)
        #expect(try await maria.join(clinic.family.id).room == clinic.family.id)

        // Staff are never gated, and see who lacks the consent.
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let joined = try await dana.join(room.id)
        #expect(joined.consentMissing == missing(server, clinic.alex.0, clinic.sam.0))
        #expect(joined.members.map(\.id) == [clinic.counselor.0.id])
        // Other rooms carry no such list, and participants never see one.
        #expect(try await dana.join(clinic.group.id).consentMissing == nil)
    }

    @Test func withTheConsentTheParticipantAndTheirFamilyJoinAndReceiveLiveMessages() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try multiFamilyRoom(server)
        let consent = try MultiFamilyConsentStore(server.database).add(participant: clinic.alex.0.id, now: server.clock.now)
        #expect(consent.label == "m\(consent.id!)")

        let (dana, danaJoined) = try await server.joined(clinic.counselor.token, room)
        #expect(danaJoined.consentMissing == missing(server, clinic.sam.0))
        let (alex, _) = try await server.joined(clinic.alex.token, room)
        let (maria, _) = try await server.joined(clinic.maria.token, room)
        #expect(try await alex.join(room.id).consentMissing == nil)

        _ = try await alex.say("alex-to-the-families", in: room.id)
        #expect(try await maria.messages(1).map(\.body) == ["alex-to-the-families"])
        #expect(try await dana.messages(1).map(\.body) == ["alex-to-the-families"])
        _ = try await maria.say("maria-answers", in: room.id)
        #expect(try await alex.messages(2).map(\.body).last == "maria-answers")

        // Sam has given no multi-family group consent: neither Sam nor Sam's family member gets in.
        let (sam, _) = try await server.connect(clinic.sam.token)
        #expect(try await sam.refusal(.join(room: room.id, afterSeq: nil))?.message == Self.yours)
        let (tom, _) = try await server.connect(clinic.tom.token)
        #expect(try await tom.refusal(.join(room: room.id, afterSeq: nil))?.message
                == "Taking part in multi-family sessions needs Sam T.'s written multi-family group consent, and none is in force. Ask your counselor.")

        // Pages: history for someone who joined under the consent.
        guard case .history(let page) = try await maria.request(.history(room: room.id, beforeSeq: nil, limit: 10)) else {
            Issue.record("no history page")
            return
        }
        #expect(page.messages.map(\.body) == ["alex-to-the-families", "maria-answers"])
    }

    @Test func revokingTheConsentRemovesTheParticipantAndFamilyAtOnceAndStopsTheFanOut() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try multiFamilyRoom(server)
        let consents = MultiFamilyConsentStore(server.database)
        let consent = try consents.add(participant: clinic.alex.0.id, now: server.clock.now)
        let (dana, _) = try await server.joined(clinic.counselor.token, room)
        let (alex, _) = try await server.joined(clinic.alex.token, room)
        let (maria, _) = try await server.joined(clinic.maria.token, room)

        #expect(try consents.revoke(id: consent.id!, now: server.clock.now))
        #expect(try consents.revoke(id: consent.id!, now: server.clock.now) == false)
        // Within a second or two, not at the next periodic re-check.
        for connection in [alex, maria] {
            let denied = try await connection.expect("denied", timeout: .seconds(4)) { frame -> ServerFrame.Denied? in
                if case .denied(let denied) = frame { return denied }
                return nil
            }
            #expect(denied.room == room.id)
            #expect(denied.message.contains("multi-family group consent"))
        }
        let update = try await dana.expect("room_state", timeout: .seconds(4)) { frame -> [MissingConsent]? in
            if case .roomState(let state) = frame { return state.consentMissing }
            return nil
        }
        #expect(update == missing(server, clinic.alex.0, clinic.sam.0))

        // No more fan-out to them; no pages; no way back in.
        _ = try await dana.say("after-the-revocation", in: room.id)
        for connection in [alex, maria] {
            while let event = await connection.nextEvent(timeout: .milliseconds(500)) {
                if case .frame(.message(let message)) = event { Issue.record("a message reached someone without consent: seq \(message.seq)") }
            }
            #expect(try await connection.refusalCode(.history(room: room.id, beforeSeq: nil, limit: 10)) == .forbidden)
            #expect(try await connection.refusalCode(.send(room: room.id, body: "x", clientID: "c1")) == .forbidden)
            #expect(try await connection.refusalCode(.join(room: room.id, afterSeq: 0)) == .forbidden)
        }
        // They stay connected for their other sessions.
        #expect(try await alex.join(clinic.group.id).room == clinic.group.id)
    }

    @Test func addingTheConsentTellsStaffAndLetsThemIn() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try multiFamilyRoom(server)
        let (dana, joined) = try await server.joined(clinic.counselor.token, room)
        #expect(joined.consentMissing?.count == 2)
        let (sam, _) = try await server.connect(clinic.sam.token)
        #expect(try await sam.refusalCode(.join(room: room.id, afterSeq: nil)) == .forbidden)

        try MultiFamilyConsentStore(server.database).add(participant: clinic.sam.0.id, series: room.series,
                                                        now: server.clock.now)
        let update = try await dana.expect("room_state", timeout: .seconds(4)) { frame -> [MissingConsent]? in
            if case .roomState(let state) = frame { return state.consentMissing }
            return nil
        }
        #expect(update == missing(server, clinic.alex.0))
        #expect(try await sam.join(room.id).room == room.id)
        #expect(try await server.joined(clinic.tom.token, room).1.room == room.id)
    }

    @Test func aConsentForOneSeriesOrAnExpiredOneDoesNotOpenAnother() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try multiFamilyRoom(server)
        let other = try multiFamilyRoom(server, key: "graduation-now")
        let consents = MultiFamilyConsentStore(server.database)
        try consents.add(participant: clinic.alex.0.id, series: room.series, now: server.clock.now)
        let yesterday = LocalDate(server.clock.now.addingTimeInterval(-86400), in: TestClinic.zone)
        try consents.add(participant: clinic.sam.0.id, expiresOn: yesterday, now: server.clock.now)

        let (alex, _) = try await server.connect(clinic.alex.token)
        #expect(try await alex.join(room.id).room == room.id)
        #expect(try await alex.refusal(.join(room: other.id, afterSeq: nil))?.message
                == "Your multi-family group consent does not cover this session. Ask your counselor.")
        let (maria, _) = try await server.connect(clinic.maria.token)
        #expect(try await maria.refusal(.join(room: other.id, afterSeq: nil))?.message
                == "Alex R.'s multi-family group consent does not cover this session. Ask your counselor.")
        let (sam, _) = try await server.connect(clinic.sam.token)
        #expect(try await sam.refusal(.join(room: room.id, afterSeq: nil))?.message == Self.yours)
    }

    @Test func anInvitationToAMultiFamilySessionNeedsTheConsent() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try multiFamilyRoom(server)
        let (dana, _) = try await server.connect(clinic.counselor.token)
        guard case .error(let error) = try await dana.request(.invite(room: room.id, member: clinic.maria.0.id)) else {
            Issue.record("an invitation without the multi-family group consent")
            return
        }
        #expect(error.code == .forbidden)
        #expect(error.message.contains("Alex R. has no multi-family group consent"))
        let consent = try MultiFamilyConsentStore(server.database).add(participant: clinic.alex.0.id, now: server.clock.now)
        let invitation = try await dana.invite(clinic.maria.0.id, to: room.id)
        // The consent is revoked before Maria uses the link: she is refused, naming the consent, and the
        // single-use invitation is not spent, so it works once the consent is given again.
        #expect(try MultiFamilyConsentStore(server.database).revoke(id: consent.id!, now: server.clock.now))
        let early = try await server.client.connect(server.url)
        await #expect(throws: HearthClientError.refused(.unauthorized,
            "Taking part in multi-family sessions needs Alex R.'s written multi-family group consent, and none is in force. Ask your counselor.")) {
            _ = try await early.hello(token: invitation.token)
        }
        try MultiFamilyConsentStore(server.database).add(participant: clinic.alex.0.id, now: server.clock.now)
        let later = try await server.client.connect(server.url)
        let welcome = try await later.hello(token: invitation.token)
        #expect(welcome.sessionToken != nil)
        #expect(try await later.join(room.id).room == room.id)
    }

    @Test func transcriptsAndReportsCarryOnlyThoseWhoTookPartUnderTheConsent() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let room = try multiFamilyRoom(server)
        try MultiFamilyConsentStore(server.database).add(participant: clinic.alex.0.id, now: server.clock.now)
        let (dana, _) = try await server.joined(clinic.counselor.token, room)
        let (alex, _) = try await server.joined(clinic.alex.token, room)
        let (maria, _) = try await server.joined(clinic.maria.token, room)
        _ = try await alex.say("alex-shares", in: room.id)
        _ = try await maria.say("maria-shares", in: room.id)
        let (tom, _) = try await server.connect(clinic.tom.token)
        #expect(try await tom.refusalCode(.join(room: room.id, afterSeq: nil)) == .forbidden)
        #expect(try await tom.refusalCode(.send(room: room.id, body: "tom-tries", clientID: "t1")) == .forbidden)

        guard case .transcript(let export) = try await dana.request(.transcript(room: room.id, recipient: clinic.counselor.0.id.rawValue,
                                                                                 purpose: "treatment planning", json: false)) else {
            Issue.record("no transcript")
            return
        }
        #expect(export.content.contains("Alex R.") && export.content.contains("alex-shares"))
        #expect(export.content.contains("Maria R.") && export.content.contains("maria-shares"))
        #expect(!export.content.contains("Tom T.") && !export.content.contains("tom-tries"))
        #expect(!export.content.contains("Sam T."))

        guard case .summary(let summary) = try await dana.request(.summary(room: room.id)) else {
            Issue.record("no summary")
            return
        }
        let people = Dictionary(uniqueKeysWithValues: summary.summary.people.map { ($0.member.id, $0) })
        #expect(people[clinic.alex.0.id]?.messages == 1)
        #expect(people[clinic.maria.0.id]?.messages == 1)
        #expect(people[clinic.tom.0.id] == nil)
        // Sam is on the roster and was kept out: never present, and said nothing.
        #expect(people[clinic.sam.0.id]?.firstJoin == nil)
        #expect(people[clinic.sam.0.id]?.minutes == 0)
        #expect(people[clinic.sam.0.id]?.messages == 0)

        guard case .attendance(let attendance) = try await dana.request(.attendance(room: room.id, week: nil)) else {
            Issue.record("no attendance")
            return
        }
        #expect(!attendance.report.sessions.contains { $0.member.id == clinic.tom.0.id })
        #expect(attendance.report.sessions.contains { $0.member.id == clinic.maria.0.id && $0.minutes >= 0 })
    }
}
