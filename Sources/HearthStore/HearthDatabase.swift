import Foundation
import GRDB
import Logging

/// How hard SQLite works to keep a commit: `full` survives power loss, `normal` survives a crash of the process.
public enum SynchronousMode: String, Codable, Sendable, CaseIterable {
    case full, normal
}

/// Why the database could not be used, and what to do about it.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case notFound(String)
    case invalid(String)
    case conflict(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "Cannot open the database at \(path): \(reason). Check the path and its folder's permissions."
        case .notFound(let what): "\(what) was not found."
        case .invalid(let why): why
        case .conflict(let why): why
        }
    }
}

/// The clinic's SQLite database: one `DatabasePool` (WAL) per process, migrated on open.
public final class HearthDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String
    /// The `PRAGMA synchronous` the writer connection actually runs with.
    public let synchronous: SynchronousMode

    /// Opens (creating if needed) the database file and its folder, then migrates it.
    public init(path: String, synchronous: SynchronousMode = .full, logger: Logger? = nil) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.foreignKeysEnabled = true
            configuration.publicStatementArguments = false
            configuration.label = "hearth"
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB puts WAL databases in NORMAL; set ours after it. It is per connection, and only the writer writes.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous == .full ? "FULL" : "NORMAL")")
            }
            let actual = try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            self.synchronous = actual == 2 ? .full : .normal
            try Self.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: "\(error.resultCode)")
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        logger?.info("database open", metadata: [
            "hearth.db.path": "\(path)", "hearth.db.synchronous": "\(self.synchronous.rawValue)",
            "hearth.db.journal": "wal",
        ])
    }

    /// Runs a trivial read; used by `/healthz`.
    public func healthCheck() -> Bool {
        (try? pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}
