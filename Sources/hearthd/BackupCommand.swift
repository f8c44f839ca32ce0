import ArgumentParser
import Foundation
import HearthStore

/// `hearthd backup`: a consistent copy of the database, taken while the server runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database to a new file (mode 0600) while the server keeps running.",
        discussion: """
            The copy is one consistent snapshot: every message and record committed before the backup started, \
            nothing half-written. It is written beside FILE under a hidden name and renamed only once complete and \
            checked, so FILE is never a partial copy. An existing FILE is refused unless --force (which replaces it \
            in one step). The copy is a single file (no -wal); restoring it is described in docs/RECORDS.md.
            """)
    @OptionGroup var database: DatabaseOption
    @Option(name: .customLong("to"), help: "The new backup file, e.g. /backups/hearth-2026-11-24.db.") var destination: String
    @Flag(help: "Replace FILE if it exists.") var force = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: database.path) else {
            throw AdminError("There is no database at \(database.path). Give the live database with --db.")
        }
        let summary = try openDatabase(database).backup(to: destination, replacing: force)
        print("backup written to \(summary.path) (\(summary.bytes) bytes, mode 0600); "
              + "audit log: \(summary.auditHead.rows) rows, head hash \(summary.auditHead.hash)")
    }
}
