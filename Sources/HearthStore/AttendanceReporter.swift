import Foundation
import GRDB
import HearthCore

/// Builds attendance reports and post-session summaries from the store. Display names only; never message text.
public struct AttendanceReporter: Sendable {
    let database: HearthDatabase
    let schedule: ScheduleStore
    let defaultWindow: ChatWindowPolicy
    let policy: AttendancePolicy

    public init(_ database: HearthDatabase, defaultWindow: ChatWindowPolicy = .standard,
                policy: AttendancePolicy = AttendancePolicy()) {
        self.database = database
        schedule = ScheduleStore(database)
        self.defaultWindow = defaultWindow
        self.policy = policy
    }

    /// The attendance of every occurrence scheduled in `week` that has started by `now` (optionally of one
    /// program's series), and each participant's week against their program's required hours.
    /// With a `viewer`, only the sessions they may access are included (a counselor does not see the rows of
    /// another counselor's individual sessions).
    public func report(week: ISOWeek, program: String? = nil, viewer: Identity? = nil, now: Date = Date()) throws -> AttendanceReport {
        var rooms = try schedule.rooms(scheduledFrom: week.monday, through: week.monday.adding(days: 6),
                                       defaultWindow: defaultWindow).filter { $0.starts <= now }
        if let viewer { rooms = rooms.filter { AccessRule.mayAccess(viewer, $0) } }
        if let program {
            let series = try database.pool.read { db in
                try SeriesID.fetchSet(db, sql: "SELECT id FROM series WHERE programKey = ?", arguments: [program])
            }
            rooms = rooms.filter { series.contains($0.series) }
        }
        return try database.pool.read { db in
            let sessions = try Self.sessionRows(db, rooms: rooms, now: now, policy: policy)
            let weekly = try Self.weeklyRows(db, sessions: sessions, week: week, program: program, now: now)
            return AttendanceReport(week: week, program: program, sessions: sessions, weekly: weekly)
        }
    }

    /// The attendance of one occurrence (no weekly summary).
    public func report(room id: RoomID, now: Date = Date()) throws -> AttendanceReport? {
        guard let room = try schedule.descriptor(of: id, defaultWindow: defaultWindow) else { return nil }
        return try database.pool.read { db in
            AttendanceReport(week: ISOWeek(containing: room.date), program: nil,
                             sessions: try Self.sessionRows(db, rooms: [room], now: now, policy: policy), weekly: [])
        }
    }

    /// The counselor's summary of one occurrence: attendance, messages per person, check-ins, alerts.
    public func summary(room id: RoomID, now: Date = Date()) throws -> SessionSummary? {
        guard let room = try schedule.descriptor(of: id, defaultWindow: defaultWindow) else { return nil }
        return try database.pool.read { db in
            let intervals = try AttendanceStore.intervals(db, rooms: [id], now: now)[id] ?? [:]
            let counts = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: """
                SELECT senderId, COUNT(*) AS n FROM message WHERE roomId = ? GROUP BY senderId
                """, arguments: [id]).map { (PersonID($0["senderId"] as String), $0["n"] as Int) })
            let checkins = try Row.fetchAll(db, sql: """
                SELECT personId, at, mood, craving, safe FROM checkin WHERE roomId = ? ORDER BY at, id
                """, arguments: [id])
            let ids = room.roster.union(intervals.keys).union(counts.keys)
                .union(checkins.map { PersonID($0["personId"] as String) })
            let people = try Self.members(db, ids)
            let rows = people.values.sorted { ($0.role.isStaff ? 1 : 0, $0.name, $0.id) < ($1.role.isStaff ? 1 : 0, $1.name, $1.id) }
                .map { member -> SessionSummary.PersonSummary in
                    let figures = AttendanceFigures.compute(intervals[member.id] ?? [], starts: room.starts, ends: room.ends,
                                                            policy: policy)
                    let mine = checkins.filter { ($0["personId"] as String) == member.id.rawValue }.map { row in
                        Checkin(room: id, member: member, mood: row["mood"], craving: row["craving"], safe: row["safe"],
                                ts: WireTime.timestamp(Date(epochMilliseconds: row["at"])))
                    }
                    var attendance = SessionAttendance(room: room, member: member, figures: figures)
                    // A session still running: nobody has left early or missed it yet.
                    if now < room.ends { attendance.leftEarly = false; attendance.noShow = false }
                    return .init(member: member, attendance: attendance, messages: counts[member.id] ?? 0, checkins: mine)
                }
            let alerts = try SessionRecords.alerts(db, sql: "alert.roomId = ?", arguments: [id])
            return SessionSummary(room: room, ended: now >= room.ends, people: rows, alerts: alerts)
        }
    }

    static func members(_ db: Database, _ ids: some Collection<PersonID>) throws -> [PersonID: MemberInfo] {
        guard !ids.isEmpty else { return [:] }
        let records = try PersonRecord.fetchAll(db, keys: ids.map(\.rawValue))
        return Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.identity.member) })
    }

    /// A row per participant or family member per room: everyone on the roster, and anyone else (not staff) who
    /// came. Rooms in start order, people by display name.
    static func sessionRows(_ db: Database, rooms: [RoomDescriptor], now: Date,
                            policy: AttendancePolicy) throws -> [SessionAttendance] {
        let intervals = try AttendanceStore.intervals(db, rooms: rooms.map(\.id), now: now)
        var everyone = Set<PersonID>()
        for room in rooms { everyone.formUnion(room.roster); everyone.formUnion(intervals[room.id]?.keys ?? [:].keys) }
        let people = try members(db, everyone)
        let programs = Dictionary(try Row.fetchAll(db, sql: "SELECT id, programKey FROM series")
            .map { (SeriesID($0["id"] as String), $0["programKey"] as String?) }, uniquingKeysWith: { first, _ in first })
        var rows: [SessionAttendance] = []
        for room in rooms {
            let here = room.roster.union(intervals[room.id]?.keys ?? [:].keys)
                .compactMap { people[$0] }.filter { !$0.role.isStaff }
                .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
            for member in here {
                let figures = AttendanceFigures.compute(intervals[room.id]?[member.id] ?? [], starts: room.starts,
                                                        ends: min(room.ends, max(now, room.starts)), policy: policy)
                var row = SessionAttendance(room: room, program: programs[room.series] ?? nil, member: member, figures: figures)
                // A session still running: nobody has left early or missed it yet.
                if now < room.ends { row.leftEarly = false; row.noShow = false }
                rows.append(row)
            }
        }
        return rows
    }

    static func weeklyRows(_ db: Database, sessions: [SessionAttendance], week: ISOWeek, program: String?,
                           now: Date) throws -> [WeeklyAttendance] {
        // Only program sessions count toward the week (a peer meeting is not required), and only once they ended.
        var byPerson: [PersonID: (member: MemberInfo, minutes: Int, attended: Int, missed: Int)] = [:]
        for row in sessions where row.member.role == .participant && row.program != nil {
            var entry = byPerson[row.member.id] ?? (row.member, 0, 0, 0)
            entry.minutes += row.minutes
            if row.noShow { entry.missed += 1 } else if row.minutes > 0 { entry.attended += 1 }
            byPerson[row.member.id] = entry
        }
        let first = week.adding(weeks: -11)
        return try byPerson.values.sorted { ($0.member.name, $0.member.id) < ($1.member.name, $1.member.id) }.map { entry in
            var enrollments = try EnrollmentRecord.filter(Column("personId") == entry.member.id).fetchAll(db)
            if let program { enrollments = enrollments.filter { $0.programKey == program } }
            let weekStart = week.monday.description, weekEnd = week.monday.adding(days: 6).description
            let enrollment = enrollments.first { $0.startDate <= weekEnd && $0.endDate >= weekStart } ?? enrollments.first
            let required = try enrollment.flatMap { try ProgramRecord.fetchOne(db, key: $0.programKey)?.requiredMinutesPerWeek }
            let trend = try Self.trend(db, person: entry.member.id, from: first, through: week)
            return WeeklyAttendance(member: entry.member, program: enrollment?.programKey, minutes: entry.minutes,
                                    requiredMinutes: required, sessionsAttended: entry.attended,
                                    sessionsMissed: entry.missed, checkins: trend)
        }
    }

    /// Weekly check-in averages, oldest first, for weeks that have check-ins.
    static func trend(_ db: Database, person: PersonID, from first: ISOWeek, through last: ISOWeek) throws -> [CheckinTrend] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT room.localDate AS day, checkin.mood, checkin.craving, checkin.safe FROM checkin
            JOIN room ON room.id = checkin.roomId
            WHERE checkin.personId = ? AND room.localDate >= ? AND room.localDate <= ?
            """, arguments: [person, first.monday.description, last.monday.adding(days: 6).description])
        var weeks: [ISOWeek: (mood: [Int], craving: [Int], notSafe: Int)] = [:]
        for row in rows {
            guard let day = LocalDate(row["day"] as String) else { continue }
            let week = ISOWeek(containing: day)
            var entry = weeks[week] ?? ([], [], 0)
            if let mood = row["mood"] as Int? { entry.mood.append(mood) }
            if let craving = row["craving"] as Int? { entry.craving.append(craving) }
            if (row["safe"] as Bool?) == false { entry.notSafe += 1 }
            weeks[week] = entry
        }
        func average(_ values: [Int]) -> Double? {
            values.isEmpty ? nil : (Double(values.reduce(0, +)) / Double(values.count) * 10).rounded() / 10
        }
        return weeks.keys.sorted().map { week in
            let entry = weeks[week]!
            return CheckinTrend(week: week, mood: average(entry.mood), craving: average(entry.craving), notSafe: entry.notSafe)
        }
    }
}
