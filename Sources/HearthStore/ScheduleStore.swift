import Foundation
import GRDB
import HearthCore

/// A session series as stored: the schedule and the roster rooms are made from.
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

    public init(id: SeriesID, key: String, title: String, kind: SessionKind, schedule: SessionSchedule,
                window: ChatWindowPolicy? = nil) {
        self.id = id; self.key = key; self.title = title; self.kind = kind
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
        openBeforeMinutes = window?.openBeforeMinutes
        graceAfterMinutes = window?.graceAfterMinutes
    }

    /// The schedule, or an error naming the stored field that does not parse.
    public func schedule() throws -> SessionSchedule {
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
                               firstDate: firstDate.flatMap(LocalDate.init), lastDate: lastDate.flatMap(LocalDate.init))
    }

    /// This series' own window, or the server default.
    public func window(default standard: ChatWindowPolicy) -> ChatWindowPolicy {
        ChatWindowPolicy(openBeforeMinutes: openBeforeMinutes ?? standard.openBeforeMinutes,
                         graceAfterMinutes: graceAfterMinutes ?? standard.graceAfterMinutes)
    }
}

/// A room as stored: one occurrence of a series.
public struct RoomRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "room"
    public var id: RoomID
    public var seriesId: SeriesID
    public var localDate: String
    public var startsAt: Int64
    public var endsAt: Int64
}

/// Series, rosters and the rooms made from them.
public struct ScheduleStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// Creates or updates the series with this key, and sets its roster. Returns the stored series.
    @discardableResult
    public func upsertSeries(key: String, title: String, kind: SessionKind, schedule: SessionSchedule,
                             window: ChatWindowPolicy? = nil, roster: [PersonID]) throws -> SeriesRecord {
        try database.pool.write { db in
            try Self.upsertSeries(db, key: key, title: title, kind: kind, schedule: schedule, window: window,
                                  roster: roster)
        }
    }

    /// One series to store, with its roster resolved to participant ids.
    public struct SeriesInput: Sendable {
        public var key: String
        public var title: String
        public var kind: SessionKind
        public var schedule: SessionSchedule
        public var window: ChatWindowPolicy?
        public var roster: [PersonID]

        public init(key: String, title: String, kind: SessionKind, schedule: SessionSchedule,
                    window: ChatWindowPolicy?, roster: [PersonID]) {
            self.key = key; self.title = title; self.kind = kind; self.schedule = schedule
            self.window = window; self.roster = roster
        }
    }

    /// Creates or updates every series in one transaction: all of them, or none when one fails.
    /// Returns how many series were new, changed and unchanged.
    public func importSeries(_ inputs: [SeriesInput]) throws -> (created: Int, updated: Int, unchanged: Int) {
        try database.pool.write { db in
            var counts = (created: 0, updated: 0, unchanged: 0)
            for input in inputs {
                let before = try SeriesRecord.filter(Column("key") == input.key).fetchOne(db)
                let rosterBefore = try before.map {
                    try PersonID.fetchSet(db, sql: "SELECT personId FROM seriesMember WHERE seriesId = ?", arguments: [$0.id])
                }
                let after = try Self.upsertSeries(db, key: input.key, title: input.title, kind: input.kind,
                                                  schedule: input.schedule, window: input.window, roster: input.roster)
                if before == nil {
                    counts.created += 1
                } else if before != after || rosterBefore != Set(input.roster) {
                    counts.updated += 1
                } else {
                    counts.unchanged += 1
                }
            }
            return counts
        }
    }

    static func upsertSeries(_ db: Database, key: String, title: String, kind: SessionKind, schedule: SessionSchedule,
                             window: ChatWindowPolicy?, roster: [PersonID]) throws -> SeriesRecord {
        let existing = try SeriesRecord.filter(Column("key") == key).fetchOne(db)
        let record = SeriesRecord(id: existing?.id ?? IDGenerator.series(), key: key, title: title, kind: kind,
                                  schedule: schedule, window: window)
        try record.save(db)
        try db.execute(sql: "DELETE FROM seriesMember WHERE seriesId = ?", arguments: [record.id])
        for person in Set(roster) {
            guard let member = try PersonRecord.fetchOne(db, key: person.rawValue) else {
                throw StoreError.notFound("Roster member \(person)")
            }
            guard member.role == .participant else {
                throw StoreError.invalid("A roster lists participants; \(member.displayName) is a \(member.role.rawValue).")
            }
            try db.execute(sql: "INSERT INTO seriesMember (seriesId, personId) VALUES (?, ?)",
                           arguments: [record.id, person])
        }
        return record
    }

    /// Every series, by title.
    public func allSeries() throws -> [SeriesRecord] {
        try database.pool.read { db in try SeriesRecord.order(Column("title"), Column("key")).fetchAll(db) }
    }

    /// The series with this key.
    public func series(key: String) throws -> SeriesRecord? {
        try database.pool.read { db in try SeriesRecord.filter(Column("key") == key).fetchOne(db) }
    }

    /// The roster of a series.
    public func roster(of series: SeriesID) throws -> [PersonID] {
        try database.pool.read { db in
            try PersonID.fetchAll(db, sql: "SELECT personId FROM seriesMember WHERE seriesId = ? ORDER BY personId",
                                  arguments: [series])
        }
    }

    /// Makes the rooms match the schedule for every occurrence overlapping `[from, to)`: creates the missing ones,
    /// moves the ones whose series moved, and removes the ones whose occurrence is gone (a dropped weekday, an
    /// earlier `last_date`, a one-off moved to another date). Only rooms whose chat has not opened yet are moved or
    /// removed, and a room holding messages is never removed: it is that session's record. Returns how many rooms
    /// were created.
    @discardableResult
    public func materializeRooms(from: Date, to: Date, now: Date = Date(),
                                 defaultWindow: ChatWindowPolicy = .standard) throws -> Int {
        try database.pool.write { db in
            var created = 0
            for series in try SeriesRecord.fetchAll(db) {
                let window = series.window(default: defaultWindow)
                let occurrences = try series.schedule().occurrences(from: from, to: to)
                let existing = try RoomRecord
                    .filter(Column("seriesId") == series.id)
                    .filter(Column("endsAt") > from.epochMilliseconds && Column("startsAt") < to.epochMilliseconds)
                    .fetchAll(db)
                var byDate = Dictionary(existing.map { ($0.localDate, $0) }, uniquingKeysWith: { first, _ in first })
                for occurrence in occurrences {
                    let starts = occurrence.starts.epochMilliseconds, ends = occurrence.ends.epochMilliseconds
                    let known = byDate.removeValue(forKey: occurrence.date.description)
                    let found = try known ?? RoomRecord.filter(Column("seriesId") == series.id
                                                               && Column("localDate") == occurrence.date.description)
                        .fetchOne(db)
                    if var room = found {
                        let chatOpened = window.opens(Date(epochMilliseconds: room.startsAt)) <= now
                        if !chatOpened, room.startsAt != starts || room.endsAt != ends {
                            room.startsAt = starts
                            room.endsAt = ends
                            try room.update(db)
                        }
                    } else {
                        try RoomRecord(id: IDGenerator.room(), seriesId: series.id,
                                       localDate: occurrence.date.description, startsAt: starts, endsAt: ends).insert(db)
                        created += 1
                    }
                }
                for orphan in byDate.values where window.opens(Date(epochMilliseconds: orphan.startsAt)) > now {
                    let hasMessages = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM message WHERE roomId = ?)",
                                                        arguments: [orphan.id]) ?? true
                    if !hasMessages { try orphan.delete(db) }
                }
            }
            return created
        }
    }

    /// Everything the hub needs about one room, or nil when there is no such room.
    public func descriptor(of room: RoomID, defaultWindow: ChatWindowPolicy) throws -> RoomDescriptor? {
        try database.pool.read { db in
            guard let record = try RoomRecord.fetchOne(db, key: room.rawValue) else { return nil }
            return try Self.descriptor(db, record, defaultWindow: defaultWindow)
        }
    }

    /// Rooms whose sessions overlap `[from, to)`, in start order.
    public func rooms(from: Date, to: Date, defaultWindow: ChatWindowPolicy) throws -> [RoomDescriptor] {
        try database.pool.read { db in
            try RoomRecord
                .filter(Column("endsAt") > from.epochMilliseconds && Column("startsAt") < to.epochMilliseconds)
                .order(Column("startsAt"), Column("id"))
                .fetchAll(db)
                .map { try Self.descriptor(db, $0, defaultWindow: defaultWindow) }
        }
    }

    /// The first room of each series that starts at or after `after`, in start order.
    public func nextRooms(after: Date, defaultWindow: ChatWindowPolicy) throws -> [RoomDescriptor] {
        try database.pool.read { db in
            try RoomRecord.fetchAll(db, sql: """
                SELECT room.* FROM room
                JOIN (SELECT seriesId, MIN(startsAt) AS firstStart FROM room WHERE startsAt >= ? GROUP BY seriesId) next
                  ON next.seriesId = room.seriesId AND next.firstStart = room.startsAt
                ORDER BY room.startsAt, room.id
                """, arguments: [after.epochMilliseconds])
                .map { try Self.descriptor(db, $0, defaultWindow: defaultWindow) }
        }
    }

    static func descriptor(_ db: Database, _ room: RoomRecord, defaultWindow: ChatWindowPolicy) throws -> RoomDescriptor {
        guard let series = try SeriesRecord.fetchOne(db, key: room.seriesId.rawValue) else {
            throw StoreError.notFound("Series of room \(room.id)")
        }
        let roster = try PersonID.fetchAll(db, sql: "SELECT personId FROM seriesMember WHERE seriesId = ?",
                                           arguments: [series.id])
        return RoomDescriptor(id: room.id, series: series.id, title: series.title, kind: series.kind,
                              starts: Date(epochMilliseconds: room.startsAt), ends: Date(epochMilliseconds: room.endsAt),
                              timeZone: TimeZone(identifier: series.timeZone) ?? .gmt,
                              window: series.window(default: defaultWindow), roster: Set(roster))
    }
}
