import Foundation

/// An ISO 8601 week such as `2026-W48`: Monday to Sunday, week 1 holding the year's first Thursday.
public struct ISOWeek: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var year: Int
    public var week: Int

    /// Parses `2026-W48` (or `2026-w48`). Nil when the year has no such week.
    public init?(_ text: String) {
        let parts = text.uppercased().split(separator: "-W")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let week = Int(parts[1]), week >= 1 else { return nil }
        self.year = year
        self.week = week
        guard ISOWeek(containing: monday).year == year else { return nil }
    }

    /// The week a date falls in (the ISO year can differ from the calendar year around New Year).
    public init(containing date: LocalDate) {
        // The Thursday of the date's week decides the ISO year.
        let offset = (date.weekday.rawValue + 5) % 7 // Monday 0 … Sunday 6
        let thursday = date.adding(days: 3 - offset)
        year = thursday.year
        let dayOfYear = Self.dayNumber(thursday) - Self.dayNumber(LocalDate(year: thursday.year, month: 1, day: 1)!)
        week = dayOfYear / 7 + 1
    }

    /// The week's Monday.
    public var monday: LocalDate {
        let january4 = LocalDate(year: year, month: 1, day: 4)!
        let offset = (january4.weekday.rawValue + 5) % 7
        return january4.adding(days: -offset + (week - 1) * 7)
    }

    /// Monday to Sunday.
    public var dates: [LocalDate] { (0..<7).map { monday.adding(days: $0) } }

    public func adding(weeks: Int) -> ISOWeek { ISOWeek(containing: monday.adding(days: 7 * weeks)) }

    public var description: String { String(format: "%04d-W%02d", year, week) }

    public static func < (lhs: ISOWeek, rhs: ISOWeek) -> Bool { (lhs.year, lhs.week) < (rhs.year, rhs.week) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let week = ISOWeek(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO week"))
        }
        self = week
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func dayNumber(_ date: LocalDate) -> Int {
        Int(date.at(LocalTime(hour: 12, minute: 0)!, in: .gmt).timeIntervalSince1970 / 86400)
    }
}
