import Foundation
import GRDB
import HearthCore
import HearthStore
import Synchronization
import Testing

/// `HearthDatabase.backup`: a consistent copy taken while messages and audit rows are being committed, private,
/// never over an existing file unless asked, and a copy that restores.
struct BackupTests {
    /// Commits one message (waiting for its outcome) and one audit row at a time on its own thread until stopped,
    /// and remembers which client_ids were acknowledged.
    final class BusyWriter: Sendable {
        private let acknowledged = Mutex<[String]>([])
        private let stopping = Atomic<Bool>(false)
        private let finished = DispatchSemaphore(value: 0)

        init(_ database: HearthDatabase, _ clinic: SmallClinic) {
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            let log = AuditLog(database)
            Thread.detachNewThread { [self] in
                var number = 0
                while !stopping.load(ordering: .relaxed) {
                    number += 1
                    writer.submit([clinic.pending(number % 2, from: number.isMultiple(of: 3) ? clinic.sam : clinic.alex,
                                                  "message \(number)", clientID: "k\(number)", tag: number)])
                    guard (try? box.wait(for: 1)) != nil, box.all.last?.committed != nil else { break }
                    try? log.append(.historyRead, actor: clinic.dana.id, room: clinic.rooms[number % 2].id,
                                    target: "seq:\(number)", at: Date())
                    acknowledged.withLock { $0.append("k\(number)") }
                }
                writer.stop()
                finished.signal()
            }
        }

        var acknowledgedSoFar: [String] { acknowledged.withLock { $0 } }

        func stop() {
            stopping.store(true, ordering: .relaxed)
            finished.wait()
        }
    }

    private func clientIDs(_ database: HearthDatabase) throws -> Set<String> {
        Set(try database.pool.read { db in try String.fetchAll(db, sql: "SELECT clientId FROM message") })
    }

    @Test func aBackupTakenWhileMessagesAreCommittedHoldsEveryAcknowledgedOneAndAnIntactAuditLog() throws {
        try withTemporaryFolder { folder throws in
            let database = try HearthDatabase(path: folder + "/live/h.db")
            let clinic = try SmallClinic(database)
            let busy = BusyWriter(database, clinic)
            while busy.acknowledgedSoFar.count < 30 { Thread.sleep(forTimeInterval: 0.005) }
            let before = busy.acknowledgedSoFar
            let summary = try database.backup(to: folder + "/copy.db")
            // Commits go on after the copy (so the live database holds more than the copy).
            let taken = busy.acknowledgedSoFar.count
            while busy.acknowledgedSoFar.count < taken + 10 { Thread.sleep(forTimeInterval: 0.005) }
            busy.stop()

            #expect(summary.path == folder + "/copy.db")
            #expect(summary.bytes > 0)
            #expect(PrivateFiles.mode(of: folder + "/copy.db") == 0o600)
            // One self-contained file: no -wal, no -shm, nothing partial left beside it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["copy.db", "live"])

            let copy = try HearthDatabase(path: folder + "/copy.db")
            let inCopy = try clientIDs(copy)
            #expect(Set(before).isSubset(of: inCopy))
            let live = try clientIDs(database)
            #expect(inCopy.isSubset(of: live) && inCopy.count < live.count)
            let verification = try AuditLog(copy).verify()
            #expect(verification.intact)
            #expect(verification.rows == summary.auditHead.rows)
            #expect(verification.head == summary.auditHead.hash)
            // The live log went on past the copy's head, which is one of its rows.
            #expect(try AuditLog(database).verify(expectingHead: summary.auditHead.hash).expected != .missing)
        }
    }

    @Test func aBackupNeverReplacesAFileUnlessAsked() throws {
        try withTemporaryFolder { folder throws in
            let database = try HearthDatabase(path: folder + "/h.db")
            let path = folder + "/backup.db"
            #expect(FileManager.default.createFile(atPath: path, contents: Data("old".utf8)))
            #expect(throws: BackupError.exists(path: path)) { try database.backup(to: path) }
            #expect(FileManager.default.contents(atPath: path) == Data("old".utf8))
            #expect(chmod(path, 0o644) == 0)
            _ = try database.backup(to: path, replacing: true)
            #expect(PrivateFiles.mode(of: path) == 0o600)
            #expect(try AuditLog(HearthDatabase(path: path)).verify().intact)
        }
    }

    @Test func aBackupOverTheLiveDatabaseIsRefused() throws {
        try withTemporaryFolder { folder throws in
            let database = try HearthDatabase(path: folder + "/h.db")
            for target in [folder + "/h.db", folder + "/./h.db", folder + "/h.db-wal"] {
                #expect(throws: BackupError.self) { try database.backup(to: target, replacing: true) }
            }
            #expect(database.healthCheck())
        }
    }

    @Test func aFailedBackupLeavesNothingBehind() throws {
        try withTemporaryFolder { folder throws in
            let database = try HearthDatabase(path: folder + "/h.db")
            let error = #expect(throws: BackupError.self) { try database.backup(to: folder + "/missing/backup.db") }
            guard case .failed? = error else {
                Issue.record("expected failed, got \(String(describing: error))")
                return
            }
            #expect(error?.description.contains("Nothing was left") == true)
            #expect(!FileManager.default.fileExists(atPath: folder + "/missing"))
        }
    }

    @Test func aBackupCopiedOverAFreshPathOpensAndReads() throws {
        try withTemporaryFolder { folder throws in
            let room: RoomID
            do {
                let database = try HearthDatabase(path: folder + "/old/h.db")
                let clinic = try SmallClinic(database)
                room = clinic.rooms[0].id
                let box = OutcomeBox()
                let writer = box.makeWriter(database)
                writer.submit((1...3).map { clinic.pending(0, from: clinic.alex, "m\($0)", clientID: "c\($0)", tag: $0) })
                writer.stop()
                try AuditLog(database).append(.historyRead, actor: clinic.dana.id, room: room, at: Date())
                _ = try database.backup(to: folder + "/backup.db")
            }
            // The restore in docs/RECORDS.md: the server stopped, the old files moved aside, the backup copied in
            // (0600), the server started on it.
            try FileManager.default.createDirectory(atPath: folder + "/new", withIntermediateDirectories: false)
            try FileManager.default.copyItem(atPath: folder + "/backup.db", toPath: folder + "/new/h.db")
            #expect(chmod(folder + "/new/h.db", 0o600) == 0)
            let restored = try HearthDatabase(path: folder + "/new/h.db")
            let page = try MessageStore(restored).messages(in: room, after: 0, upTo: 10, limit: 10)
            #expect(page.messages.map(\.body) == ["m1", "m2", "m3"])
            #expect(try AuditLog(restored).verify().intact)
            #expect(PrivateFiles.mode(of: folder + "/new/h.db-wal") == 0o600)
            // And it takes new messages where the old one left off.
            let box = OutcomeBox()
            let writer = box.makeWriter(restored)
            let alex = try #require(try Directory(restored).person(reference: "alex"))
            writer.submit([PendingMessage(room: room, sender: alex.identity.member, body: "m4", clientID: "c4",
                                          sentAt: Date(), tag: 4)])
            writer.stop()
            #expect(box.all.first?.committed?.seq == 4)
        }
    }
}
