import Foundation
import HearthAdmin
import HearthCore
import Testing

/// Parsing the YAML schedule format (docs/SCHEDULE.md) into series definitions, and the top-level and field errors
/// the importer tests do not already cover.
struct ScheduleFileTests {
    private func parse(_ text: String) throws -> [SeriesDefinition] {
        try ScheduleFile.parse(text).series
    }

    private func names(_ roster: RosterDefinition) -> [String] {
        if case .participants(let list) = roster { return list.map(\.key) }
        return []
    }

    private func parseError(_ text: String) -> ScheduleFileError? {
        do {
            _ = try ScheduleFile.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("a weekly and a one-off series parse into their schedules, windows and rosters")
    func parsesSeries() throws {
        let definitions = try parse("""
            time_zone: America/Los_Angeles
            series:
              - key: evening-group
                title: Group therapy (evening IOP)
                kind: group
                weekdays: [mon, Wednesday, fri]
                start: "18:00"
                duration: 180
                first_date: 2026-01-05
                roster: [alex, sam]
              - key: graduation
                title: "Graduation: Alex R."
                kind: multi_family
                date: 2026-12-19
                start: "9:30"
                duration: 90
                time_zone: America/Denver
                grace_after: 0
                roster:
                  - alex
            """)
        try #require(definitions.count == 2)
        let group = definitions[0], graduation = definitions[1]

        #expect(group.key == "evening-group")
        #expect(group.title == "Group therapy (evening IOP)")
        #expect(group.kind == .group)
        #expect(group.schedule == SessionSchedule(recurrence: .weekly([.monday, .wednesday, .friday]),
                                                  start: LocalTime("18:00")!, durationMinutes: 180,
                                                  timeZone: TimeZone(identifier: "America/Los_Angeles")!,
                                                  firstDate: LocalDate("2026-01-05")))
        #expect(group.window == nil)
        #expect(names(group.roster) == ["alex", "sam"])
        #expect(group.line == 3)

        #expect(graduation.kind == .multiFamily)
        #expect(graduation.title == "Graduation: Alex R.")
        #expect(graduation.schedule.recurrence == .once(LocalDate("2026-12-19")!))
        #expect(graduation.schedule.start == LocalTime(hour: 9, minute: 30))
        #expect(graduation.schedule.timeZone.identifier == "America/Denver")
        #expect(graduation.window == ChatWindowPolicy(openBeforeMinutes: 15, graceAfterMinutes: 0))
        #expect(graduation.roster == .participants([KeyReference(key: "alex", line: 20)]))
        #expect(graduation.line == 11)
    }

    @Test("an empty series list parses to nothing")
    func emptySeriesList() throws {
        #expect(try parse("series: []").isEmpty)
    }

    @Test("a series without its own zone and without a file zone is refused at its first line")
    func zoneNeeded() throws {
        let error = try #require(parseError("""
            series:
              - key: a
                title: A
                kind: peer
                weekdays: [sat]
                start: "10:00"
                duration: 90
            """))
        #expect(error.line == 2)
        #expect(error.message.contains("time_zone"))
    }

    @Test("UTC is accepted as a time zone name")
    func utcZone() throws {
        let definitions = try parse("""
            time_zone: UTC
            series:
              - {key: a, title: A, kind: peer, weekdays: [sat], start: "10:00", duration: 90}
            """)
        #expect(definitions.first?.schedule.timeZone.secondsFromGMT() == 0)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var line: Int
        var mentions: String
        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        Broken(name: "empty file", text: "# nothing here\n", line: 1, mentions: "empty"),
        Broken(name: "top level is a list", text: "- key: a\n", line: 1, mentions: "mapping"),
        Broken(name: "unknown top-level field", text: "time_zone: UTC\nsessions: []\nseries: []\n", line: 2,
               mentions: "\"sessions\""),
        Broken(name: "no series", text: "time_zone: UTC\n", line: 1, mentions: "\"series\""),
        Broken(name: "series is not a list", text: "time_zone: UTC\nseries: weekly\n", line: 2, mentions: "list"),
        Broken(name: "a series that is not a mapping", text: "time_zone: UTC\nseries:\n  - just text\n", line: 3,
               mentions: "mapping"),
        Broken(name: "bad top-level time zone", text: "time_zone: Pacific\nseries: []\n", line: 1, mentions: "Pacific"),
        Broken(name: "missing title", text: """
            time_zone: UTC
            series:
              - key: a
                kind: peer
                weekdays: [sat]
                start: "10:00"
                duration: 90
            """, line: 3, mentions: "\"title\""),
        Broken(name: "missing duration", text: """
            time_zone: UTC
            series:
              - key: a
                title: A
                kind: peer
                weekdays: [sat]
                start: "10:00"
            """, line: 3, mentions: "\"duration\""),
        Broken(name: "duration over 720 minutes", text: """
            time_zone: UTC
            series:
              - key: a
                title: A
                kind: peer
                weekdays: [sat]
                start: "10:00"
                duration: 721
            """, line: 8, mentions: "720"),
        Broken(name: "empty title", text: """
            time_zone: UTC
            series:
              - key: a
                title: "  "
                kind: peer
                weekdays: [sat]
                start: "10:00"
                duration: 90
            """, line: 4, mentions: "\"title\""),
        Broken(name: "key over 80 characters", text: """
            time_zone: UTC
            series:
              - key: \(String(repeating: "k", count: 81))
                title: A
                kind: peer
                weekdays: [sat]
                start: "10:00"
                duration: 90
            """, line: 3, mentions: "80"),
        Broken(name: "empty weekday list", text: """
            time_zone: UTC
            series:
              - key: a
                title: A
                kind: peer
                weekdays: []
                start: "10:00"
                duration: 90
            """, line: 6, mentions: "weekdays"),
        Broken(name: "open_before over 240", text: """
            time_zone: UTC
            series:
              - key: a
                title: A
                kind: peer
                weekdays: [sat]
                start: "10:00"
                duration: 90
                open_before: 241
            """, line: 9, mentions: "open_before"),
        Broken(name: "roster that is not a list", text: """
            time_zone: UTC
            series:
              - key: a
                title: A
                kind: peer
                weekdays: [sat]
                start: "10:00"
                duration: 90
                roster: alex
            """, line: 9, mentions: "roster"),
        Broken(name: "a tab in the indentation", text: "time_zone: UTC\nseries:\n\t- key: a\n", line: 3,
               mentions: "not valid YAML"),
    ]

    @Test("a broken file is refused at the right line with a message saying what is wrong", arguments: broken)
    func brokenFile(_ file: Broken) throws {
        let error = try #require(parseError(file.text))
        #expect(error.line == file.line)
        #expect(error.message.contains(file.mentions), "message: \(error.message)")
    }
}
