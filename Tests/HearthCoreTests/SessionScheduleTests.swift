import Foundation
import HearthCore
import Testing

/// Schedule maths: sessions stay at their local wall-clock time across daylight-saving changes, and
/// `occurrences(from:to:)` lists exactly the sessions that overlap a range.
struct SessionScheduleTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!

    private func utc(_ text: String) throws -> Date {
        try #require(WireTime.parse(text), "not an ISO-8601 time: \(text)")
    }

    private func date(_ text: String) throws -> LocalDate {
        try #require(LocalDate(text))
    }

    private func mondayEvening(firstDate: LocalDate? = nil, lastDate: LocalDate? = nil) -> SessionSchedule {
        SessionSchedule(recurrence: .weekly([.monday]), start: LocalTime(hour: 18, minute: 0)!, durationMinutes: 180,
                        timeZone: Self.losAngeles, firstDate: firstDate, lastDate: lastDate)
    }

    @Test("a Monday 18:00 Los Angeles series meets at 18:00 local on both sides of the March 2026 change", arguments: [
        ("2026-03-02", "2026-03-03T02:00:00Z"), // PST, UTC-8
        ("2026-03-09", "2026-03-10T01:00:00Z"), // PDT, UTC-7: the day after the 2026-03-08 spring-forward
    ])
    func springForward(day: String, utcStart: String) throws {
        let occurrence = try #require(mondayEvening().occurrence(on: date(day)))
        #expect(occurrence.starts == (try utc(utcStart)))
        #expect(occurrence.ends.timeIntervalSince(occurrence.starts) == 180 * 60)
        let local = Calendar.gregorian(in: Self.losAngeles).dateComponents([.hour, .minute], from: occurrence.starts)
        #expect(local.hour == 18 && local.minute == 0)
    }

    @Test("a Monday 18:00 Los Angeles series meets at 18:00 local on both sides of the November 2026 change", arguments: [
        ("2026-10-26", "2026-10-27T01:00:00Z"), // PDT
        ("2026-11-02", "2026-11-03T02:00:00Z"), // PST: the day after the 2026-11-01 fall-back
    ])
    func fallBack(day: String, utcStart: String) throws {
        let occurrence = try #require(mondayEvening().occurrence(on: date(day)))
        #expect(occurrence.starts == (try utc(utcStart)))
        #expect(occurrence.ends.timeIntervalSince(occurrence.starts) == 180 * 60)
    }

    @Test("occurrences across March 2026 are every Monday at 18:00 local, in order")
    func weeklyOccurrencesAcrossSpringForward() throws {
        let occurrences = mondayEvening().occurrences(from: try utc("2026-03-01T00:00:00Z"), to: try utc("2026-03-24T08:00:00Z"))
        #expect(occurrences.map(\.date.description) == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"])
        #expect(occurrences.map(\.starts) == [
            try utc("2026-03-03T02:00:00Z"), try utc("2026-03-10T01:00:00Z"),
            try utc("2026-03-17T01:00:00Z"), try utc("2026-03-24T01:00:00Z"),
        ])
    }

    @Test("a session is not on a day the series does not meet")
    func noOccurrenceOnOtherDays() throws {
        #expect(mondayEvening().occurrence(on: try date("2026-03-03")) == nil)
        #expect(mondayEvening().occurrence(on: try date("2026-03-08")) == nil)
    }

    @Test("a session already running at `from` is included")
    func runningSessionIncluded() throws {
        // 2026-03-09 18:00-21:00 PDT is 01:00Z-04:00Z on 2026-03-10; ask from 19:30 local.
        let occurrences = mondayEvening().occurrences(from: try utc("2026-03-10T02:30:00Z"),
                                                      to: try utc("2026-03-10T03:00:00Z"))
        #expect(occurrences.map(\.date.description) == ["2026-03-09"])
    }

    @Test("a session that started the local day before `from` and is still running is included")
    func lateNightSessionIncluded() throws {
        let schedule = SessionSchedule(recurrence: .weekly([.monday]), start: LocalTime(hour: 23, minute: 0)!,
                                       durationMinutes: 120, timeZone: Self.losAngeles)
        // Monday 2026-03-16 23:00 PDT to Tuesday 01:00 PDT; ask from Tuesday 00:30 local (07:30Z).
        let occurrences = schedule.occurrences(from: try utc("2026-03-17T07:30:00Z"), to: try utc("2026-03-17T07:45:00Z"))
        #expect(occurrences.map(\.date.description) == ["2026-03-16"])
    }

    @Test("a session ending exactly at `from` or starting exactly at `to` is not included")
    func halfOpenRange() throws {
        let schedule = mondayEvening()
        // 2026-03-02 session: 02:00Z to 05:00Z on 2026-03-03.
        #expect(schedule.occurrences(from: try utc("2026-03-03T05:00:00Z"), to: try utc("2026-03-03T06:00:00Z")).isEmpty)
        #expect(schedule.occurrences(from: try utc("2026-03-03T00:00:00Z"), to: try utc("2026-03-03T02:00:00Z")).isEmpty)
        #expect(schedule.occurrences(from: try utc("2026-03-03T04:59:59Z"), to: try utc("2026-03-03T06:00:00Z")).count == 1)
    }

    @Test("an empty or reversed range has no occurrences")
    func emptyRange() throws {
        let moment = try utc("2026-03-03T03:00:00Z")
        #expect(mondayEvening().occurrences(from: moment, to: moment).isEmpty)
        #expect(mondayEvening().occurrences(from: moment, to: moment.addingTimeInterval(-86400)).isEmpty)
    }

    @Test("a weekly series only meets from firstDate to lastDate, both inclusive")
    func firstAndLastDate() throws {
        let schedule = mondayEvening(firstDate: try date("2026-03-09"), lastDate: try date("2026-03-23"))
        let occurrences = schedule.occurrences(from: try utc("2026-02-25T00:00:00Z"), to: try utc("2026-04-15T00:00:00Z"))
        #expect(occurrences.map(\.date.description) == ["2026-03-09", "2026-03-16", "2026-03-23"])
    }

    @Test("a one-off session meets on its date only")
    func oneOff() throws {
        let schedule = SessionSchedule(recurrence: .once(try date("2026-11-01")), start: LocalTime(hour: 10, minute: 30)!,
                                       durationMinutes: 90, timeZone: Self.losAngeles)
        let occurrences = schedule.occurrences(from: try utc("2026-10-01T00:00:00Z"), to: try utc("2026-12-01T00:00:00Z"))
        #expect(occurrences.count == 1)
        let only = try #require(occurrences.first)
        #expect(only.date == (try date("2026-11-01")))
        // 2026-11-01 is the fall-back day: 10:30 is already PST.
        #expect(only.starts == (try utc("2026-11-01T18:30:00Z")))
        #expect(only.ends == (try utc("2026-11-01T20:00:00Z")))
        #expect(schedule.occurrence(on: try date("2026-11-08")) == nil)
    }

    @Test("a one-off session outside the range is not listed")
    func oneOffOutsideRange() throws {
        let schedule = SessionSchedule(recurrence: .once(try date("2026-11-01")), start: LocalTime(hour: 10, minute: 30)!,
                                       durationMinutes: 90, timeZone: Self.losAngeles)
        #expect(schedule.occurrences(from: try utc("2026-11-02T00:00:00Z"), to: try utc("2026-12-01T00:00:00Z")).isEmpty)
    }

    @Test("a series on several weekdays lists each day")
    func severalWeekdays() throws {
        let schedule = SessionSchedule(recurrence: .weekly([.monday, .friday]), start: LocalTime(hour: 18, minute: 0)!,
                                       durationMinutes: 60, timeZone: Self.losAngeles)
        let occurrences = schedule.occurrences(from: try utc("2026-03-02T08:00:00Z"), to: try utc("2026-03-16T08:00:00Z"))
        #expect(occurrences.map(\.date.description) == ["2026-03-02", "2026-03-06", "2026-03-09", "2026-03-13"])
    }

    @Test("the chat window opens before the start and closes after the end")
    func chatWindowPolicy() throws {
        let starts = try utc("2026-03-03T02:00:00Z")
        #expect(ChatWindowPolicy.standard.opens(starts) == starts.addingTimeInterval(-15 * 60))
        #expect(ChatWindowPolicy.standard.closes(starts) == starts.addingTimeInterval(10 * 60))
        let custom = ChatWindowPolicy(openBeforeMinutes: 0, graceAfterMinutes: 30)
        #expect(custom.opens(starts) == starts)
        #expect(custom.closes(starts) == starts.addingTimeInterval(30 * 60))
    }
}
