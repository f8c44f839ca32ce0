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
    /// Each reader connection's page cache, in KiB (SQLite's default is 2,000).
    static let readerCacheKiB = 512
    /// The writer connection's page cache, in KiB: the pages every message insert touches stay in memory.
    static let writerCacheKiB = 16_384

    /// The `PRAGMA synchronous` the writer connection actually runs with.
    public let synchronous: SynchronousMode

    /// Opens (creating if needed) the database file and its folder, then migrates it.
    ///
    /// The files are private whatever the umask: a new folder (and each missing parent) is made 0700, and the
    /// database file, `-wal` and `-shm` are 0600 (see `makeFilesPrivate`). An existing folder is left as it is.
    ///
    /// - Parameter trace: Told the SQL of every statement run on any connection (never its arguments), for tests
    ///   that count what a request reads.
    public init(path: String, synchronous: SynchronousMode = .full, logger: Logger? = nil,
                trace: (@Sendable (String) -> Void)? = nil) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            do {
                try PrivateFiles.makeFolder(folder)
            } catch let error as PrivateFileError {
                guard case .cannotCreate(let failed, let reason) = error else { throw error }
                throw StoreError.cannotOpen(path: path, reason: "cannot create the folder \(failed): \(reason)")
            }
            try Self.makeFilesPrivate(path, logger: logger)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.foreignKeysEnabled = true
            configuration.publicStatementArguments = false
            configuration.label = "hearth"
            configuration.prepareDatabase { db in
                // Reads run on a few connections at once (one per lookup queue); each keeps a page cache of its own.
                // A small one each holds the indexed pages a sign-in or a join touches; the OS caches the file too.
                if db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -\(Self.readerCacheKiB)") }
                // The writer's inserts touch the newest leaf of every live room and an index leaf per sender. With
                // SQLite's 2,000 KiB these fell out of the cache under load and each insert read pages back from the
                // file (docs/PERFORMANCE.md).
                else { try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)") }
                if let trace { db.trace { trace("\($0)") } }
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB puts WAL databases in NORMAL; set ours after it. It is per connection, and only the writer writes.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous == .full ? "FULL" : "NORMAL")")
            }
            let actual = try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            self.synchronous = actual == 2 ? .full : .normal
            try Self.migrator.migrate(pool)
            // SQLite made the -wal and -shm with the database file's mode; check it held.
            try Self.makeFilesPrivate(path, logger: logger)
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
            "hearth.db.folder.mode": "\(PrivateFiles.mode(of: folder).map { String($0, radix: 8) } ?? "?")",
        ])
    }

    /// Creates the database file with mode 0600 when it is new, and sets 0600 on it and on its `-wal` and `-shm`
    /// when they exist. SQLite creates the `-wal` and `-shm` (at open, and again after the last connection closed
    /// them) with the database file's own mode, so a private database file keeps them private, whatever the umask.
    /// A file this user may open but not chmod (another user owns it) is logged and used as it is.
    static func makeFilesPrivate(_ path: String, logger: Logger?) throws {
        do {
            try PrivateFiles.create(path).close()
        } catch PrivateFileError.exists {
            // An existing database: made private below.
        } catch let PrivateFileError.cannotCreate(_, reason) {
            throw StoreError.cannotOpen(path: path, reason: reason)
        }
        for file in [path, path + "-wal", path + "-shm"] {
            do {
                try PrivateFiles.restrict(file)
            } catch {
                logger?.notice("database file not made private: its mode could not be set to 0600", metadata: [
                    "hearth.db.file": "\(file)", "hearth.error": "\(error)",
                ])
            }
        }
    }

    /// Runs a trivial read; used by `/healthz`.
    public func healthCheck() -> Bool {
        (try? pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}
