import Foundation
import GRDB
import HearthCore

/// A member's report of a message, in the room's staff queue until resolved.
public struct ReportRecord: Equatable, Sendable {
    public var id: Int64
    public var room: RoomID
    public var seq: Int64
    public var by: MemberInfo
    public var reason: String
    public var at: Date
    public var resolved: Bool
}

/// A counseling note tied to one occurrence: stored apart from the room's messages, read by staff only.
public struct CounselorNote: Equatable, Sendable {
    public var id: Int64
    public var author: MemberInfo
    public var body: String
    public var at: Date
}

/// Writes and reads of moderation: restrictions, room settings, message flags, reports and counselor notes.
/// Every change is audited in its own transaction.
public struct ModerationStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    // MARK: Restrictions

    /// Mutes and removals in this room and bans from its series, in force at `now`.
    public func restrictions(room: RoomID, series: SeriesID, now: Date) throws -> [Restriction] {
        try database.pool.read { db in try Self.restrictions(db, room: room, series: series, now: now) }
    }

    static func restrictions(_ db: Database, room: RoomID, series: SeriesID, now: Date) throws -> [Restriction] {
        try Row.fetchAll(cached: db, sql: """
            SELECT kind, personId, until, byId, reason FROM restriction
            WHERE liftedAt IS NULL AND (until IS NULL OR until > ?)
              AND ((roomId = ? AND kind IN ('mute', 'remove')) OR (seriesId = ? AND kind = 'ban'))
            ORDER BY id
            """, arguments: [now.epochMilliseconds, room, series]).map(restriction)
    }

    /// The ban from a series in force for someone, if any.
    public func ban(of person: PersonID, series: SeriesID, now: Date) throws -> Restriction? {
        try database.pool.read { db in
            try Row.fetchOne(cached: db, sql: """
                SELECT kind, personId, until, byId, reason FROM restriction
                WHERE liftedAt IS NULL AND (until IS NULL OR until > ?) AND kind = 'ban' AND seriesId = ? AND personId = ?
                """, arguments: [now.epochMilliseconds, series, person]).map(Self.restriction)
        }
    }

    private static func restriction(_ row: Row) -> Restriction {
        Restriction(kind: RestrictionKind(rawValue: row["kind"]) ?? .mute, person: PersonID(row["personId"] as String),
                    until: (row["until"] as Int64?).map { Date(epochMilliseconds: $0) },
                    by: PersonID(row["byId"] as String), reason: row["reason"])
    }

    /// Records a mute or removal (in `room`) or a ban (from `series`), lifting an earlier one of the same kind.
    public func restrict(_ kind: RestrictionKind, person: PersonID, room: RoomID, series: SeriesID, until: Date?,
                         by staff: PersonID, reason: String?, at date: Date) throws {
        try database.pool.write { db in
            try Self.lift(db, kind, person: person, room: room, series: series, by: staff, at: date)
            try db.execute(sql: """
                INSERT INTO restriction (kind, roomId, seriesId, personId, until, byId, reason, createdAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [kind.rawValue, kind == .ban ? nil : room, kind == .ban ? series : nil, person,
                                 until?.epochMilliseconds, staff, reason, date.epochMilliseconds])
            let action: AuditAction = switch kind { case .mute: .mute; case .remove: .remove; case .ban: .ban }
            var detail = reason.map { "reason: \($0)" }
            if let until { detail = ["until \(WireTime.timestamp(until))", detail].compactMap { $0 }.joined(separator: "; ") }
            try AuditLog.append(db, action, actor: staff, room: room, target: person.rawValue, detail: detail, at: date)
        }
    }

    /// Lifts a mute (in `room`) or a ban (from `series`). Returns false when none was in force.
    @discardableResult
    public func lift(_ kind: RestrictionKind, person: PersonID, room: RoomID, series: SeriesID, by staff: PersonID?,
                     at date: Date) throws -> Bool {
        try database.pool.write { db in
            let lifted = try Self.lift(db, kind, person: person, room: room, series: series, by: staff, at: date)
            let action: AuditAction = kind == .ban ? .unban : .unmute
            try AuditLog.append(db, action, actor: staff, room: room, target: person.rawValue,
                                detail: staff == nil ? "expired" : (lifted ? nil : "none in force"), at: date)
            return lifted
        }
    }

    @discardableResult
    private static func lift(_ db: Database, _ kind: RestrictionKind, person: PersonID, room: RoomID, series: SeriesID,
                             by staff: PersonID?, at date: Date) throws -> Bool {
        try db.execute(sql: """
            UPDATE restriction SET liftedAt = ?, liftedBy = ?
            WHERE liftedAt IS NULL AND kind = ? AND personId = ? AND (roomId = ? OR seriesId = ?)
            """, arguments: [date.epochMilliseconds, staff, kind.rawValue, person, room, series])
        return db.changesCount > 0
    }

    // MARK: Room settings

    public func control(of room: RoomID) throws -> RoomControl {
        try database.pool.read { db in try Self.control(db, of: room) }
    }

    static func control(_ db: Database, of room: RoomID) throws -> RoomControl {
        var control = RoomControl()
        if let row = try Row.fetchOne(cached: db, sql: "SELECT * FROM roomControl WHERE roomId = ?", arguments: [room]) {
            control.locked = row["locked"]
            control.slowSeconds = row["slowSeconds"]
            control.reviewMode = row["reviewMode"]
            control.endedAt = (row["endedAt"] as Int64?).map { Date(epochMilliseconds: $0) }
        }
        return control
    }


    /// Stores a room's settings and audits the action that changed them.
    public func setControl(_ control: RoomControl, room: RoomID, action: AuditAction, by staff: PersonID,
                           detail: String?, at date: Date) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO roomControl (roomId, locked, slowSeconds, reviewMode, endedAt, endedBy) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (roomId) DO UPDATE SET locked = excluded.locked, slowSeconds = excluded.slowSeconds,
                  reviewMode = excluded.reviewMode, endedAt = excluded.endedAt,
                  endedBy = COALESCE(roomControl.endedBy, excluded.endedBy)
                """, arguments: [room, control.locked, control.slowSeconds, control.reviewMode,
                                 control.endedAt?.epochMilliseconds, control.endedAt == nil ? nil : staff])
            try AuditLog.append(db, action, actor: staff, room: room, detail: detail, at: date)
        }
    }

    // MARK: Message flags

    /// Hides, shows, pins, unpins or releases one message. Returns the message as it now stands, or nil when the
    /// room has no such seq.
    public func flag(_ flag: MessageFlag, room: RoomID, seq: Int64, by staff: PersonID, at date: Date) throws -> StoredMessage? {
        try database.pool.write { db in
            let now = date.epochMilliseconds
            let (sql, arguments, action, detail): (String, StatementArguments, AuditAction, String?) = switch flag {
            case .hidden(let reason):
                ("hiddenBy = ?, hiddenAt = ?, hiddenReason = ?", [staff, now, reason], .hide, "reason: \(reason)")
            case .shown: ("hiddenBy = NULL, hiddenAt = NULL, hiddenReason = NULL", [], .unhide, nil)
            case .pinned: ("pinnedBy = ?, pinnedAt = ?", [staff, now], .pin, nil)
            case .unpinned: ("pinnedBy = NULL, pinnedAt = NULL", [], .unpin, nil)
            case .released: ("releasedBy = ?, releasedAt = COALESCE(releasedAt, ?)", [staff, now], .release, nil)
            }
            try db.execute(sql: "UPDATE message SET \(sql) WHERE roomId = ? AND seq = ?", arguments: arguments + [room, seq])
            guard db.changesCount > 0 else { return nil }
            try AuditLog.append(db, action, actor: staff, room: room, target: "seq:\(seq)", detail: detail, at: date)
            return try Row.fetchOne(db, sql: MessageStore.select + " WHERE m.roomId = ? AND m.seq = ?",
                                    arguments: [room, seq]).map(MessageStore.message)
        }
    }

    // MARK: Reports

    /// Files a member's report of a message. Returns it with its id, or nil when the room has no such seq.
    public func fileReport(room: RoomID, seq: Int64, by member: MemberInfo, reason: String, at date: Date) throws -> ReportRecord? {
        try database.pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM message WHERE roomId = ? AND seq = ?)",
                                    arguments: [room, seq]) == true else { return nil }
            try db.execute(sql: "INSERT INTO report (roomId, seq, reporterId, reason, at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [room, seq, member.id, reason, date.epochMilliseconds])
            let id = db.lastInsertedRowID
            try AuditLog.append(db, .reportFile, actor: member.id, room: room, target: "seq:\(seq)",
                                detail: "report \(id)", at: date)
            return ReportRecord(id: id, room: room, seq: seq, by: member, reason: reason,
                                at: Date(epochMilliseconds: date.epochMilliseconds), resolved: false)
        }
    }

    /// Resolves a report. Returns it, or nil when there is no such report.
    public func resolveReport(_ id: Int64, by staff: PersonID, outcome: String?, at date: Date) throws -> ReportRecord? {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE report SET resolvedBy = ?, resolvedAt = ?, outcome = ? WHERE id = ? AND resolvedAt IS NULL",
                           arguments: [staff, date.epochMilliseconds, outcome, id])
            let resolved = db.changesCount > 0
            guard let report = try Self.reports(db, "r.id = ?", [id]).first else { return nil }
            if resolved {
                try AuditLog.append(db, .reportResolve, actor: staff, room: report.room, target: "seq:\(report.seq)",
                                    detail: "report \(id)", at: date)
            }
            return report
        }
    }

    /// One report, resolved or not.
    public func report(_ id: Int64) throws -> ReportRecord? {
        try database.pool.read { db in try Self.reports(db, "r.id = ?", [id]).first }
    }

    /// A room's unresolved reports, oldest first.
    public func openReports(room: RoomID) throws -> [ReportRecord] {
        try database.pool.read { db in try Self.openReports(db, room: room) }
    }

    static func openReports(_ db: Database, room: RoomID) throws -> [ReportRecord] {
        try reports(db, "r.roomId = ? AND r.resolvedAt IS NULL", [room])
    }

    private static func reports(_ db: Database, _ condition: String, _ arguments: StatementArguments) throws -> [ReportRecord] {
        try Row.fetchAll(cached: db, sql: """
            SELECT r.*, p.displayName AS name, p.role AS role FROM report r JOIN person p ON p.id = r.reporterId
            WHERE \(condition) ORDER BY r.id
            """, arguments: arguments).map { row in
            ReportRecord(id: row["id"], room: RoomID(row["roomId"] as String), seq: row["seq"],
                         by: MemberInfo(id: PersonID(row["reporterId"] as String), name: row["name"],
                                        role: Role(rawValue: row["role"]) ?? .participant),
                         reason: row["reason"], at: Date(epochMilliseconds: row["at"]),
                         resolved: (row["resolvedAt"] as Int64?) != nil)
        }
    }

    // MARK: Counselor notes

    /// Stores a note (audited without its text) and returns its id.
    public func addNote(room: RoomID, author: PersonID, body: String, at date: Date) throws -> Int64 {
        try database.pool.write { db in
            try db.execute(sql: "INSERT INTO counselorNote (roomId, authorId, body, at) VALUES (?, ?, ?, ?)",
                           arguments: [room, author, body, date.epochMilliseconds])
            let id = db.lastInsertedRowID
            try AuditLog.append(db, .noteWrite, actor: author, room: room, detail: "note \(id)", at: date)
            return id
        }
    }

    /// A room's notes, oldest first; the read is audited.
    public func notes(room: RoomID, reader: PersonID, at date: Date) throws -> [CounselorNote] {
        try database.pool.write { db in
            try AuditLog.append(db, .noteRead, actor: reader, room: room, at: date)
            return try Row.fetchAll(db, sql: """
                SELECT n.*, p.displayName AS name, p.role AS role FROM counselorNote n JOIN person p ON p.id = n.authorId
                WHERE n.roomId = ? ORDER BY n.id
                """, arguments: [room]).map { row in
                CounselorNote(id: row["id"], author: MemberInfo(id: PersonID(row["authorId"] as String), name: row["name"],
                                                                role: Role(rawValue: row["role"]) ?? .counselor),
                              body: row["body"], at: Date(epochMilliseconds: row["at"]))
            }
        }
    }
}
