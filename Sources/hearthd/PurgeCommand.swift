import ArgumentParser
import Foundation
import HearthCore
import HearthServer
import HearthStore

/// `hearthd purge`: the retention purge, by hand (the server runs it daily).
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete the messages of sessions that ended more than the retention period ago (retention_days).",
        discussion: """
            Deletes the messages, and members' reports of them, of every session that ended more than N days ago. \
            Attendance, check-ins, alerts, counselor notes, the accounting of disclosures and the audit log stay. \
            A real run is recorded in the audit log; --dry-run only counts.
            """)
    @Option(name: .customLong("db"), help: "SQLite database file (default: the configuration's `database`).")
    var path: String?
    @Option(help: "JSON configuration file (see print-default-config), for retention_days and database.") var config: String?
    @Option(help: "Retention in days (default: the configuration's retention_days; 0 keeps everything).") var days: Int?
    @Flag(help: "Count what would be deleted; delete nothing.") var dryRun = false

    func validate() throws {
        if let days, days < 0 { throw ValidationError("--days must be 0 (keep forever) or more.") }
    }

    func run() throws {
        let configuration = try ServerConfiguration.resolve(file: config, environment: ProcessInfo.processInfo.environment)
        let retention = days ?? configuration.retentionDays
        let database = try HearthDatabase(path: path ?? configuration.database)
        let summary = try RetentionPurge(database).run(retentionDays: retention, now: Date(), dryRun: dryRun)
        guard let cutoff = summary.cutoff else {
            print("retention is 0 days: messages are kept forever; nothing to purge")
            return
        }
        let what = "\(summary.messages) messages and \(summary.reports) reports of \(summary.rooms) rooms "
            + "(sessions that ended before \(WireTime.local(cutoff, in: .current)); retention \(retention) days)"
        print(dryRun ? "dry run: would delete \(what); nothing was deleted" : "purged \(what); recorded in the audit log")
    }
}
