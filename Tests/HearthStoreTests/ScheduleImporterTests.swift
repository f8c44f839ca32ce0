import Foundation
import HearthAdmin
import HearthCore
import HearthStore
import Testing

/// Importing a YAML schedule: counts of what changed, idempotent re-imports, and invalid files refused with their
/// line while nothing from them is stored.
struct ScheduleImporterTests {
    static let validFile = """
        time_zone: America/Los_Angeles
        series:
          - key: evening-group
            title: Group therapy (evening IOP)
            kind: group
            weekdays: [mon, fri]
            start: "18:00"
            duration: 180
            roster: [alex, sam]
          - key: family-alex
            title: "Family therapy: Alex R."
            kind: family
            date: 2026-03-04
            start: "17:00"
            duration: 60
            open_before: 5
            time_zone: America/Denver
            roster: [alex]
        """

    /// Monday 2026-03-02 12:00 PST: rooms are made from Sunday noon to Tuesday 2026-03-17 noon.
    static let now = Date(timeIntervalSince1970: 1_772_481_600)

    private struct Clinic {
        let database: HearthDatabase
        let importer: ScheduleImporter
        let schedule: ScheduleStore
        let alex: PersonRecord
        let sam: PersonRecord

        var allRooms: [RoomDescriptor] {
            get throws {
                try schedule.rooms(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 4_000_000_000),
                                   defaultWindow: .standard)
            }
        }
    }

    private func withClinic(_ body: (Clinic) throws -> Void) throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.", externalKey: "alex")
            let sam = try directory.addPerson(role: .participant, displayName: "Sam T.", externalKey: "sam")
            try directory.addPerson(role: .counselor, displayName: "Dana M.", externalKey: "dana")
            try directory.addPerson(role: .family, displayName: "Maria R.", familyOf: alex.id, externalKey: "maria")
            try body(Clinic(database: database, importer: ScheduleImporter(database), schedule: ScheduleStore(database),
                            alex: alex, sam: sam))
        }
    }

    /// created, updated, unchanged, roomsCreated.
    private func counts(_ summary: ScheduleImporter.Summary) -> [Int] {
        [summary.created, summary.updated, summary.unchanged, summary.roomsCreated]
    }

    private func importError(_ body: () throws -> Void) -> ScheduleFileError? {
        do { try body() } catch let error as ScheduleFileError { return error } catch {
            Issue.record("expected a ScheduleFileError, got \(error)")
        }
        return nil
    }

    // MARK: Valid files

    @Test("a file with a weekly and a one-off series imports both and makes their rooms")
    func importValid() throws {
        try withClinic { clinic throws in
            let summary = try clinic.importer.importFile(Self.validFile, now: Self.now)
            #expect(counts(summary) == [2, 0, 0, 6])

            let group = try #require(try clinic.schedule.series(key: "evening-group"))
            #expect(group.title == "Group therapy (evening IOP)")
            #expect(group.kind == .group)
            #expect(Set(try clinic.schedule.roster(of: group.id)) == [clinic.alex.id, clinic.sam.id])

            let rooms = try clinic.allRooms
            let groupRooms = rooms.filter { $0.kind == .group }
            #expect(groupRooms.map { LocalDate($0.starts, in: $0.timeZone).description }
                == ["2026-03-02", "2026-03-06", "2026-03-09", "2026-03-13", "2026-03-16"])
            // 18:00 in Los Angeles on both sides of the 2026-03-08 change.
            #expect(groupRooms.first?.starts == (try time("2026-03-03T02:00:00Z")))
            #expect(groupRooms.last?.starts == (try time("2026-03-17T01:00:00Z")))

            let family = try #require(rooms.first { $0.kind == .family })
            #expect(family.timeZone.identifier == "America/Denver")
            #expect(family.starts == (try time("2026-03-05T00:00:00Z")))
            #expect(family.ends == (try time("2026-03-05T01:00:00Z")))
            #expect(family.roster == [clinic.alex.id])
        }
    }

    @Test("a series that sets only open_before gets the built-in grace_after, not the server's")
    func partialWindow() throws {
        try withClinic { clinic throws in
            _ = try clinic.importer.importFile(Self.validFile, now: Self.now)
            let serverWindow = ChatWindowPolicy(openBeforeMinutes: 30, graceAfterMinutes: 30)
            let rooms = try clinic.schedule.rooms(from: Self.now, to: Self.now.addingTimeInterval(14 * 86400),
                                                  defaultWindow: serverWindow)
            #expect(rooms.first { $0.kind == .family }?.window == ChatWindowPolicy(openBeforeMinutes: 5, graceAfterMinutes: 10))
            #expect(rooms.first { $0.kind == .group }?.window == serverWindow)
        }
    }

    @Test("importing the same file again changes nothing and makes no rooms")
    func reimportSame() throws {
        try withClinic { clinic throws in
            _ = try clinic.importer.importFile(Self.validFile, now: Self.now)
            let roomsBefore = try clinic.allRooms
            let again = try clinic.importer.importFile(Self.validFile, now: Self.now)
            #expect(counts(again) == [0, 0, 2, 0])
            #expect(try clinic.allRooms == roomsBefore)
            #expect(try clinic.schedule.allSeries().count == 2)
        }
    }

    @Test("an edited title updates that series only, and its rooms show the new title")
    func editedTitle() throws {
        try withClinic { clinic throws in
            _ = try clinic.importer.importFile(Self.validFile, now: Self.now)
            let edited = Self.validFile.replacingOccurrences(of: "Group therapy (evening IOP)", with: "Evening process group")
            let summary = try clinic.importer.importFile(edited, now: Self.now)
            #expect(counts(summary) == [0, 1, 1, 0])
            #expect(try clinic.schedule.series(key: "evening-group")?.title == "Evening process group")
            #expect(try clinic.allRooms.filter { $0.kind == .group }.allSatisfy { $0.title == "Evening process group" })
        }
    }

    @Test("a roster edit is an update and the rooms follow the new roster")
    func editedRoster() throws {
        try withClinic { clinic throws in
            _ = try clinic.importer.importFile(Self.validFile, now: Self.now)
            let edited = Self.validFile.replacingOccurrences(of: "roster: [alex, sam]", with: "roster: [alex]")
            let summary = try clinic.importer.importFile(edited, now: Self.now)
            #expect(summary.updated == 1 && summary.unchanged == 1 && summary.created == 0)
            #expect(try clinic.allRooms.filter { $0.kind == .group }.allSatisfy { $0.roster == [clinic.alex.id] })
        }
    }

    @Test("a roster entry may be a participant's id as well as their key")
    func rosterByID() throws {
        try withClinic { clinic throws in
            let text = Self.validFile.replacingOccurrences(of: "roster: [alex, sam]",
                                                           with: "roster: [\(clinic.alex.id.rawValue), sam]")
            _ = try clinic.importer.importFile(text, now: Self.now)
            let group = try #require(try clinic.schedule.series(key: "evening-group"))
            #expect(Set(try clinic.schedule.roster(of: group.id)) == [clinic.alex.id, clinic.sam.id])
        }
    }

    @Test("a later import makes only the rooms of the new days")
    func laterImport() throws {
        try withClinic { clinic throws in
            _ = try clinic.importer.importFile(Self.validFile, now: Self.now)
            let summary = try clinic.importer.importFile(Self.validFile, now: Self.now.addingTimeInterval(7 * 86400))
            // One more week: Friday 2026-03-20 and Monday 2026-03-23.
            #expect(counts(summary) == [0, 0, 2, 2])
        }
    }

    @Test("the documented example week imports as docs/SCHEDULE.md says")
    func documentedExample() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/examples/clinic-week.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            for key in ["alex", "sam", "jamie", "chris", "morgan", "taylor"] {
                try directory.addPerson(role: .participant, displayName: key.capitalized, externalKey: key)
            }
            for key in ["dana", "luis"] {
                try directory.addPerson(role: .counselor, displayName: key.capitalized, externalKey: key)
            }
            let importer = ScheduleImporter(database)
            // Sunday 2026-11-22, just after midnight in Pasadena, as in the documentation.
            let now = try time("2026-11-22T08:05:00Z")
            let first = try importer.importFile(text, now: now)
            #expect(counts(first) == [9, 0, 0, 17])
            #expect(first.programRows == 8) // one program, one cohort, six enrollments
            let again = try importer.importFile(text, now: now)
            #expect(counts(again) == [0, 0, 9, 0])
            #expect(again.programRows == 0)
        }
    }

    // MARK: Invalid files

    /// A file whose first series is valid and new, and whose second series (from line 10) is broken.
    struct InvalidFile: Sendable, CustomTestStringConvertible {
        var name: String
        var second: [String]
        var line: Int
        var mentions: String
        var testDescription: String { name }

        var text: String {
            """
            time_zone: America/Los_Angeles
            series:
              - key: first-new
                title: New weekly group
                kind: group
                weekdays: [tue]
                start: "18:00"
                duration: 60
                roster: [alex]

            """ + second.joined(separator: "\n") + "\n"
        }

        /// The second series: `key` on line 10, then title 11, kind 12, weekdays 13, start 14, duration 15, extra from 16.
        static func series(kind: String = "group", weekdays: String? = "[wed]", start: String = "\"18:00\"",
                           extra: [String] = []) -> [String] {
            ["  - key: second", "    title: Second", "    kind: \(kind)"]
                + (weekdays.map { ["    weekdays: \($0)"] } ?? [])
                + ["    start: \(start)", "    duration: 60"]
                + extra.map { "    " + $0 }
        }
    }

    static let invalidFiles: [InvalidFile] = [
        InvalidFile(name: "unknown kind", second: InvalidFile.series(kind: "therapy"), line: 12, mentions: "therapy"),
        InvalidFile(name: "kind with a hyphen", second: InvalidFile.series(kind: "relapse-prevention"), line: 12,
                    mentions: "relapse_prevention"),
        InvalidFile(name: "start 25:00", second: InvalidFile.series(start: "\"25:00\""), line: 14, mentions: "start"),
        InvalidFile(name: "start 4:45 pm", second: InvalidFile.series(start: "\"4:45 pm\""), line: 14, mentions: "start"),
        InvalidFile(name: "unknown time zone", second: InvalidFile.series(extra: ["time_zone: Mars/Olympus"]), line: 16,
                    mentions: "Mars/Olympus"),
        InvalidFile(name: "time zone abbreviation", second: InvalidFile.series(extra: ["time_zone: PST"]), line: 16,
                    mentions: "PST"),
        InvalidFile(name: "neither weekdays nor date", second: InvalidFile.series(weekdays: nil), line: 10,
                    mentions: "\"weekdays\""),
        InvalidFile(name: "both weekdays and date", second: InvalidFile.series(extra: ["date: 2026-03-04"]), line: 10,
                    mentions: "not both"),
        InvalidFile(name: "weekdays not a list", second: InvalidFile.series(weekdays: "thu"), line: 13, mentions: "list"),
        InvalidFile(name: "ambiguous weekday", second: InvalidFile.series(weekdays: "[mon, s]"), line: 13,
                    mentions: "\"s\""),
        InvalidFile(name: "unknown field", second: InvalidFile.series(extra: ["room: big"]), line: 16, mentions: "\"room\""),
        InvalidFile(name: "key used twice", second: ["  - key: first-new"] + InvalidFile.series().dropFirst(), line: 10,
                    mentions: "line 3"),
        InvalidFile(name: "roster naming an unknown person",
                    second: InvalidFile.series(extra: ["roster:", "  - alex", "  - nobody"]), line: 18,
                    mentions: "nobody"),
        InvalidFile(name: "roster naming a counselor",
                    second: InvalidFile.series(extra: ["roster:", "  - sam", "  - dana"]), line: 18, mentions: "counselor"),
        InvalidFile(name: "roster naming a family member",
                    second: InvalidFile.series(extra: ["roster: [maria]"]), line: 16, mentions: "family"),
        InvalidFile(name: "family session with two participants",
                    second: InvalidFile.series(kind: "family", extra: ["roster: [alex, sam]"]), line: 10,
                    mentions: "for one participant"),
        InvalidFile(name: "individual session with no roster", second: InvalidFile.series(kind: "individual"), line: 10,
                    mentions: "for one participant"),
        InvalidFile(name: "duration not in minutes", second: ["  - key: second", "    title: Second", "    kind: group",
                                                            "    weekdays: [wed]", "    start: \"18:00\"",
                                                            "    duration: 3h"], line: 15, mentions: "duration"),
        InvalidFile(name: "last_date before first_date",
                    second: InvalidFile.series(extra: ["first_date: 2026-03-10", "last_date: 2026-03-01"]), line: 17,
                    mentions: "last_date"),
        InvalidFile(name: "impossible date", second: InvalidFile.series(extra: ["first_date: 2026-02-30"]), line: 16,
                    mentions: "first_date"),
        InvalidFile(name: "facilitator who is a participant", second: InvalidFile.series(extra: ["facilitators: [sam]"]),
                    line: 16, mentions: "not a counselor"),
        InvalidFile(name: "unknown cohort", second: InvalidFile.series(extra: ["cohort: nowhere"]), line: 16,
                    mentions: "No cohort"),
        InvalidFile(name: "unknown program", second: InvalidFile.series(extra: ["program: nowhere"]), line: 16,
                    mentions: "No program"),
        InvalidFile(name: "unknown admission", second: InvalidFile.series(extra: ["admission: maybe"]), line: 16,
                    mentions: "auto or waiting"),
        InvalidFile(name: "requires_staff not a boolean", second: InvalidFile.series(extra: ["requires_staff: sometimes"]),
                    line: 16, mentions: "true or false"),
        InvalidFile(name: "a cohort and a roster", second: InvalidFile.series(extra: ["cohort: a", "roster: [alex]"]),
                    line: 10, mentions: "Give one of"),
        InvalidFile(name: "change on a day the series does not meet",
                    second: InvalidFile.series(extra: ["changes:", "  - date: 2026-03-05", "    cancel: true"]),
                    line: 17, mentions: "does not meet on 2026-03-05 (thursday)"),
        InvalidFile(name: "change that cancels and moves",
                    second: InvalidFile.series(extra: ["changes:", "  - date: 2026-03-04", "    cancel: true", "    start: \"17:00\""]),
                    line: 17, mentions: "not both"),
        InvalidFile(name: "change that changes nothing", second: InvalidFile.series(extra: ["changes:", "  - date: 2026-03-04"]),
                    line: 17, mentions: "cancel: true"),
        InvalidFile(name: "individual session without its counselor",
                    second: InvalidFile.series(kind: "individual", extra: ["participant: alex"]), line: 10,
                    mentions: "facilitators"),
        InvalidFile(name: "family_of on a group", second: InvalidFile.series(extra: ["family_of: alex"]), line: 10,
                    mentions: "only for family sessions"),
        InvalidFile(name: "broken YAML syntax", second: InvalidFile.series(kind: "group: extra"), line: 12,
                    mentions: "not valid YAML"),
    ]

    @Test("an invalid file is refused at the right line with a message, and nothing from it is stored",
          arguments: invalidFiles)
    func invalidFile(_ file: InvalidFile) throws {
        try withClinic { clinic throws in
            _ = try clinic.importer.importFile(Self.validFile, now: Self.now)
            let seriesBefore = try clinic.schedule.allSeries()
            let roomsBefore = try clinic.allRooms

            let error = try #require(importError { _ = try clinic.importer.importFile(file.text, now: Self.now) })
            #expect(error.line == file.line)
            #expect(error.message.contains(file.mentions), "message: \(error.message)")
            #expect(error.description.hasPrefix("line \(file.line): "))

            #expect(try clinic.schedule.allSeries() == seriesBefore)
            #expect(try clinic.schedule.series(key: "first-new") == nil)
            #expect(try clinic.allRooms == roomsBefore)
        }
    }

    @Test("a field written twice in a series is refused at the line of that field, with a one-line message")
    func duplicateField() throws {
        try withClinic { clinic throws in
            let file = InvalidFile(name: "duplicate field", second: InvalidFile.series(extra: ["title: Again"]), line: 11,
                                   mentions: "title")
            let countBefore = try clinic.schedule.allSeries().count
            let error = try #require(importError { _ = try clinic.importer.importFile(file.text, now: Self.now) })
            // Either occurrence of the repeated field is a fair place to point at.
            #expect([11, 16].contains(error.line))
            #expect(error.message.contains("title"))
            #expect(!error.message.contains("New weekly group"), "the message repeats the file's contents")
            #expect(!error.message.contains("\n"))
            #expect(try clinic.schedule.allSeries().count == countBefore)
        }
    }
}
