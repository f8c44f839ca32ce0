import Foundation

/// When a session series meets: weekly on some days, or once on a date; a local start time and a length,
/// in the series' own time zone, so 18:00 stays 18:00 on both sides of a daylight-saving change.
public struct SessionSchedule: Hashable, Sendable {
    /// How often the series meets.
    public enum Recurrence: Hashable, Sendable {
        case weekly(Set<Weekday>)
        case once(LocalDate)
    }

    public var recurrence: Recurrence
    public var start: LocalTime
    public var durationMinutes: Int
    public var timeZone: TimeZone
    /// Weekly series only meet from `firstDate` to `lastDate` (both inclusive) when set.
    public var firstDate: LocalDate?
    public var lastDate: LocalDate?
    /// Single occurrences cancelled or moved, by the date they were scheduled on.
    public var changes: [LocalDate: OccurrenceChange]

    public init(recurrence: Recurrence, start: LocalTime, durationMinutes: Int, timeZone: TimeZone,
                firstDate: LocalDate? = nil, lastDate: LocalDate? = nil, changes: [LocalDate: OccurrenceChange] = [:]) {
        self.recurrence = recurrence
        self.start = start
        self.durationMinutes = durationMinutes
        self.timeZone = timeZone
        self.firstDate = firstDate
        self.lastDate = lastDate
        self.changes = changes
    }

    /// One meeting of the series. `date` is the date it was scheduled on, which names it even when it was moved.
    public struct Occurrence: Hashable, Sendable {
        public var date: LocalDate
        public var starts: Date
        public var ends: Date
    }

    /// The occurrence scheduled on a given local date (cancelled: nil; moved: at its new time).
    public func occurrence(on date: LocalDate) -> Occurrence? {
        guard let regular = scheduledOccurrence(on: date) else { return nil }
        switch changes[date] {
        case nil: return regular
        case .cancelled: return nil
        case .moved(let newDate, let newStart, let newDuration):
            let starts = (newDate ?? date).at(newStart ?? start, in: timeZone)
            let minutes = newDuration ?? durationMinutes
            return Occurrence(date: date, starts: starts, ends: starts.addingTimeInterval(Double(minutes) * 60))
        }
    }

    /// The occurrence the rule itself gives on a date, ignoring cancellations and moves.
    func scheduledOccurrence(on date: LocalDate) -> Occurrence? {
        switch recurrence {
        case .once(let only):
            guard date == only else { return nil }
        case .weekly(let days):
            guard days.contains(date.weekday) else { return nil }
            if let firstDate, date < firstDate { return nil }
            if let lastDate, date > lastDate { return nil }
        }
        let starts = date.at(start, in: timeZone)
        return Occurrence(date: date, starts: starts, ends: starts.addingTimeInterval(Double(durationMinutes) * 60))
    }

    /// Every occurrence that overlaps `[from, to)`, in order.
    public func occurrences(from: Date, to: Date) -> [Occurrence] {
        guard from < to else { return [] }
        // A session can start the local day before `from` and still be running.
        var day = LocalDate(from, in: timeZone).adding(days: -1)
        let lastDay = LocalDate(to, in: timeZone)
        var result: [Occurrence] = []
        func consider(_ occurrence: Occurrence?) {
            if let occurrence, occurrence.ends > from, occurrence.starts < to { result.append(occurrence) }
        }
        while day <= lastDay {
            if changes[day] == nil { consider(occurrence(on: day)) }
            day = day.adding(days: 1)
        }
        // A moved occurrence can land far from the date it was scheduled on.
        for date in changes.keys { consider(occurrence(on: date)) }
        return result.sorted { ($0.starts, $0.date) < ($1.starts, $1.date) }
    }
}

/// A change to one occurrence of a series: called off, or held at another date, time or length.
public enum OccurrenceChange: Hashable, Sendable {
    case cancelled
    /// Nil fields keep the series' own value.
    case moved(date: LocalDate?, start: LocalTime?, durationMinutes: Int?)
}

/// When a room accepts messages: from `openBefore` before the session starts to `graceAfter` after it ends.
public struct ChatWindowPolicy: Hashable, Sendable, Codable {
    public var openBeforeMinutes: Int
    public var graceAfterMinutes: Int

    public static let standard = ChatWindowPolicy(openBeforeMinutes: 15, graceAfterMinutes: 10)

    public init(openBeforeMinutes: Int, graceAfterMinutes: Int) {
        self.openBeforeMinutes = openBeforeMinutes
        self.graceAfterMinutes = graceAfterMinutes
    }

    public func opens(_ starts: Date) -> Date { starts.addingTimeInterval(Double(-openBeforeMinutes) * 60) }
    public func closes(_ ends: Date) -> Date { ends.addingTimeInterval(Double(graceAfterMinutes) * 60) }
}
