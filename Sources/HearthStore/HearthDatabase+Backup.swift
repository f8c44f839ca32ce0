import Foundation
import GRDB

/// What `HearthDatabase.backup(to:replacing:)` wrote.
public struct BackupSummary: Equatable, Sendable {
    public var path: String
    public var bytes: Int64
    /// The audit chain's head in the copy: the copy holds exactly the rows up to it.
    public var auditHead: AuditHead
}

/// Why a backup was not written, and what to do about it.
public enum BackupError: Error, CustomStringConvertible, Equatable {
    /// A file is already there, and the backup was not asked to replace it.
    case exists(path: String)
    /// The destination is the live database (or its `-wal`/`-shm`).
    case isTheDatabase(path: String)
    case failed(path: String, reason: String)

    public var description: String {
        switch self {
        case .exists(let path):
            "\(path) already exists. Choose a new file name (e.g. with today's date), or replace it on purpose (hearthd backup --force)."
        case .isTheDatabase(let path):
            "\(path) is the live database itself (or its -wal or -shm). Back up to a file in another folder, ideally on another disk."
        case .failed(let path, let reason):
            "The backup to \(path) failed: \(reason). Nothing was left at \(path); check the folder exists, is writable and has room."
        }
    }
}

extension HearthDatabase {
    /// Copies the database to `destination` while the server keeps running: one consistent snapshot (every
    /// transaction committed before the call, none half), through SQLite's online backup in one step.
    ///
    /// The copy is written to a hidden file beside `destination` (mode 0600, whatever the umask), checked
    /// (`PRAGMA quick_check`), switched to a single file (rollback journal, no `-wal`), and only then given its
    /// name: a failed or interrupted backup never leaves a partial file under that name. Opening the copy with
    /// `HearthDatabase` turns WAL back on.
    /// - Parameter replacing: replace an existing file at `destination` (atomically); otherwise refuse.
    /// - Throws: `BackupError`.
    public func backup(to destination: String, replacing: Bool = false) throws -> BackupSummary {
        let target = URL(fileURLWithPath: destination).standardizedFileURL.path
        try refuseLiveFiles(target)
        if !replacing && FileManager.default.fileExists(atPath: target) { throw BackupError.exists(path: destination) }
        let temporary = PrivateFiles.temporaryPath(beside: target)
        let removeTemporary = {
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(temporary + suffix) }
        }
        do {
            try PrivateFiles.create(temporary).close()
            var configuration = Configuration()
            configuration.publicStatementArguments = false
            configuration.label = "hearth.backup"
            let copy = try DatabaseQueue(path: temporary, configuration: configuration)
            try pool.backup(to: copy)
            let head = try copy.writeWithoutTransaction { db -> AuditHead in
                // The copy carries the live database's WAL flag; make it one self-contained file.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
                guard check == ["ok"] else {
                    throw BackupError.failed(path: destination, reason: "the copy does not pass SQLite's quick_check")
                }
                return try AuditLog.head(db)
            }
            try copy.close()
            try PrivateFiles.place(temporary, at: target, replacing: replacing)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? NSNumber)?.int64Value ?? 0
            return BackupSummary(path: destination, bytes: bytes, auditHead: head)
        } catch let error as BackupError {
            removeTemporary()
            throw error
        } catch PrivateFileError.exists {
            removeTemporary()
            throw BackupError.exists(path: destination)
        } catch let PrivateFileError.cannotCreate(_, reason) {
            removeTemporary()
            throw BackupError.failed(path: destination, reason: reason)
        } catch let error as DatabaseError {
            removeTemporary()
            throw BackupError.failed(path: destination, reason: "SQLite said \(error.resultCode)")
        } catch {
            removeTemporary()
            throw BackupError.failed(path: destination, reason: "\(error)")
        }
    }

    /// Refuses a destination that is the database file or its `-wal`/`-shm`, by name or (through a link) by inode.
    private func refuseLiveFiles(_ target: String) throws {
        let live = URL(fileURLWithPath: path).standardizedFileURL.path
        for file in [live, live + "-wal", live + "-shm"] {
            if target == file || Self.sameFile(target, file) { throw BackupError.isTheDatabase(path: target) }
        }
    }

    private static func sameFile(_ first: String, _ second: String) -> Bool {
        var a = stat(), b = stat()
        guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
