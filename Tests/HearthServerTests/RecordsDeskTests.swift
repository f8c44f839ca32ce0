import Foundation
import HearthCore
@testable import HearthServer
import HearthStore
import Testing

/// Who may have notes, transcripts and reports, and what the asking leaves in the audit log: decided by
/// `RecordsDesk` without a server or a socket (the store work it describes is what the server tests run).
@Suite struct RecordsDeskTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("records-desk-\(UUID().uuidString)")
    let now = Date(timeIntervalSince1970: 1_795_000_000) // 2026-11-18, a Wednesday
    let dana = Identity(id: PersonID("p_dana"), role: .counselor, displayName: "Dana R.")
    let lee = Identity(id: PersonID("p_lee"), role: .counselor, displayName: "Lee K.")

    private func desk() throws -> RecordsDesk {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try HearthDatabase(path: folder.appendingPathComponent("hearth.db").path)
        return RecordsDesk(moderation: ModerationStore(database), reporter: AttendanceReporter(database),
                           exporter: TranscriptExporter(database), window: .standard)
    }

    /// Dana's individual session: only its facilitator among staff may open it.
    private func individual() -> RoomDescriptor {
        RoomDescriptor(id: RoomID("r_one"), series: SeriesID("s_one"), title: "Individual", kind: .individual,
                       starts: now, ends: now.addingTimeInterval(3600), timeZone: .current, window: .standard,
                       roster: [PersonID("p_alex")], facilitators: [dana.member])
    }

    private func refusal(_ request: RecordsDesk.Request, by identity: Identity) throws -> ProtocolError? {
        if case .failure(let error) = try desk().decide(request, room: individual(), by: identity, ref: "r", now: now) {
            return error
        }
        return nil
    }

    private func job(_ request: RecordsDesk.Request, room: RoomDescriptor?) throws -> RecordsDesk.Job {
        try desk().decide(request, room: room, by: dana, ref: "r", now: now).get()
    }

    @Test func anotherCounselorCannotHaveTheRecordsOfSomeoneElsesIndividualSession() throws {
        for request in [RecordsDesk.Request.note(body: "x"), .notes, .transcript(recipient: "a", purpose: "b", json: false)] {
            #expect(try refusal(request, by: lee) == .forbidden("You cannot read this session's records."))
            #expect(try refusal(request, by: dana) == nil)
        }
        for request in [RecordsDesk.Request.attendance(week: nil), .summary] {
            #expect(try refusal(request, by: lee) == .forbidden("You cannot read this session."))
            #expect(try refusal(request, by: dana) == nil)
        }
    }

    @Test func readingAReportIsAuditedNamingWhatWasRead() throws {
        let week = ISOWeek(containing: LocalDate(now, in: .current))
        #expect(try job(.attendance(week: nil), room: nil).audit == .init(action: .reportRead, detail: "attendance \(week)"))
        #expect(try job(.attendance(week: nil), room: individual()).audit
            == .init(action: .reportRead, detail: "attendance of the session"))
        #expect(try job(.summary, room: individual()).audit == .init(action: .reportRead, detail: "session summary"))
    }

    @Test func notesAndTranscriptsAreAuditedByTheStoreAndOnlyAnExportIsLogged() throws {
        // The notes read and the disclosure are audited in the store's own transaction, not by the desk.
        #expect(try job(.notes, room: individual()).audit == nil)
        #expect(try job(.transcript(recipient: "a", purpose: "b", json: true), room: individual()).audit == nil)
        #expect(try job(.transcript(recipient: "a", purpose: "b", json: true), room: individual()).logged)
        #expect(try !job(.note(body: "x"), room: individual()).logged)
        #expect(try !job(.notes, room: individual()).logged)
    }

    @Test func aRoomThatIsNotThereIsNamedInTheAnswer() throws {
        #expect(try job(.summary, room: individual()).missing == "There is no room r_one.")
        #expect(try job(.attendance(week: nil), room: nil).missing == "There is no such room.")
    }
}
