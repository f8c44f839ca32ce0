import Foundation

/// A day of the week, numbered as Foundation's Gregorian calendar numbers them (Sunday = 1).
public enum Weekday: Int, Codable, Sendable, CaseIterable, Comparable {
    case sunday = 1, monday, tuesday, wednesday, thursday, friday, saturday

    /// Accepts a full English name or any unambiguous prefix of two letters or more: `mon`, `Monday`, `tu`.
    public init?(name: String) {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        let matches = Weekday.allCases.filter { key.count >= 2 && $0.name.hasPrefix(key) }
        guard matches.count == 1 else { return nil }
        self = matches[0]
    }

    /// The full lowercase English name, e.g. `monday`.
    public var name: String {
        ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"][rawValue - 1]
    }

    /// The three-letter form used in the database and YAML, e.g. `mon`.
    public var shortName: String { String(name.prefix(3)) }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A wall-clock time of day, e.g. 18:00, with no date or zone.
public struct LocalTime: Hashable, Codable, Sendable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    public init?(hour: Int, minute: Int) {
        guard (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Parses `18:00` or `9:30`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), parts[1].count == 2 else {
            return nil
        }
        self.init(hour: hour, minute: minute)
    }

    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}

/// A calendar date with no zone, e.g. 2026-11-23.
public struct LocalDate: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `2026-11-23`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The date a moment falls on in a time zone.
    public init(_ date: Date, in timeZone: TimeZone) {
        let calendar = Calendar.gregorian(in: timeZone)
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year!
        month = parts.month!
        day = parts.day!
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The next calendar day.
    public func adding(days: Int) -> LocalDate {
        let calendar = Calendar.gregorian(in: .gmt)
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day))!
        return LocalDate(calendar.date(byAdding: .day, value: days, to: date)!, in: .gmt)
    }

    /// Its day of the week.
    public var weekday: Weekday {
        let calendar = Calendar.gregorian(in: .gmt)
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day))!
        return Weekday(rawValue: calendar.component(.weekday, from: date))!
    }

    /// The moment this date shows `time` on clocks in `timeZone`. In a daylight-saving gap (a time that does not
    /// exist that day) this is the first valid moment after it, as Foundation resolves it.
    public func at(_ time: LocalTime, in timeZone: TimeZone) -> Date {
        Calendar.gregorian(in: timeZone).date(from: DateComponents(
            year: year, month: month, day: day, hour: time.hour, minute: time.minute))!
    }
}

extension Calendar {
    /// A Gregorian calendar in the given zone.
    public static func gregorian(in timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}
