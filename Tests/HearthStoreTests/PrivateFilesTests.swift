import Foundation
import GRDB
import HearthStore
import Testing

/// The database, its -wal and -shm, and the folders made for them are private to the server's user, whatever the
/// umask: the modes are set explicitly, never through the umask. (The test process keeps its own umask, usually
/// 022, under which SQLite alone would make 0644 files; the hearthd command tests run the binary under umask 000.)
struct PrivateFilesTests {
    private func mode(_ path: String) throws -> mode_t {
        try #require(PrivateFiles.mode(of: path), "nothing at \(path)")
    }

    @Test func aNewDatabaseAndItsWalAndShmAre0600AndItsNewFolders0700() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/clinic/data/h.db"
            let database = try HearthDatabase(path: path)
            #expect(try mode(folder + "/clinic") == 0o700)
            #expect(try mode(folder + "/clinic/data") == 0o700)
            #expect(try mode(path) == 0o600)
            #expect(try mode(path + "-wal") == 0o600)
            #expect(try mode(path + "-shm") == 0o600)
            #expect(database.healthCheck())
        }
    }

    @Test func anExistingFolderIsLeftAsItIs() throws {
        try withTemporaryFolder { folder throws in
            #expect(chmod(folder, 0o755) == 0)
            _ = try HearthDatabase(path: folder + "/h.db")
            #expect(try mode(folder) == 0o755)
            #expect(try mode(folder + "/h.db") == 0o600)
        }
    }

    @Test func anExistingDatabaseOpenToOthersIsMadePrivateOnOpen() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/h.db"
            do { _ = try HearthDatabase(path: path) }
            #expect(chmod(path, 0o644) == 0)
            let reopened = try HearthDatabase(path: path)
            #expect(try mode(path) == 0o600)
            #expect(try mode(path + "-wal") == 0o600)
            #expect(reopened.healthCheck())
        }
    }

    @Test func walAndShmCreatedLaterBySQLiteItselfAreAlso0600() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/h.db"
            do { _ = try HearthDatabase(path: path) }
            // The last connection closed: SQLite removed the -wal and -shm. A plain pool (no HearthDatabase, so no
            // chmod of ours) makes new ones, with the database file's mode.
            #expect(PrivateFiles.mode(of: path + "-wal") == nil)
            let pool = try DatabasePool(path: path)
            try pool.write { db in try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('probe', 1)") }
            #expect(try mode(path + "-wal") == 0o600)
            #expect(try mode(path + "-shm") == 0o600)
            try pool.close()
        }
    }

    @Test func aPrivateWriteIs0600AndReplacesOnlyWhenAsked() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/manifest.json"
            try PrivateFiles.write(Data("one".utf8), to: path, replacing: false)
            #expect(try mode(path) == 0o600)
            #expect(throws: PrivateFileError.exists(path: path)) {
                try PrivateFiles.write(Data("two".utf8), to: path, replacing: false)
            }
            #expect(FileManager.default.contents(atPath: path) == Data("one".utf8))
            #expect(chmod(path, 0o644) == 0)
            try PrivateFiles.write(Data("three".utf8), to: path, replacing: true)
            #expect(FileManager.default.contents(atPath: path) == Data("three".utf8))
            #expect(try mode(path) == 0o600)
            // No partial files are left beside it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["manifest.json"])
        }
    }

    @Test func aNewPrivateFileNeverReplacesOne() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/export.txt"
            try PrivateFiles.create(path).close()
            #expect(try mode(path) == 0o600)
            #expect(throws: PrivateFileError.exists(path: path)) { try PrivateFiles.create(path) }
        }
    }
}
