import Foundation
import GRDB
import HearthCore

/// What a retention purge did, or would do on a dry run.
public struct PurgeSummary: Equatable, Sendable {
    /// Rooms whose session ended before this lost their messages; nil when retention is 0 (keep forever).
    public var cutoff: Date?
    /// Rooms that had messages or reports deleted.
    public var rooms: Int
    public var messages: Int
    public var reports: Int
    public var dryRun: Bool

    public init(cutoff: Date?, rooms: Int, messages: Int, reports: Int, dryRun: Bool) {
        self.cutoff = cutoff; self.rooms = rooms; self.messages = messages; self.reports = reports; self.dryRun = dryRun
    }
}

/// The retention purge: deletes the messages (and the members' reports of them) of sessions that ended more than
/// `retention_days` ago. Attendance, check-ins, alerts, counselor notes, disclosures and the audit log stay.
/// Messages can leave the database no other way: a trigger refuses `DELETE FROM message` unless `meta.purging` is
/// 1, which only this transaction sets (and clears before it commits).
public struct RetentionPurge: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// Runs the purge. `retentionDays` 0 keeps everything (and writes nothing). A dry run counts and changes
    /// nothing; a real run appends one `purge` audit row with the counts, even when they are 0.
    /// `by` is the staff member who asked, nil for the operator or the server's daily run.
    public func run(retentionDays: Int, now: Date, dryRun: Bool, by: PersonID? = nil) throws -> PurgeSummary {
        guard retentionDays >= 0 else {
            throw StoreError.invalid("Retention must be 0 (keep forever) or a number of days.")
        }
        guard retentionDays > 0 else {
            return PurgeSummary(cutoff: nil, rooms: 0, messages: 0, reports: 0, dryRun: dryRun)
        }
        let cutoff = Date(epochMilliseconds: now.epochMilliseconds - Int64(retentionDays) * 86_400_000)
        let expired = "SELECT id FROM room WHERE endsAt < ?"
        let arguments: StatementArguments = [cutoff.epochMilliseconds]
        let count = { (db: Database) throws -> PurgeSummary in
            let messages = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE roomId IN (\(expired))",
                                            arguments: arguments) ?? 0
            let reports = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report WHERE roomId IN (\(expired))",
                                           arguments: arguments) ?? 0
            let rooms = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT roomId FROM message WHERE roomId IN (\(expired))
                                      UNION SELECT roomId FROM report WHERE roomId IN (\(expired)))
                """, arguments: arguments + arguments) ?? 0
            return PurgeSummary(cutoff: cutoff, rooms: rooms, messages: messages, reports: reports, dryRun: dryRun)
        }
        if dryRun { return try database.pool.read(count) }
        return try database.pool.write { db in
            let summary = try count(db)
            try db.execute(sql: "DELETE FROM report WHERE roomId IN (\(expired))", arguments: arguments)
            try db.execute(sql: "UPDATE meta SET value = 1 WHERE key = 'purging'")
            try db.execute(sql: "DELETE FROM message WHERE roomId IN (\(expired))", arguments: arguments)
            try db.execute(sql: "UPDATE meta SET value = 0 WHERE key = 'purging'")
            try AuditLog.append(db, .purge, actor: by,
                                detail: "retention \(retentionDays) days, sessions ended before \(WireTime.timestamp(cutoff)): "
                                    + "\(summary.messages) messages and \(summary.reports) reports of \(summary.rooms) rooms deleted",
                                at: now)
            return summary
        }
    }
}
