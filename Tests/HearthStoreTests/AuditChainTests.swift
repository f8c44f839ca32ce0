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
}
