import Foundation
import HearthAdmin
import HearthCore
import HearthStore
import Testing

/// Programs, cohorts and enrollments from a schedule file; cohort rosters by date; attendance intervals across a
/// crash; the CSV a spreadsheet opens.
struct ProgramImportTests {
    /// Monday 2026-03-02 12:00 PST.
    static let now = Date(timeIntervalSince1970: 1_772_481_600)

    static func file(alexEnd: String = "2026-05-22", samStart: String = "2026-03-09", extra: String = "") -> String {
        """
        time_zone: America/Los_Angeles
        programs:
          - key: evening-iop
            title: "Evening IOP - adults, substance use"
            weeks: 12
            hours_per_week: 9
        cohorts:
          - key: evening-a
            program: evening-iop
            title: Evening cohort A
        enrollments:
          - { participant: alex, program: evening-iop, cohort: evening-a, start: 2026-02-23, end: \(alexEnd) }
          - { participant: sam, program: evening-iop, cohort: evening-a, start: \(samStart), end: 2026-06-01 }
        \(extra)
        series:
          - key: evening-group
            title: Group therapy
            kind: group
            program: evening-iop
            cohort: evening-a
            facilitators: [dana]
            weekdays: [mon, thu]
            start: "18:00"
            duration: 150
            requires_staff: true
            agreement: What is said in group stays in group.
        """
    }

    private func withPeople(_ body: (HearthDatabase) throws -> Void) throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            for key in ["alex", "sam"] { try directory.addPerson(role: .participant, displayName: key, externalKey: key) }
            try directory.addPerson(role: .counselor, displayName: "Dana M.", externalKey: "dana")
            try body(database)
        }
    }

    @Test func aProgramWithACohortImportsOnceAndAnEditedEndDateIsApplied() throws {
        try withPeople { database throws in
            let importer = ScheduleImporter(database)
            let first = try importer.importFile(Self.file(), now: Self.now)
            #expect(first.programRows == 4)
            #expect(first.created == 1)
            #expect(try importer.importFile(Self.file(), now: Self.now).programRows == 0)
            let extended = try importer.importFile(Self.file(alexEnd: "2026-06-05"), now: Self.now)
            #expect(extended.programRows == 1)
            let alex = try #require(try Directory(database).person(externalKey: "alex"))
            #expect(try ProgramStore(database).enrollments(of: alex.id).first?.endDate == "2026-06-05")

            let series = try #require(try ScheduleStore(database).series(key: "evening-group"))
            #expect(series.rosterKind == "cohort")
            #expect(series.requiresStaff)
            #expect(series.agreement == "What is said in group stays in group.")
            #expect(series.programKey == "evening-iop")
        }
    }

    @Test func aCohortRosterHoldsWhoWasEnrolledOnTheOccurrencesDate() throws {
        try withPeople { database throws in
            _ = try ScheduleImporter(database).importFile(Self.file(), now: Self.now)
            let rooms = try ScheduleStore(database).rooms(from: Self.now, to: Self.now.addingTimeInterval(11 * 86400),
                                                          defaultWindow: .standard)
            let alex = try #require(try Directory(database).person(externalKey: "alex")).id
            let sam = try #require(try Directory(database).person(externalKey: "sam")).id
            // Monday 2026-03-02 and Thursday 2026-03-05: Alex only; Sam starts Monday 2026-03-09.
            #expect(rooms.map(\.date.description) == ["2026-03-02", "2026-03-05", "2026-03-09", "2026-03-12"])
            #expect(rooms.map(\.roster) == [[alex], [alex], [alex, sam], [alex, sam]])
            #expect(rooms.allSatisfy { $0.facilitators.map(\.name) == ["Dana M."] && $0.requiresStaff })

            // Discharged on Wednesday: on the roster of Monday's session, not of Thursday's or later.
            try ProgramStore(database).end(person: alex, program: "evening-iop", reason: .discharged,
                                           now: try time("2026-03-04T12:00:00-08:00"))
            let after = try ScheduleStore(database).rooms(from: Self.now, to: Self.now.addingTimeInterval(11 * 86400),
                                                          defaultWindow: .standard)
            #expect(after.map(\.roster) == [[alex], [], [sam], [sam]])
        }
    }

    @Test("an invalid enrollment or program is refused with its line", arguments: [
        ("  - { participant: nobody, program: evening-iop, start: 2026-03-01, end: 2026-05-01 }", 13, "nobody"),
        ("  - { participant: sam, program: other, start: 2026-03-01, end: 2026-05-01 }", 13, "No program"),
        ("  - { participant: sam, program: evening-iop, start: 2026-03-01, end: 2026-02-01 }", 13, "after"),
        ("  - { participant: sam, program: evening-iop, start: 2026-03-01, end: 2026-05-01, graduated: 2026-04-01, discharged: 2026-04-01 }", 13, "not both"),
        ("  - { participant: dana, program: evening-iop, start: 2026-03-01, end: 2026-05-01 }", 13, "not a participant"),
    ])
    func invalidEnrollment(line: String, at expected: Int, mentions: String) throws {
        try withPeople { database throws in
            let text = Self.file().replacingOccurrences(of: "  - { participant: sam,", with: line + "\n  - { participant: sam,")
                .replacingOccurrences(of: line + "\n  - { participant: sam, program: evening-iop, cohort: evening-a, start: 2026-03-09, end: 2026-06-01 }", with: line)
            do {
                _ = try ScheduleImporter(database).importFile(text, now: Self.now)
                Issue.record("imported an invalid file")
            } catch let error as ScheduleFileError {
                #expect(error.line == expected)
                #expect(error.message.contains(mentions), "message: \(error.message)")
            }
            #expect(try ProgramStore(database).programs().isEmpty)
            #expect(try ScheduleStore(database).allSeries().isEmpty)
        }
    }

    @Test func anEnrollmentInACohortOfAnotherProgramIsRefused() throws {
        try withPeople { database throws in
            let text = Self.file(extra: "").replacingOccurrences(of: "cohorts:\n", with: """
                cohorts:
                  - key: morning-a
                    program: morning-iop
                    title: Morning cohort A

                """).replacingOccurrences(of: "programs:\n", with: """
                programs:
                  - key: morning-iop
                    title: Morning IOP
                    weeks: 8
                    hours_per_week: 12

                """).replacingOccurrences(of: "program: evening-iop, cohort: evening-a, start: 2026-03-09", with: "program: evening-iop, cohort: morning-a, start: 2026-03-09")
            do {
                _ = try ScheduleImporter(database).importFile(text, now: Self.now)
                Issue.record("imported an invalid file")
            } catch let error as ScheduleFileError {
                #expect(error.message.contains("belongs to another program"))
            }
        }
    }

    @Test func anIntervalLeftOpenByACrashEndsAtTheLastHeartbeat() throws {
        try withPeople { database throws in
            _ = try ScheduleImporter(database).importFile(Self.file(), now: Self.now)
            let room = try #require(try ScheduleStore(database).rooms(from: Self.now, to: Self.now.addingTimeInterval(86400),
                                                                      defaultWindow: .standard).first)
            let alex = try #require(try Directory(database).person(externalKey: "alex")).id
            let attendance = AttendanceStore(database)
            try attendance.open(room: room.id, person: alex, at: room.starts)
            try attendance.heartbeat(at: room.starts.addingTimeInterval(600))
            try attendance.heartbeat(at: room.starts.addingTimeInterval(1210.7))
            // The process dies here. On the next start:
            #expect(try attendance.closeAll(at: nil) == 1)
            #expect(try attendance.intervals(room: room.id, now: room.ends)[alex]
                == [PresenceInterval(start: room.starts, end: room.starts.addingTimeInterval(1210))])
            #expect(try attendance.closeAll(at: nil) == 0)

            // An open interval for the same person and room (a close that never came) is ended where last seen.
            try attendance.open(room: room.id, person: alex, at: room.starts.addingTimeInterval(1800))
            try attendance.heartbeat(at: room.starts.addingTimeInterval(1860))
            try attendance.open(room: room.id, person: alex, at: room.starts.addingTimeInterval(2400))
            try attendance.close(room: room.id, person: alex, at: room.starts.addingTimeInterval(3000))
            let figures = AttendanceFigures.compute(try attendance.intervals(room: room.id, now: room.ends)[alex] ?? [],
                                                    starts: room.starts, ends: room.ends)
            #expect(figures.secondsPresent == 1210 + 60 + 600)
        }
    }

    @Test func theCSVOpensCleanlyInASpreadsheet() throws {
        let room = RoomDescriptor(id: RoomID("r_1"), series: SeriesID("s_1"), title: "Group, evening", kind: .group,
                                  starts: try time("2026-11-23T18:00:00-08:00"), ends: try time("2026-11-23T20:30:00-08:00"),
                                  timeZone: TimeZone(identifier: "America/Los_Angeles")!, window: .standard, roster: [])
        let alex = MemberInfo(id: PersonID("p_a"), name: "=HYPERLINK(\"x\")", role: .participant)
        let figures = AttendanceFigures.compute([PresenceInterval(start: room.starts.addingTimeInterval(754), end: room.ends)],
                                                starts: room.starts, ends: room.ends)
        let report = AttendanceReport(
            week: ISOWeek("2026-W48")!, program: nil,
            sessions: [SessionAttendance(room: room, program: "evening-iop", member: alex, figures: figures)],
            weekly: [WeeklyAttendance(member: alex, program: "evening-iop", minutes: 137, requiredMinutes: 540,
                                      sessionsAttended: 1, sessionsMissed: 2,
                                      checkins: [CheckinTrend(week: ISOWeek("2026-W48")!, mood: 6.5, craving: 2, notSafe: 0)])])
        let csv = ReportFormats.csv(report)
        #expect(csv.hasPrefix("\u{FEFF}week,session,"))
        let lines = csv.dropFirst().components(separatedBy: "\r\n")
        #expect(lines[1] == "2026-W48,\"Group, evening\",group,evening-iop,r_1,2026-11-23 18:00:00,2026-11-23 20:30:00,"
            + "\"'=HYPERLINK(\"\"x\"\")\",participant,2026-11-23 18:12:34,2026-11-23 20:30:00,137,yes,no,no")
        #expect(lines[2] == "")
        #expect(lines[3].hasPrefix("week,participant,program,hours_attended,hours_required"))
        #expect(lines[4] == "2026-W48,\"'=HYPERLINK(\"\"x\"\")\",evening-iop,2.3,9.0,no,1,2,W48 6.5,W48 2.0,0")
        #expect(lines.last == "")
    }
}
