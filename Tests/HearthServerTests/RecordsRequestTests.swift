import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// Counseling notes, transcript exports and break-glass access over the wire; reads audited; members told the room
/// is recorded and never given another person's legal name.
@Suite struct RecordsRequestTests {
    @Test func counselingNotesStayWithStaff() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let (alex, joined) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(joined.notice.contains("recorded"))
        #expect(try await dana.refusalCode(.note(room: room, body: "Alex engaged; discussed triggers at work.")) == nil)
        guard case .notes(let notes) = try await dana.request(.notes(room: room)) else { Issue.record("notes"); return }
        #expect(notes.notes.map(\.body) == ["Alex engaged; discussed triggers at work."])
        #expect(notes.notes.first?.by.id == clinic.counselor.0.id)
        #expect(try await alex.refusalCode(.notes(room: room)) == .forbidden)
        #expect(await alex.drain().allSatisfy { $0.type != "notes" })
        let reads = try await server.auditRows(actor: clinic.counselor.0.id, actions: [.noteWrite, .noteRead], atLeast: 2)
        #expect(reads.map(\.action) == ["note_write", "note_read"])
        #expect(!reads.contains { ($0.detail ?? "").contains("triggers") })
    }

    @Test func aStaffTranscriptRequestIsRecordedAsADisclosure() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        try await alex.say("Day 30 today.", in: room)
        guard case .transcript(let export) = try await dana.request(.transcript(room: room, recipient: clinic.counselor.0.id.rawValue,
                                                                                 purpose: "treatment planning", json: false)) else {
            Issue.record("transcript"); return
        }
        #expect(export.content.hasPrefix("This record which has been disclosed to you"))
        #expect(export.content.contains("Alex R.") && export.content.contains("Day 30 today."))
        #expect(!export.content.contains("legal"))
        #expect(try await server.auditRows(room: room, actions: [.transcriptExport]).count == 1)
        // Staff joins and history pages are audited reads.
        _ = try await dana.request(.history(room: room, beforeSeq: nil, limit: 10))
        let reads = try await server.auditRows(actor: clinic.counselor.0.id, room: room, actions: [.historyRead], atLeast: 2)
        #expect(reads.count == 2)
        // So are reports.
        guard case .summary = try await dana.request(.summary(room: room)) else { Issue.record("summary"); return }
        #expect(try await server.auditRows(actor: clinic.counselor.0.id, room: room, actions: [.reportRead]).count == 1)
    }

    @Test func breakGlassOpensAnyRoomReadOnlyAndIsLoud() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        // An individual session Dana leads: other staff may not enter.
        let session = try server.addRoom("individual-alex", title: "Individual: Alex R.", kind: .individual,
                                         roster: .participant(clinic.alex.0.id), facilitators: [clinic.counselor.0.id])
        let (dana, _) = try await server.joined(clinic.counselor.token, session)
        let (alex, _) = try await server.joined(clinic.alex.token, session)
        try await alex.say("I relapsed on Saturday.", in: session.id)
        let (jordan, _) = try await server.connect(clinic.admin.token)
        #expect(try await jordan.refusalCode(.join(room: session.id, afterSeq: nil)) == .forbidden)
        #expect(try await jordan.refusalCode(.breakGlass(room: session.id, reason: "short")) == .badRequest)
        #expect(try await jordan.refusalCode(.breakGlass(room: session.id, reason: "Participant unreachable after a crisis alert")) == nil)
        let notice = try await dana.moderation(.breakGlass)
        #expect(notice.by?.id == clinic.admin.0.id && notice.reason == "Participant unreachable after a crisis alert")
        let view = try await jordan.join(session.id)
        #expect(view.messages.map(\.body) == ["I relapsed on Saturday."])
        #expect(try await jordan.refusalCode(.send(room: session.id, body: "hello", clientID: "bg")) == .forbidden)
        #expect(try await jordan.moderate(session.id, .lock) == .forbidden)
        // A counselor cannot break glass; the attempt is recorded.
        let (counselor, _) = try await server.connect(clinic.counselor.token)
        #expect(try await counselor.refusalCode(.breakGlass(room: clinic.family.id, reason: "Just want to check on it")) == .forbidden)
        let glass = try await server.auditRows(actions: [.breakGlass])
        #expect(glass.count == 1 && glass.first?.actor == clinic.admin.0.id && glass.first?.detail?.contains("unreachable") == true)
        #expect(server.logs.text.contains("BREAK-GLASS"))
    }

    @Test func breakGlassAccessOutlastsTheAccessRecheckAndStaysReadOnly() async throws {
        let server = try TestServer { $0.tokenRecheckSeconds = 1 }
        defer { server.shutdown() }
        let clinic = server.clinic
        let session = try server.addRoom("individual-alex", title: "Individual: Alex R.", kind: .individual,
                                         roster: .participant(clinic.alex.0.id), facilitators: [clinic.counselor.0.id])
        let (alex, _) = try await server.joined(clinic.alex.token, session)
        let (jordan, _) = try await server.connect(clinic.admin.token)
        #expect(try await jordan.refusalCode(.breakGlass(room: session.id, reason: "Participant unreachable after a crisis alert")) == nil)
        #expect(try await server.auditRows(actions: [.breakGlass]).count == 1)
        _ = try await jordan.join(session.id)
        // A re-check has run once Sam, whose token is revoked now, is closed by it.
        let (sam, _) = try await server.connect(clinic.sam.token)
        try HearthStoreAccess.revoke(clinic.sam.token, in: server.database)
        #expect(try await sam.closed(timeout: .seconds(20)).code == 4001)
        try await alex.say("Still here.", in: session.id)
        let seen = try await jordan.messages(1)
        #expect(seen.map(\.body) == ["Still here."])
        #expect(await jordan.drain().allSatisfy { $0.type != "denied" })
        #expect(try await jordan.refusalCode(.send(room: session.id, body: "hello", clientID: "bg2")) == .forbidden)
    }

    @Test func membersNeverReceiveAnotherPersonsLegalName() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, welcome) = try await server.connect(clinic.alex.token)
        _ = try await alex.join(room)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        try await sam.say("Hi all", in: room)
        #expect(try await dana.moderate(room, .mute(member: clinic.sam.0.id, minutes: 1, reason: nil)) == nil)
        #expect(try await dana.moderate(room, .roundStart(order: [clinic.alex.0.id, clinic.sam.0.id])) == nil)
        #expect(try await sam.refusalCode(.hand(room: room, raised: true)) == nil)
        var seen = [String(decoding: FrameCodec().encode(.welcome(welcome)), as: UTF8.self)]
        for frame in await alex.drain() { seen.append(String(decoding: FrameCodec().encode(frame), as: UTF8.self)) }
        #expect(seen.count > 3)
        #expect(!seen.joined().contains("legal"))
        #expect(!seen.joined().contains("Surname"))
    }
}
