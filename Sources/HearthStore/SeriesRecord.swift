import Foundation
import GRDB
import HearthCore

/// Who a series is for.
public enum Roster: Hashable, Sendable {
    /// Named participants (a peer meeting across cohorts, a load test). Someone added later is on the roster from
    /// the day they were added, never for earlier occurrences.
    case participants([PersonID])
    /// Everyone enrolled in the cohort on the occurrence's date (a mid-program joiner sees only later occurrences).
    case cohort(String)
    /// One participant (individual counseling).
    case participant(PersonID)
    /// One participant and their family members (family therapy).
    case family(PersonID)

    var kind: String {
        switch self {
        case .participants: "list"
        case .cohort: "cohort"
        case .participant: "participant"
        case .family: "family"
        }
    }

    /// The participants named directly (not through a cohort).
    var named: [PersonID] {
        switch self {
        case .participants(let ids): ids
        case .cohort: []
        case .participant(let id), .family(let id): [id]
        }
    }
}

/// A session series as stored: the schedule, roster and policies rooms are made from.
public struct SeriesRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "series"
    public var id: SeriesID
    /// Stable key chosen by whoever defined it (the YAML file, the demo), so an import can find it again.
    public var key: String
    public var title: String
    public var kind: SessionKind
    /// Comma-separated short weekday names (`mon,wed`) for weekly series; nil for one-off sessions.
    public var weekdays: String?
    /// The date of a one-off session.
    public var onDate: String?
    public var startTime: String
    public var durationMinutes: Int
    public var timeZone: String
    public var firstDate: String?
    public var lastDate: String?
    public var openBeforeMinutes: Int?
    public var graceAfterMinutes: Int?
    /// The program the series belongs to, if any.
    public var programKey: String?
    /// `list`, `cohort`, `participant` or `family` (see `Roster`).
    public var rosterKind: String
    public var cohortKey: String?
    public var admission: Admission
    public var requiresStaff: Bool
    public var agreement: String?

    public init(id: SeriesID, input: ScheduleStore.SeriesInput) {
        self.id = id; key = input.key; title = input.title; kind = input.kind
        let schedule = input.schedule
        switch schedule.recurrence {
        case .weekly(let days):
            weekdays = days.sorted().map(\.shortName).joined(separator: ",")
            onDate = nil
        case .once(let date):
            weekdays = nil
            onDate = date.description
        }
        startTime = schedule.start.description
        durationMinutes = schedule.durationMinutes
        timeZone = schedule.timeZone.identifier
        firstDate = schedule.firstDate?.description
        lastDate = schedule.lastDate?.description
        openBeforeMinutes = input.window?.openBeforeMinutes
        graceAfterMinutes = input.window?.graceAfterMinutes
        programKey = input.program
        rosterKind = input.roster.kind
        if case .cohort(let cohort) = input.roster { cohortKey = cohort } else { cohortKey = nil }
        admission = input.admission
        requiresStaff = input.requiresStaff
        agreement = input.agreement
    }

    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? .gmt }

    /// The schedule (with its cancelled and moved occurrences), or an error naming the stored field that does not
    /// parse.
    public func schedule(changes: [LocalDate: OccurrenceChange] = [:]) throws -> SessionSchedule {
        guard let start = LocalTime(startTime) else { throw StoreError.invalid("Series \(key): bad start \(startTime)") }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw StoreError.invalid("Series \(key): unknown time zone \(timeZone)")
        }
        let recurrence: SessionSchedule.Recurrence
        if let onDate {
            guard let date = LocalDate(onDate) else { throw StoreError.invalid("Series \(key): bad date \(onDate)") }
            recurrence = .once(date)
        } else {
            let days = (weekdays ?? "").split(separator: ",").compactMap { Weekday(name: String($0)) }
            recurrence = .weekly(Set(days))
        }
        return SessionSchedule(recurrence: recurrence, start: start, durationMinutes: durationMinutes, timeZone: zone,
                               firstDate: firstDate.flatMap(LocalDate.init), lastDate: lastDate.flatMap(LocalDate.init),
                               changes: changes)
    }

    /// This series' own window, or the server default.
    public func window(default standard: ChatWindowPolicy) -> ChatWindowPolicy {
        ChatWindowPolicy(openBeforeMinutes: openBeforeMinutes ?? standard.openBeforeMinutes,
                         graceAfterMinutes: graceAfterMinutes ?? standard.graceAfterMinutes)
    }
}

/// A cancelled or moved occurrence as stored.
struct OccurrenceChangeRecord: Codable, FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "occurrenceChange"
    var seriesId: SeriesID
    var date: String
    var cancelled: Bool
    var movedDate: String?
    var movedStart: String?
    var movedDuration: Int?

    init(series: SeriesID, date: LocalDate, change: OccurrenceChange) {
        seriesId = series
        self.date = date.description
        switch change {
        case .cancelled:
            cancelled = true
        case .moved(let newDate, let start, let duration):
            cancelled = false
            movedDate = newDate?.description; movedStart = start?.description; movedDuration = duration
        }
    }

    var change: (LocalDate, OccurrenceChange)? {
        guard let day = LocalDate(date) else { return nil }
        if cancelled { return (day, .cancelled) }
        return (day, .moved(date: movedDate.flatMap(LocalDate.init), start: movedStart.flatMap(LocalTime.init),
                            durationMinutes: movedDuration))
    }

    static func changes(_ db: Database, of series: SeriesID) throws -> [LocalDate: OccurrenceChange] {
        let rows = try OccurrenceChangeRecord.filter(Column("seriesId") == series).fetchAll(db)
        return Dictionary(rows.compactMap(\.change), uniquingKeysWith: { first, _ in first })
    }
}

/// A room as stored: one occurrence of a series.
public struct RoomRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "room"
    public var id: RoomID
    public var seriesId: SeriesID
    /// The date the occurrence was scheduled on (it keeps this name when moved).
    public var localDate: String
    public var startsAt: Int64
    public var endsAt: Int64
}
