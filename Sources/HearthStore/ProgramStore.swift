import Foundation
import GRDB
import HearthCore

/// A treatment program, e.g. "Evening IOP - adults, substance use": how long it runs and the hours a week it
/// requires.
public struct ProgramRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "program"
    public var key: String
    public var title: String
    public var weeks: Int
    public var requiredMinutesPerWeek: Int

    public init(key: String, title: String, weeks: Int, requiredMinutesPerWeek: Int) {
        self.key = key; self.title = title; self.weeks = weeks; self.requiredMinutesPerWeek = requiredMinutesPerWeek
    }
}

/// A cohort: the group of participants of one program who meet together.
public struct CohortRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "cohort"
    public var key: String
    public var programKey: String
    public var title: String

    public init(key: String, programKey: String, title: String) {
        self.key = key; self.programKey = programKey; self.title = title
    }
}

/// How an enrollment ended.
public enum EnrollmentEnd: String, Codable, Sendable, CaseIterable {
    case graduated, discharged
}

/// A participant's enrollment in a program: from a start date to a planned end date (extendable), in a cohort,
/// until graduation or discharge.
public struct EnrollmentRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "enrollment"
    public var id: Int64?
    public var personId: PersonID
    public var programKey: String
    public var cohortKey: String?
    public var startDate: String
    public var endDate: String
    public var endedAt: Int64?
    public var endReason: EnrollmentEnd?

    public init(personId: PersonID, programKey: String, cohortKey: String?, startDate: LocalDate, endDate: LocalDate) {
        self.personId = personId; self.programKey = programKey; self.cohortKey = cohortKey
        self.startDate = startDate.description; self.endDate = endDate.description
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Not yet graduated or discharged at `now`.
    public func isActive(at now: Date) -> Bool { endedAt.map { $0 > now.epochMilliseconds } ?? true }
}

/// Programs, cohorts and enrollments.
public struct ProgramStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// One enrollment to store, by participant id.
    public struct EnrollmentInput: Sendable, Equatable {
        public var person: PersonID
        public var program: String
        public var cohort: String?
        public var start: LocalDate
        public var end: LocalDate
        /// Graduation or discharge stated in the file; an enrollment already ended stays ended.
        public var ended: (date: LocalDate, reason: EnrollmentEnd)?

        public init(person: PersonID, program: String, cohort: String?, start: LocalDate, end: LocalDate,
                    ended: (date: LocalDate, reason: EnrollmentEnd)? = nil) {
            self.person = person; self.program = program; self.cohort = cohort; self.start = start; self.end = end
            self.ended = ended
        }

        public static func == (lhs: EnrollmentInput, rhs: EnrollmentInput) -> Bool {
            lhs.person == rhs.person && lhs.program == rhs.program && lhs.cohort == rhs.cohort
                && lhs.start == rhs.start && lhs.end == rhs.end && lhs.ended?.date == rhs.ended?.date
                && lhs.ended?.reason == rhs.ended?.reason
        }
    }

    /// Creates or updates programs, cohorts and enrollments (by key; enrollments by participant and program).
    /// Returns how many rows were created or changed. Runs inside the caller's transaction.
    static func importPrograms(_ db: Database, programs: [ProgramRecord], cohorts: [CohortRecord],
                               enrollments: [EnrollmentInput], timeZone: TimeZone) throws -> Int {
        var changed = 0
        for program in programs where try ProgramRecord.fetchOne(db, key: program.key) != program {
            try program.save(db)
            changed += 1
        }
        for cohort in cohorts where try CohortRecord.fetchOne(db, key: cohort.key) != cohort {
            guard try ProgramRecord.exists(db, key: cohort.programKey) else { throw StoreError.notFound("Program \(cohort.programKey)") }
            try cohort.save(db)
            changed += 1
        }
        var accessChanged = false
        for input in enrollments {
            guard let person = try PersonRecord.fetchOne(db, key: input.person.rawValue), person.role == .participant else {
                throw StoreError.invalid("Only participants are enrolled.")
            }
            var record = try EnrollmentRecord.filter(Column("personId") == input.person && Column("programKey") == input.program)
                .fetchOne(db) ?? EnrollmentRecord(personId: input.person, programKey: input.program, cohortKey: input.cohort,
                                                  startDate: input.start, endDate: input.end)
            let before = record
            record.cohortKey = input.cohort
            record.startDate = input.start.description
            record.endDate = input.end.description
            if let ended = input.ended, record.endedAt == nil {
                // Ended at the end of that day in the clinic's zone: that day's sessions still count.
                record.endedAt = ended.date.adding(days: 1).at(LocalTime(hour: 0, minute: 0)!, in: timeZone).epochMilliseconds
                record.endReason = ended.reason
                accessChanged = true
            }
            if record.id == nil || record != before {
                try record.save(db)
                changed += 1
                accessChanged = true
            }
        }
        if accessChanged { try AccessVersion.bump(db) }
        return changed
    }

    public func programs() throws -> [ProgramRecord] {
        try database.pool.read { db in try ProgramRecord.order(Column("title")).fetchAll(db) }
    }

    public func cohorts() throws -> [CohortRecord] {
        try database.pool.read { db in try CohortRecord.order(Column("title")).fetchAll(db) }
    }

    public func program(key: String) throws -> ProgramRecord? {
        try database.pool.read { db in try ProgramRecord.fetchOne(db, key: key) }
    }

    /// A participant's enrollments, newest first.
    public func enrollments(of person: PersonID) throws -> [EnrollmentRecord] {
        try database.pool.read { db in
            try EnrollmentRecord.filter(Column("personId") == person).order(Column("startDate").desc).fetchAll(db)
        }
    }

    /// Every enrollment, optionally of one program.
    public func enrollments(program: String? = nil) throws -> [EnrollmentRecord] {
        try database.pool.read { db in
            var request = EnrollmentRecord.order(Column("programKey"), Column("startDate"))
            if let program { request = request.filter(Column("programKey") == program) }
            return try request.fetchAll(db)
        }
    }

    /// Ends a participant's enrollment now (graduation or discharge): from this moment they can join no room of
    /// the program, and a connected participant is disconnected within a second.
    @discardableResult
    public func end(person: PersonID, program: String, reason: EnrollmentEnd, now: Date = Date()) throws -> EnrollmentRecord {
        try database.pool.write { db in
            guard var record = try EnrollmentRecord.filter(Column("personId") == person && Column("programKey") == program)
                .fetchOne(db) else { throw StoreError.notFound("An enrollment of \(person) in \(program)") }
            guard record.endedAt == nil else {
                throw StoreError.conflict("This enrollment already ended (\(record.endReason?.rawValue ?? "ended")).")
            }
            record.endedAt = now.epochMilliseconds
            record.endReason = reason
            try record.update(db)
            try AccessVersion.bump(db)
            return record
        }
    }

    /// Moves an enrollment's planned end date (programs are extended by progress).
    @discardableResult
    public func extend(person: PersonID, program: String, until end: LocalDate) throws -> EnrollmentRecord {
        try database.pool.write { db in
            guard var record = try EnrollmentRecord.filter(Column("personId") == person && Column("programKey") == program)
                .fetchOne(db) else { throw StoreError.notFound("An enrollment of \(person) in \(program)") }
            guard end.description >= record.startDate else { throw StoreError.invalid("The end date is before the start date.") }
            record.endDate = end.description
            try record.update(db)
            try AccessVersion.bump(db)
            return record
        }
    }

    /// Why a participant may not take part at all, or nil when they may: someone enrolled in programs needs an
    /// enrollment that has not ended. (A participant enrolled in no program takes part through named rosters.)
    public static func standing(_ db: Database, participant: PersonID, now: Date) throws -> ProtocolError? {
        standing(enrollments: try enrollments(db, of: participant), now: now)
    }

    /// A participant's enrollments (the rows their standing is decided from).
    static func enrollments(_ db: Database, of participant: PersonID) throws -> [EnrollmentRecord] {
        try EnrollmentRecord.fetchAll(cached: db, sql: "SELECT * FROM enrollment WHERE personId = ?", arguments: [participant])
    }

    /// The standing decided from a participant's enrollments at `now` (see above).
    public static func standing(enrollments: [EnrollmentRecord], now: Date) -> ProtocolError? {
        guard !enrollments.isEmpty, !enrollments.contains(where: { $0.isActive(at: now) }) else { return nil }
        return ProtocolError(.unauthorized, "Your program has ended, so this invitation no longer opens sessions. "
                             + "If that is a mistake, talk to your counselor.")
    }
}

/// A number every change to who-may-access-what bumps (a revoked token or consent, an ended enrollment, a roster
/// edit), so a running server re-checks its connections within a second even when another process made the change.
public enum AccessVersion {
    public static func bump(_ db: Database) throws {
        try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'accessVersion'")
    }

    public static func current(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(cached: db, sql: "SELECT value FROM meta WHERE key = 'accessVersion'") ?? 0
    }
}
