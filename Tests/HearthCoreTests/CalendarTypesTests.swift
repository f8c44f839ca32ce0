import Foundation
import HearthCore
import Testing

/// Parsing the calendar words an admin writes: weekday names, `18:00` times and `2026-11-23` dates.
struct CalendarTypesTests {
    @Test("a weekday is accepted by full name or an unambiguous prefix of two letters or more", arguments: [
        ("mon", Weekday.monday), ("Monday", .monday), ("MONDAY", .monday), (" mo ", .monday),
        ("tu", .tuesday), ("th", .thursday), ("thu", .thursday), ("wed", .wednesday), ("fri", .friday),
        ("sa", .saturday), ("su", .sunday), ("sun", .sunday),
    ])
    func weekdayAccepted(name: String, weekday: Weekday) {
        #expect(Weekday(name: name) == weekday)
    }

    @Test("a weekday name that is too short, ambiguous or unknown is refused", arguments: [
        "t", "s", "m", "", "xyz", "mondays", "tues day", "funday",
    ])
    func weekdayRefused(name: String) {
        #expect(Weekday(name: name) == nil)
    }

    @Test("weekday names round-trip through their short form")
    func weekdayShortNames() {
        #expect(Weekday.allCases.map(\.shortName) == ["sun", "mon", "tue", "wed", "thu", "fri", "sat"])
        for day in Weekday.allCases {
            #expect(Weekday(name: day.shortName) == day)
        }
    }

    @Test("a time like 18:00 or 9:30 parses", arguments: [
        ("18:00", 18, 0), ("9:30", 9, 30), ("00:00", 0, 0), ("23:59", 23, 59),
    ])
    func timeParses(text: String, hour: Int, minute: Int) throws {
        let time = try #require(LocalTime(text))
        #expect(time.hour == hour)
        #expect(time.minute == minute)
    }

    @Test("a time that is out of range or not hh:mm is refused", arguments: [
        "25:00", "24:00", "18:60", "18:5", "abc", "", "18", "18:00:00", "-1:00", "18:0a",
    ])
    func timeRefused(text: String) {
        #expect(LocalTime(text) == nil)
    }

    @Test("a time is written with two-digit hours and minutes")
    func timeDescription() {
        #expect(LocalTime("9:05")?.description == "09:05")
        #expect(LocalTime("18:00")?.description == "18:00")
    }

    @Test("a valid date parses, including 29 February of a leap year")
    func dateParses() throws {
        let date = try #require(LocalDate("2026-11-23"))
        #expect(date.year == 2026 && date.month == 11 && date.day == 23)
        #expect(date.description == "2026-11-23")
        #expect(LocalDate("2028-02-29") != nil)
    }

    @Test("an impossible or misformatted date is refused", arguments: [
        "2026-02-30", "2026-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-5", "26-01-05", "2026/01/05",
        "2026-01-05T00:00", "", "yyyy-mm-dd",
    ])
    func dateRefused(text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test("dates know their weekday, order and next days across month and year ends")
    func dateArithmetic() throws {
        let monday = try #require(LocalDate("2026-03-09"))
        #expect(monday.weekday == .monday)
        #expect(try #require(LocalDate("2026-11-01")).weekday == .sunday)
        #expect(monday.adding(days: 1).description == "2026-03-10")
        #expect(try #require(LocalDate("2026-02-28")).adding(days: 1).description == "2026-03-01")
        #expect(try #require(LocalDate("2026-12-31")).adding(days: 1).description == "2027-01-01")
        #expect(try #require(LocalDate("2026-03-01")).adding(days: -1).description == "2026-02-28")
        #expect(monday < monday.adding(days: 1))
        #expect(try #require(LocalDate("2025-12-31")) < monday)
    }

    @Test("the date of a moment depends on the time zone")
    func dateOfMoment() throws {
        let moment = try #require(WireTime.parse("2026-03-10T02:00:00Z"))
        #expect(LocalDate(moment, in: .gmt).description == "2026-03-10")
        #expect(LocalDate(moment, in: TimeZone(identifier: "America/Los_Angeles")!).description == "2026-03-09")
    }
}
