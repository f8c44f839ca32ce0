import Foundation
import HearthCore
import HearthStore

/// Counseling records and reports a staff member asks for: a note, the notes, a transcript export, the attendance
/// report and a session's summary. It decides who may have them and what the audit log records of the asking, and
/// describes the store work and the frame its result makes; the hub runs that work on the records queue (after every
/// write queued before it) and sends the frame. A value of stores: safe on any thread, no clock (callers pass `now`).
struct RecordsDesk: Sendable {
    let moderation: ModerationStore
    let reporter: AttendanceReporter
    let exporter: TranscriptExporter
    let window: ChatWindowPolicy

    /// What is asked for.
    enum Request: Sendable, Equatable {
        case note(body: String)
        case notes
        case transcript(recipient: String, purpose: String, json: Bool)
        /// The weekly report (a room's, when the request names one).
        case attendance(week: ISOWeek?)
        case summary
    }

    /// A decided request: an audit row to write before the work (the store audits some reads itself), the work, and
    /// what to answer when it finds nothing or fails.
    struct Job: Sendable {
        struct Audit: Sendable, Equatable {
            var action: AuditAction
            var detail: String
        }
        var audit: Audit?
        /// Whether the hub logs the request (without its text): a transcript leaving the clinic.
        var logged: Bool
        var missing: String
        var failure: String
        /// Runs on the records queue; nil when there is no such room.
        var work: @Sendable () throws -> ServerFrame?
    }

    /// Decides `request` about `room` (nil: the clinic-wide attendance report) for `identity` at `now`.
    func decide(_ request: Request, room: RoomDescriptor?, by identity: Identity, ref: String?,
                now: Date) -> Result<Job, ProtocolError> {
        if let room, !AccessRule.mayAccess(identity, room) {
            switch request {
            case .note, .notes, .transcript: return .failure(.forbidden("You cannot read this session's records."))
            case .attendance, .summary: return .failure(.forbidden("You cannot read this session."))
            }
        }
        let missing = room.map { "There is no room \($0.id)." } ?? "There is no such room."
        let moderation = self.moderation, reporter = self.reporter, exporter = self.exporter, window = self.window
        let person = identity.id, id = room?.id
        switch request {
        case .note(let body):
            guard let id else { return .failure(.badRequest("A note belongs to a session: name its room.")) }
            return .success(Job(audit: nil, logged: false, missing: missing,
                                failure: "The server could not save the note. Try again.") {
                _ = try moderation.addNote(room: id, author: person, body: body, at: now)
                return .ok(.init(ref: ref))
            })
        case .notes:
            guard let id else { return .failure(.badRequest("Notes belong to a session: name its room.")) }
            // The store audits the read itself, in the same transaction.
            return .success(Job(audit: nil, logged: false, missing: missing,
                                failure: "The server could not read the notes. Try again.") {
                let notes = try moderation.notes(room: id, reader: person, at: now)
                return .notes(.init(room: id, notes: notes.map {
                    ServerFrame.Note(id: $0.id, by: $0.author, body: $0.body, ts: WireTime.timestamp($0.at))
                }, ref: ref))
            })
        case .transcript(let recipient, let purpose, let json):
            guard let id else { return .failure(.badRequest("A transcript belongs to a session: name its room.")) }
            // The export records the disclosure (and its audit row) itself.
            return .success(Job(audit: nil, logged: true, missing: missing,
                                failure: "The server could not export the transcript. Try again.") {
                let export = try exporter.export(room: id, recipient: recipient, purpose: purpose,
                                                 format: json ? .json : .text, by: person, defaultWindow: window, now: now)
                return .transcript(.init(room: id, format: json ? .json : .txt, disclosure: export.disclosure,
                                         withheld: export.withheld, content: export.content, ref: ref))
            })
        case .attendance(let asked):
            let week = asked ?? ISOWeek(containing: LocalDate(now, in: .current))
            return .success(Job(audit: .init(action: .reportRead, detail: id == nil ? "attendance \(week)"
                                                : "attendance of the session"),
                                logged: false, missing: missing, failure: "The server could not build the report.") {
                let report: AttendanceReport? = if let id { try reporter.report(room: id, now: now) }
                    else { try reporter.report(week: week, viewer: identity, now: now) }
                return report.map { .attendance(.init(report: $0, ref: ref)) }
            })
        case .summary:
            guard let id else { return .failure(.badRequest("A summary belongs to a session: name its room.")) }
            return .success(Job(audit: .init(action: .reportRead, detail: "session summary"), logged: false,
                                missing: missing, failure: "The server could not build the summary.") {
                try reporter.summary(room: id, now: now).map { .summary(.init(summary: $0, ref: ref)) }
            })
        }
    }
}
