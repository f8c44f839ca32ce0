import Foundation
import HearthCore
import HearthStore
import Testing

/// Opening the clinic database: durability mode, reopening an existing file, and clear errors for bad paths.
struct HearthDatabaseTests {
    @Test("a new database runs with synchronous full by default")
    func fullByDefault() throws {
        try withTemporaryDatabase { database throws in
            #expect(database.synchronous == .full)
            #expect(database.healthCheck())
        }
    }

    @Test("the writer keeps a 16 MiB page cache and each reader a 512 KiB one")
    func pageCaches() throws {
        try withTemporaryDatabase { database throws in
            let writer = try database.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
            let reader = try database.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
            // Negative: KiB rather than pages.
            #expect(writer == -16_384)
            #expect(reader == -512)
        }
    }

    @Test("a database opened with synchronous normal reports normal")
    func normalWhenAsked() throws {
        try withTemporaryDatabase(synchronous: .normal) { database throws in
            #expect(database.synchronous == .normal)
        }
    }

    @Test("the database file and its missing folders are created")
    func createsFolders() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/nested/deeper/h.db"
            let database = try HearthDatabase(path: path)
            #expect(database.path == path)
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("reopening an existing database keeps its data, however many times")
    func reopen() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/h.db"
            let id: PersonID
            do {
                let first = try HearthDatabase(path: path)
                id = try Directory(first).addPerson(role: .participant, displayName: "Alex R.").id
            }
            for mode in [SynchronousMode.normal, .full] {
                let again = try HearthDatabase(path: path, synchronous: mode)
                #expect(again.synchronous == mode)
                #expect(try Directory(again).person(id)?.displayName == "Alex R.")
                #expect(try Directory(again).people().count == 1)
            }
        }
    }

    @Test("a path whose folder cannot be created is refused with cannotOpen")
    func unwritablePath() throws {
        try withTemporaryFolder { folder throws in
            // A regular file where the folder should be: no folder can be made there, even as root.
            let blocker = folder + "/not-a-folder"
            #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
            let path = blocker + "/h.db"
            let error = #expect(throws: StoreError.self) { try HearthDatabase(path: path) }
            guard case .cannotOpen(let reported, let reason)? = error else {
                Issue.record("expected cannotOpen, got \(String(describing: error))")
                return
            }
            #expect(reported == path)
            #expect(!reason.isEmpty)
            #expect(error?.description.contains(path) == true)
        }
    }

    @Test("a file that is not a database is refused with cannotOpen")
    func notADatabase() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/h.db"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 4096)))
            let error = #expect(throws: StoreError.self) { try HearthDatabase(path: path) }
            guard case .cannotOpen(let reported, _)? = error else {
                Issue.record("expected cannotOpen, got \(String(describing: error))")
                return
            }
            #expect(reported == path)
        }
    }
}
