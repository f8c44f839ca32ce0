import Foundation
import HearthCore
import Testing

/// A clinic cancels or moves single occurrences; the series' other meetings stay where they were, and a moved
/// session keeps its wall-clock time across daylight-saving changes.
struct OccurrenceChangeTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!

    private func utc(_ text: String) throws -> Date { try #require(WireTime.parse(text)) }
    private func date(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    /// Mondays and Thursdays 18:00 to 20:30 in Los Angeles.
    private func group(_ changes: [LocalDate: OccurrenceChange] = [:]) -> SessionSchedule {
        SessionSchedule(recurrence: .weekly([.monday, .thursday]), start: LocalTime(hour: 18, minute: 0)!,
                        durationMinutes: 150, timeZone: Self.losAngeles, changes: changes)
    }

    @Test func aCancelledOccurrenceIsGoneAndTheOthersStay() throws {
        let thanksgiving = try date("2026-11-26")
        let schedule = group([thanksgiving: .cancelled])
        #expect(schedule.occurrence(on: thanksgiving) == nil)
        let week = schedule.occurrences(from: try utc("2026-11-23T00:00:00-08:00"), to: try utc("2026-11-30T00:00:00-08:00"))
        #expect(week.map(\.date) == [try date("2026-11-23")])
    }

    @Test func aMovedOccurrenceKeepsItsNameAndMeetsAtTheNewTime() throws {
        let christmasEve = try date("2026-12-24")
        let schedule = group([christmasEve: .moved(date: try date("2026-12-22"), start: LocalTime(hour: 15, minute: 0), durationMinutes: nil)])
        let moved = try #require(schedule.occurrence(on: christmasEve))
        #expect(moved.date == christmasEve)
        #expect(moved.starts == (try utc("2026-12-22T15:00:00-08:00")))
        #expect(moved.ends == (try utc("2026-12-22T17:30:00-08:00")))

        // Listed in the week it moved into, in start order, and not on the day it left.
        let tuesday = schedule.occurrences(from: try utc("2026-12-22T00:00:00-08:00"), to: try utc("2026-12-23T00:00:00-08:00"))
        #expect(tuesday.map(\.date) == [christmasEve])
        let thursday = schedule.occurrences(from: try utc("2026-12-24T00:00:00-08:00"), to: try utc("2026-12-25T00:00:00-08:00"))
        #expect(thursday.isEmpty)
        let week = schedule.occurrences(from: try utc("2026-12-21T00:00:00-08:00"), to: try utc("2026-12-28T00:00:00-08:00"))
        #expect(week.map(\.date) == [try date("2026-12-21"), christmasEve])
    }

    @Test("a session moved across a daylight-saving change meets at the wall-clock time of its new day", arguments: [
        // Autumn: Monday 2026-11-02 (PST) moved back to Saturday 2026-10-31 (PDT), 17:00 local.
        ("2026-11-02", "2026-10-31", "2026-11-01T00:00:00Z"),
        // Spring: Monday 2027-03-08 (PST) moved to Monday 2027-03-15 (PDT), 18:00 local.
        ("2027-03-08", "2027-03-15", "2027-03-16T01:00:00Z"),
    ])
    func movedAcrossDaylightSaving(from: String, to: String, startsUTC: String) throws {
        let original = try date(from)
        let start = from == "2026-11-02" ? LocalTime(hour: 17, minute: 0) : nil
        let schedule = group([original: .moved(date: try date(to), start: start, durationMinutes: 90)])
        let moved = try #require(schedule.occurrence(on: original))
        #expect(moved.starts == (try utc(startsUTC)))
        #expect(moved.ends.timeIntervalSince(moved.starts) == 90 * 60)
    }

    @Test func aOneOffSessionCanBeMovedToo() throws {
        let day = try date("2026-12-06")
        var schedule = SessionSchedule(recurrence: .once(day), start: LocalTime(hour: 14, minute: 0)!, durationMinutes: 120,
                                       timeZone: Self.losAngeles)
        schedule.changes = [day: .moved(date: nil, start: LocalTime(hour: 13, minute: 30), durationMinutes: nil)]
        #expect(schedule.occurrence(on: day)?.starts == (try utc("2026-12-06T13:30:00-08:00")))
    }
}

/// ISO 8601 weeks: Monday to Sunday, week 1 holding the year's first Thursday.
struct ISOWeekTests {
    @Test(arguments: [
        ("2026-11-23", "2026-W48"), ("2026-11-22", "2026-W47"), ("2027-01-01", "2026-W53"), ("2027-01-04", "2027-W01"),
        ("2024-12-30", "2025-W01"), ("2026-01-01", "2026-W01"),
    ])
    func theWeekADateFallsIn(day: String, week: String) throws {
        #expect(ISOWeek(containing: try #require(LocalDate(day))).description == week)
    }

    @Test func aWeekRunsMondayToSunday() throws {
        let week = try #require(ISOWeek("2026-W48"))
        #expect(week.monday == LocalDate("2026-11-23"))
        #expect(week.dates.last == LocalDate("2026-11-29"))
        #expect(week.adding(weeks: 6).description == "2027-W01")
    }

    @Test(arguments: ["2027-W53", "2026-W00", "2026-48", "W48", "2026-W4", ""])
    func notAWeek(text: String) {
        #expect(ISOWeek(text) == nil)
    }
}

/// Minutes present, late and left early, from presence intervals.
struct AttendanceFiguresTests {
    static let starts = Date(timeIntervalSince1970: 1_795_000_000)
    static let ends = starts.addingTimeInterval(150 * 60)

    private func interval(_ from: Double, _ to: Double) -> PresenceInterval {
        PresenceInterval(start: Self.starts.addingTimeInterval(from * 60), end: Self.starts.addingTimeInterval(to * 60))
    }

    private func figures(_ intervals: [PresenceInterval]) -> AttendanceFigures {
        AttendanceFigures.compute(intervals, starts: Self.starts, ends: Self.ends)
    }

    @Test func overlappingConnectionsCountOnce() {
        // A phone from the start to minute 60, a laptop from 30 to 150, a reconnect of the phone from 100 to 120.
        let result = figures([interval(0, 60), interval(100, 120), interval(30, 150)])
        #expect(result.minutesPresent == 150)
        #expect(!result.late && !result.leftEarly && !result.noShow)
    }

    @Test func timeOutsideTheSessionDoesNotCount() {
        // In the chat 15 minutes early and 10 minutes after the end.
        let result = figures([interval(-15, 160)])
        #expect(result.minutesPresent == 150)
        #expect(result.firstJoin == Self.starts.addingTimeInterval(-15 * 60))
    }

    @Test func aGapIsNotCounted() {
        let result = figures([interval(12, 50), interval(55, 130)])
        #expect(result.minutesPresent == 38 + 75)
        #expect(result.late)
        #expect(result.leftEarly)
        #expect(result.lastLeave == Self.starts.addingTimeInterval(130 * 60))
    }

    @Test("ten minutes is the line for late and for leaving early", arguments: [
        (10.0, 140.0, false, false), (10.1, 139.9, true, true), (9.0, 150.0, false, false),
    ])
    func boundaries(join: Double, leave: Double, late: Bool, early: Bool) {
        let result = figures([interval(join, leave)])
        #expect(result.late == late)
        #expect(result.leftEarly == early)
    }

    @Test func secondsRoundToTheNearestMinute() {
        #expect(figures([interval(0, 0.5)]).minutesPresent == 1)
        #expect(figures([interval(0, 0.49)]).minutesPresent == 0)
    }

    @Test func nobodyCameIsANoShow() {
        #expect(figures([]).noShow)
        // Present only before the session started is still a no-show for the session.
        #expect(figures([interval(-15, -5)]).noShow)
    }
}
