import Foundation
import GRDB
import HearthCore

/// Series, rosters and the rooms made from them.
public struct ScheduleStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// One series to store, with its people resolved to ids.
    public struct SeriesInput: Sendable, Equatable {
        public var key: String
        public var title: String
        public var kind: SessionKind
        /// When it meets, including cancelled and moved occurrences.
        public var schedule: SessionSchedule
        public var window: ChatWindowPolicy?
        public var roster: Roster
        /// The program key, when the series is part of a program.
        public var program: String?
        /// Counselors who lead it (an individual session admits only these staff).
        public var facilitators: [PersonID]
        public var admission: Admission
        public var requiresStaff: Bool
        public var agreement: String?

        public init(key: String, title: String, kind: SessionKind, schedule: SessionSchedule,
                    window: ChatWindowPolicy? = nil, roster: Roster, program: String? = nil,
                    facilitators: [PersonID] = [], admission: Admission = .auto, requiresStaff: Bool = false,
                    agreement: String? = nil) {
            self.key = key; self.title = title; self.kind = kind; self.schedule = schedule; self.window = window
            self.roster = roster; self.program = program; self.facilitators = facilitators
            self.admission = admission; self.requiresStaff = requiresStaff; self.agreement = agreement
        }

        /// A series for a plain list of participants.
        public init(key: String, title: String, kind: SessionKind, schedule: SessionSchedule,
                    window: ChatWindowPolicy?, roster: [PersonID]) {
            self.init(key: key, title: title, kind: kind, schedule: schedule, window: window,
                      roster: .participants(roster))
        }
    }

    /// Creates or updates the series with this key. Returns the stored series.
    @discardableResult
    public func upsertSeries(_ input: SeriesInput, now: Date = Date()) throws -> SeriesRecord {
        try database.pool.write { db in try Self.upsert(db, input, now: now).record }
    }

    /// Creates or updates the series with this key for a plain list of participants.
    @discardableResult
    public func upsertSeries(key: String, title: String, kind: SessionKind, schedule: SessionSchedule,
                             window: ChatWindowPolicy? = nil, roster: [PersonID], now: Date = Date()) throws -> SeriesRecord {
        try upsertSeries(SeriesInput(key: key, title: title, kind: kind, schedule: schedule, window: window,
                                     roster: roster), now: now)
    }

    /// Creates or updates every series in one transaction: all of them, or none when one fails.
    /// Returns how many series were new, changed and unchanged.
    public func importSeries(_ inputs: [SeriesInput], now: Date = Date()) throws -> (created: Int, updated: Int, unchanged: Int) {
        try database.pool.write { db in try Self.importSeries(db, inputs, now: now) }
    }

    /// What an import changed.
    public struct ImportCounts: Equatable, Sendable {
        /// Programs, cohorts and enrollments created or changed.
        public var programRows: Int
        public var created: Int
        public var updated: Int
        public var unchanged: Int
    }

    /// Imports a whole clinic description in one transaction: programs, cohorts, enrollments, then series. All of
    /// it, or nothing when one part fails.
    public func importClinic(programs: [ProgramRecord], cohorts: [CohortRecord],
                             enrollments: [ProgramStore.EnrollmentInput], series: [SeriesInput], timeZone: TimeZone,
                             now: Date = Date()) throws -> ImportCounts {
        try database.pool.write { db in
            let programRows = try ProgramStore.importPrograms(db, programs: programs, cohorts: cohorts,
                                                              enrollments: enrollments, timeZone: timeZone)
            let counts = try Self.importSeries(db, series, now: now)
            return ImportCounts(programRows: programRows, created: counts.created, updated: counts.updated,
                                unchanged: counts.unchanged)
        }
    }

    static func importSeries(_ db: Database, _ inputs: [SeriesInput], now: Date) throws
        -> (created: Int, updated: Int, unchanged: Int) {
        var counts = (created: 0, updated: 0, unchanged: 0)
        for input in inputs {
            let outcome = try upsert(db, input, now: now)
            switch outcome.change {
            case .created: counts.created += 1
            case .updated: counts.updated += 1
            case .unchanged: counts.unchanged += 1
            }
        }
        if counts.updated > 0 { try AccessVersion.bump(db) }
        return counts
    }

    enum Change { case created, updated, unchanged }

    static func upsert(_ db: Database, _ input: SeriesInput, now: Date) throws -> (record: SeriesRecord, change: Change) {
        let existing = try SeriesRecord.filter(Column("key") == input.key).fetchOne(db)
        let record = SeriesRecord(id: existing?.id ?? IDGenerator.series(), input: input)
        if let program = input.program, try !ProgramRecord.exists(db, key: program) {
            throw StoreError.notFound("Program \(program)")
        }
        if case .cohort(let cohort) = input.roster, try !CohortRecord.exists(db, key: cohort) {
            throw StoreError.notFound("Cohort \(cohort)")
        }
        try record.save(db)

        // Roster: keep each member's original `fromDate`; someone added to an existing series is on the roster
        // from today (in the series' zone), so they never see the cohort's earlier sessions.
        var changed = existing != record
        let before = Dictionary(try Row.fetchAll(db, sql: "SELECT personId, fromDate FROM seriesMember WHERE seriesId = ?",
                                                 arguments: [record.id])
            .map { (PersonID($0["personId"] as String), $0["fromDate"] as String?) }, uniquingKeysWith: { first, _ in first })
        let wanted = Set(input.roster.named)
        for person in wanted {
            guard let member = try PersonRecord.fetchOne(db, key: person.rawValue) else {
                throw StoreError.notFound("Roster member \(person)")
            }
            guard member.role == .participant else {
                throw StoreError.invalid("A roster lists participants; \(member.displayName) is a \(member.role.rawValue).")
            }
            if before[person] == nil {
                let from = existing == nil ? nil : LocalDate(now, in: record.zone).description
                try db.execute(sql: "INSERT INTO seriesMember (seriesId, personId, fromDate) VALUES (?, ?, ?)",
                               arguments: [record.id, person, from])
                changed = true
            }
        }
        for person in before.keys where !wanted.contains(person) {
            try db.execute(sql: "DELETE FROM seriesMember WHERE seriesId = ? AND personId = ?", arguments: [record.id, person])
            changed = true
        }

        let facilitatorsBefore = try PersonID.fetchSet(db, sql: "SELECT personId FROM seriesFacilitator WHERE seriesId = ?",
                                                       arguments: [record.id])
        if facilitatorsBefore != Set(input.facilitators) {
            changed = true
            try db.execute(sql: "DELETE FROM seriesFacilitator WHERE seriesId = ?", arguments: [record.id])
            for person in Set(input.facilitators) {
                guard let staff = try PersonRecord.fetchOne(db, key: person.rawValue) else {
                    throw StoreError.notFound("Facilitator \(person)")
                }
                guard staff.role.isStaff else {
                    throw StoreError.invalid("A facilitator is a counselor or admin; \(staff.displayName) is a \(staff.role.rawValue).")
                }
                try db.execute(sql: "INSERT INTO seriesFacilitator (seriesId, personId) VALUES (?, ?)",
                               arguments: [record.id, person])
            }
        }

        let changesBefore = try OccurrenceChangeRecord.changes(db, of: record.id)
        if changesBefore != input.schedule.changes {
            changed = true
            try db.execute(sql: "DELETE FROM occurrenceChange WHERE seriesId = ?", arguments: [record.id])
            for (date, change) in input.schedule.changes {
                try OccurrenceChangeRecord(series: record.id, date: date, change: change).insert(db)
            }
        }
        return (record, existing == nil ? .created : (changed ? .updated : .unchanged))
    }

    /// Every series, by title.
    public func allSeries() throws -> [SeriesRecord] {
        try database.pool.read { db in try SeriesRecord.order(Column("title"), Column("key")).fetchAll(db) }
    }

    /// The series with this key.
    public func series(key: String) throws -> SeriesRecord? {
        try database.pool.read { db in try SeriesRecord.filter(Column("key") == key).fetchOne(db) }
    }

    /// The participants named on a series' roster (not those who come through a cohort).
    public func roster(of series: SeriesID) throws -> [PersonID] {
        try database.pool.read { db in
            try PersonID.fetchAll(db, sql: "SELECT personId FROM seriesMember WHERE seriesId = ? ORDER BY personId",
                                  arguments: [series])
        }
    }

    /// The cancelled and moved occurrences of a series.
    public func changes(of series: SeriesID) throws -> [LocalDate: OccurrenceChange] {
        try database.pool.read { db in try OccurrenceChangeRecord.changes(db, of: series) }
    }

    /// Makes the rooms match the schedule for every occurrence overlapping `[from, to)`: creates the missing ones,
    /// moves the ones whose occurrence moved, and removes the ones whose occurrence is gone (cancelled, a dropped
    /// weekday, an earlier `last_date`). Only rooms whose chat has not opened yet are moved or removed, and a room
    /// holding messages is never removed: it is that session's record. Returns how many rooms were created.
    /// Moving or removing a room moves the access version (a room's times decide who may join it, and servers keep
    /// room descriptors in memory until the version moves); creating one does not.
    @discardableResult
    public func materializeRooms(from: Date, to: Date, now: Date = Date(),
                                 defaultWindow: ChatWindowPolicy = .standard) throws -> Int {
        try database.pool.write { db in
            var created = 0
            var changed = false
            defer { if changed { try? AccessVersion.bump(db) } }
            for series in try SeriesRecord.fetchAll(db) {
                let window = series.window(default: defaultWindow)
                let occurrences = try series.schedule(changes: OccurrenceChangeRecord.changes(db, of: series.id))
                    .occurrences(from: from, to: to)
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
                            changed = true
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
                    if !hasMessages {
                        try orphan.delete(db)
                        changed = true
                    }
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

    /// Rooms of occurrences scheduled on the dates `first...last` (each in its series' zone), in start order.
    public func rooms(scheduledFrom first: LocalDate, through last: LocalDate,
                      defaultWindow: ChatWindowPolicy) throws -> [RoomDescriptor] {
        try database.pool.read { db in
            try RoomRecord
                .filter(Column("localDate") >= first.description && Column("localDate") <= last.description)
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

    /// The series whose rooms may have `identity` on their roster, as SQL selecting one column `seriesId`, and its
    /// arguments: a participant's named series and their cohorts' series; a family member's, their participant's
    /// family and multi-family series; a one-room token's, that room's series. Nil for staff: every series.
    static func seriesOf(_ identity: Identity) -> (sql: String, arguments: StatementArguments)? {
        if let only = identity.onlyRoom { return ("SELECT seriesId FROM room WHERE id = ?", [only]) }
        let participant: PersonID
        switch identity.role {
        case .counselor, .admin: return nil
        case .participant: participant = identity.id
        case .family:
            guard let of = identity.familyOf else { return ("SELECT NULL AS seriesId WHERE 0", []) }
            participant = of
        }
        let rostered = """
            SELECT seriesId FROM seriesMember WHERE personId = ?
            UNION SELECT series.id FROM enrollment JOIN series ON series.cohortKey = enrollment.cohortKey
            WHERE enrollment.personId = ? AND series.rosterKind = 'cohort'
            """
        guard identity.role == .family else { return (rostered, [participant, participant]) }
        return ("SELECT id AS seriesId FROM series WHERE kind IN ('family', 'multi_family') AND id IN (\(rostered))",
                [participant, participant])
    }

    /// One person's candidate rooms: those of their series (`seriesOf`; every series for staff) overlapping
    /// `[from, to)`, and the first room of each of those series starting at or after `next`. Only indexed reads of
    /// the person's own series (`room_series_endsAt`, v9): the cost follows their rooms, not the clinic's. Each
    /// date's roster still decides (`AccessRule.mayAccess` on the descriptor).
    static func personalRooms(_ db: Database, _ identity: Identity, from: Date, to: Date,
                              next: Date?) throws -> (overlapping: [RoomRecord], next: [RoomRecord]) {
        let statements = personalRoomStatements(identity, from: from, to: to, next: next)
        let overlapping = try RoomRecord.fetchAll(cached: db, sql: statements.overlapping.sql, arguments: statements.overlapping.arguments)
        guard let upcoming = statements.next else { return (overlapping, []) }
        return (overlapping, try RoomRecord.fetchAll(cached: db, sql: upcoming.sql, arguments: upcoming.arguments))
    }

    private typealias Statement = (sql: String, arguments: StatementArguments)

    private static func personalRoomStatements(_ identity: Identity, from: Date, to: Date,
                                               next: Date?) -> (overlapping: Statement, next: Statement?) {
        let series = seriesOf(identity)
        let range: StatementArguments = [from.epochMilliseconds, to.epochMilliseconds]
        // Staff: every room in the range, found by its end (`room_endsAt`, v9), never by scanning the rooms that
        // started before `to` since the clinic opened.
        let overlapping: Statement = series.map {
            ("SELECT * FROM room WHERE seriesId IN (\($0.sql)) AND endsAt > ? AND startsAt < ? ORDER BY startsAt, id",
             $0.arguments + range)
        } ?? ("SELECT * FROM room INDEXED BY room_endsAt WHERE endsAt > ? AND startsAt < ? ORDER BY startsAt, id", range)
        guard let next else { return (overlapping, nil) }
        let list = series ?? ("SELECT id AS seriesId FROM series", [])
        return (overlapping, ("""
            SELECT * FROM room WHERE id IN (
                SELECT (SELECT r.id FROM room r WHERE r.seriesId = s.seriesId AND r.endsAt > ? AND r.startsAt >= ?
                        ORDER BY r.startsAt, r.id LIMIT 1)
                FROM (\(list.sql)) s)
            ORDER BY startsAt, id
            """, [next.epochMilliseconds, next.epochMilliseconds] + list.arguments))
    }

    /// The query plans (`EXPLAIN QUERY PLAN` details) of a person's room look-ups (`personalRooms`), for tests
    /// that they read through indexes only.
    public func personalRoomPlans(for identity: Identity, from: Date, to: Date, next: Date) throws -> [String] {
        try database.pool.read { db in
            let statements = Self.personalRoomStatements(identity, from: from, to: to, next: next)
            return try [statements.overlapping, statements.next!].flatMap { statement in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
                    .map { $0["detail"] as String }
            }
        }
    }

    static func descriptor(_ db: Database, _ room: RoomRecord, defaultWindow: ChatWindowPolicy) throws -> RoomDescriptor {
        guard let series = try SeriesRecord.fetchOne(cached: db, sql: "SELECT * FROM series WHERE id = ?", arguments: [room.seriesId]) else {
            throw StoreError.notFound("Series of room \(room.id)")
        }
        let roster: [PersonID]
        if series.rosterKind == "cohort" {
            // Enrolled in the cohort on the occurrence's date, and not discharged before it started.
            roster = try PersonID.fetchAll(cached: db, sql: """
                SELECT personId FROM enrollment
                WHERE cohortKey = ? AND startDate <= ? AND endDate >= ? AND (endedAt IS NULL OR endedAt > ?)
                """, arguments: [series.cohortKey, room.localDate, room.localDate, room.startsAt])
        } else {
            roster = try PersonID.fetchAll(cached: db, sql: """
                SELECT personId FROM seriesMember WHERE seriesId = ? AND (fromDate IS NULL OR fromDate <= ?)
                """, arguments: [series.id, room.localDate])
        }
        let facilitators = try PersonRecord.fetchAll(cached: db, sql: """
            SELECT person.* FROM seriesFacilitator JOIN person ON person.id = seriesFacilitator.personId
            WHERE seriesFacilitator.seriesId = ? ORDER BY person.displayName, person.id
            """, arguments: [series.id]).map(\.identity.member)
        return RoomDescriptor(id: room.id, series: series.id, title: series.title, kind: series.kind,
                              date: LocalDate(room.localDate),
                              starts: Date(epochMilliseconds: room.startsAt), ends: Date(epochMilliseconds: room.endsAt),
                              timeZone: series.zone, window: series.window(default: defaultWindow), roster: Set(roster),
                              facilitators: facilitators, admission: series.admission,
                              requiresStaff: series.requiresStaff, agreement: series.agreement)
    }
}
