import Foundation
import GRDB
import HearthCore
import HearthStore
import Testing

/// The audit log is append-only and hash-chained: the triggers refuse changes, and `verify` finds any change made
/// after the triggers were dropped.
@Suite struct AuditChainTests {
    /// A database holding five audit rows (ids 1...5).
    private func withFiveRows(_ body: (HearthDatabase, AuditLog) throws -> Void) throws {
        try withTemporaryDatabase { database throws in
            let log = AuditLog(database)
            let start = try time("2026-03-02T10:00:00Z")
            for index in 0..<5 {
                try log.append(.historyRead, actor: nil, room: RoomID("r_test"), target: "p_\(index)",
                               detail: "row \(index + 1)", at: start.addingTimeInterval(Double(index)))
            }
            try body(database, log)
        }
    }

    @Test func anIntactLogVerifiesWithItsHeadHash() throws {
        try withFiveRows { _, log throws in
            let result = try log.verify()
            #expect(result.intact)
            #expect(result.rows == 5)
            #expect(result.head.count == 64)
            try log.append(.purge, actor: nil, detail: "one more", at: Date())
            let after = try log.verify()
            #expect(after.intact && after.rows == 6 && after.head != result.head)
        }
    }

    @Test func updateAndDeleteAreRefusedWhileTheTriggersExist() throws {
        try withFiveRows { database, log throws in
            #expect(throws: DatabaseError.self) {
                try database.pool.write { db in try db.execute(sql: "UPDATE audit SET detail = 'changed' WHERE id = 2") }
            }
            #expect(throws: DatabaseError.self) {
                try database.pool.write { db in try db.execute(sql: "DELETE FROM audit WHERE id = 3") }
            }
            #expect(try log.verify().intact)
        }
    }

    @Test func anEditedRowIsNamed() throws {
        try withFiveRows { database, log throws in
            try database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER audit_no_update")
                try db.execute(sql: "UPDATE audit SET detail = 'nothing to see' WHERE id = 3")
            }
            let result = try log.verify()
            #expect(!result.intact)
            #expect(result.problems.count == 1)
            #expect(result.problems.first?.contains("row 3") == true)
            #expect(result.problems.first?.contains("edited") == true)
        }
    }

    @Test func aDeletedMiddleRowIsFound() throws {
        try withFiveRows { database, log throws in
            try database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER audit_no_delete")
                try db.execute(sql: "DELETE FROM audit WHERE id = 3")
            }
            let result = try log.verify()
            #expect(!result.intact)
            #expect(result.rows == 4)
            #expect(result.problems.contains { $0.contains("row 3 is missing") })
            #expect(result.problems.contains { $0.contains("row 4 does not follow") })
        }
    }

    @Test func listFiltersByPersonAsActorOrTarget() throws {
        try withFiveRows { _, log throws in
            try log.append(.tokenIssue, actor: PersonID("p_2"), target: "p_9", at: Date())
            let rows = try log.list(AuditFilter(person: PersonID("p_2")))
            #expect(rows.map(\.detail) == ["row 3", nil])
            #expect(try log.list(AuditFilter(actions: ["token_issue"])).count == 1)
        }
    }

    // MARK: The head, and a head written down earlier

    @Test func theHeadIsTheLastRowsHashAndTheRowCount() throws {
        try withTemporaryDatabase { database throws in
            let empty = try AuditLog(database).head()
            #expect(empty == AuditHead(rows: 0, lastID: 0, hash: String(repeating: "0", count: 64)))
        }
        try withFiveRows { _, log throws in
            let head = try log.head()
            #expect(head.rows == 5 && head.lastID == 5)
            #expect(head.hash == (try log.verify()).head)
        }
    }

    @Test func theExpectedHeadIsCurrentUntilRowsAreAdded() throws {
        try withFiveRows { _, log throws in
            let head = try log.head().hash
            #expect(try log.verify(expectingHead: head).expected == .current)
            #expect(try log.verify(expectingHead: " \(head.uppercased())\n").expected == .current)
            try log.append(.purge, actor: nil, detail: "six", at: Date())
            try log.append(.purge, actor: nil, detail: "seven", at: Date())
            let later = try log.verify(expectingHead: head)
            #expect(later.intact)
            #expect(later.expected == .earlier(row: 5, added: 2))
            #expect(try log.verify().expected == nil)
        }
    }

    @Test func theEmptyLogsHeadIsFoundBeforeTheFirstRow() throws {
        try withFiveRows { _, log throws in
            #expect(try log.verify(expectingHead: String(repeating: "0", count: 64)).expected == .earlier(row: 0, added: 5))
        }
    }

    @Test func rowsCutOffTheEndAreFoundOnlyWithTheExpectedHead() throws {
        try withFiveRows { database, log throws in
            let head = try log.head().hash
            try database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER audit_no_delete")
                try db.execute(sql: "DELETE FROM audit WHERE id >= 4")
            }
            // The shortened chain is still a valid chain:
            let plain = try log.verify()
            #expect(plain.intact && plain.rows == 3)
            // but the head written down before is no longer in it.
            let checked = try log.verify(expectingHead: head)
            #expect(checked.intact)
            #expect(checked.expected == .missing)
        }
    }

    @Test func aRewrittenChainDoesNotContainTheExpectedHead() throws {
        try withFiveRows { database, log throws in
            let head = try log.head().hash
            try database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER audit_no_delete")
                try db.execute(sql: "DELETE FROM audit WHERE id >= 3")
            }
            // Rows 3 to 5 rebuilt with other contents and a valid chain.
            for index in 3...5 {
                try log.append(.historyRead, actor: nil, detail: "rebuilt \(index)", at: Date())
            }
            let result = try log.verify(expectingHead: head)
            #expect(result.intact && result.rows == 5)
            #expect(result.expected == .missing)
        }
    }

    @Test func anExpectedHeadThatIsNotAHashIsRefused() throws {
        try withFiveRows { _, log throws in
            for text in ["", "abc", String(repeating: "g", count: 64), String(repeating: "0", count: 66)] {
                let error = #expect(throws: StoreError.self) { try log.verify(expectingHead: text) }
                #expect(error?.description.contains("64 hexadecimal digits") == true)
            }
        }
    }
}
