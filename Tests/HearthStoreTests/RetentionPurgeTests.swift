import Foundation
import GRDB
import HearthCore
import HearthStore
import Testing

/// The retention purge deletes old sessions' messages and reports, and nothing else; messages cannot be deleted
/// any other way.
@Suite struct RetentionPurgeTests {
    /// SmallClinic's rooms (ended 2026-03-02 and 2026-03-03 at 11:00 UTC), three messages each, a report, an
    /// attendance interval and a counselor note in the first.
    private func withOldAndRecentRoom(_ body: (HearthDatabase, SmallClinic) throws -> Void) throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit((0..<6).map { clinic.pending($0 / 3, from: clinic.alex, "m\($0)", clientID: "c\($0)", tag: $0) })
            writer.stop()
            try #require(box.all.compactMap(\.committed).count == 6)
            let start = try time("2026-03-02T10:00:00Z")
            try AttendanceStore(database).open(room: clinic.rooms[0].id, person: clinic.alex.id, at: start)
            try AttendanceStore(database).close(room: clinic.rooms[0].id, person: clinic.alex.id, at: start.addingTimeInterval(3000))
            let moderation = ModerationStore(database)
            _ = try moderation.fileReport(room: clinic.rooms[0].id, seq: 1, by: clinic.sam.identity.member, reason: "rude", at: start)
            _ = try moderation.addNote(room: clinic.rooms[0].id, author: clinic.dana.id, body: "note", at: start)
            try body(database, clinic)
        }
    }

    /// One day's retention, a day after the second session: the first ended more than a day ago, the second not.
    private let now = Date(timeIntervalSince1970: 1_772_618_400) // 2026-03-04T10:00:00Z

    private func count(_ database: HearthDatabase, _ sql: String) throws -> Int {
        try database.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test func aDryRunCountsAndChangesNothing() throws {
        try withOldAndRecentRoom { database, clinic throws in
            let auditRows = try count(database, "SELECT COUNT(*) FROM audit")
            let summary = try RetentionPurge(database).run(retentionDays: 1, now: now, dryRun: true)
            #expect(summary == PurgeSummary(cutoff: try time("2026-03-03T10:00:00Z"), rooms: 1, messages: 3, reports: 1,
                                            dryRun: true))
            #expect(try count(database, "SELECT COUNT(*) FROM message") == 6)
            #expect(try count(database, "SELECT COUNT(*) FROM report") == 1)
            #expect(try count(database, "SELECT COUNT(*) FROM audit") == auditRows)
        }
    }

    @Test func aRunDeletesOnlyOldSessionsMessagesAndReportsAndIsAudited() throws {
        try withOldAndRecentRoom { database, clinic throws in
            let auditRows = try count(database, "SELECT COUNT(*) FROM audit")
            let summary = try RetentionPurge(database).run(retentionDays: 1, now: now, dryRun: false)
            #expect(summary.rooms == 1 && summary.messages == 3 && summary.reports == 1 && !summary.dryRun)
            let messages = MessageStore(database)
            #expect(try messages.count(in: clinic.rooms[0].id) == 0)
            #expect(try messages.count(in: clinic.rooms[1].id) == 3)
            #expect(try count(database, "SELECT COUNT(*) FROM report") == 0)
            #expect(try count(database, "SELECT COUNT(*) FROM attendance") == 1)
            #expect(try count(database, "SELECT COUNT(*) FROM counselorNote") == 1)
            #expect(try count(database, "SELECT COUNT(*) FROM room") == 2)
            #expect(try count(database, "SELECT value FROM meta WHERE key = 'purging'") == 0)
            #expect(try count(database, "SELECT COUNT(*) FROM audit") == auditRows + 1)
            let row = try #require(try AuditLog(database).list(AuditFilter(actions: ["purge"])).first)
            #expect(row.actor == nil)
            #expect(row.detail == "retention 1 days, sessions ended before 2026-03-03T10:00:00.000Z: 3 messages and 1 reports of 1 rooms deleted")
            #expect(try AuditLog(database).verify().intact)

            // Again: nothing left to delete, still audited.
            let again = try RetentionPurge(database).run(retentionDays: 1, now: now, dryRun: false)
            #expect(again.messages == 0 && again.rooms == 0)
            #expect(try AuditLog(database).list(AuditFilter(actions: ["purge"])).count == 2)
        }
    }

    @Test func zeroDaysKeepsEverything() throws {
        try withOldAndRecentRoom { database, _ throws in
            let auditRows = try count(database, "SELECT COUNT(*) FROM audit")
            let summary = try RetentionPurge(database).run(retentionDays: 0, now: now.addingTimeInterval(1e9), dryRun: false)
            #expect(summary.cutoff == nil && summary.messages == 0)
            #expect(try count(database, "SELECT COUNT(*) FROM message") == 6)
            #expect(try count(database, "SELECT COUNT(*) FROM audit") == auditRows)
        }
    }

    @Test func deletingMessagesOutsideThePurgeIsRefused() throws {
        try withOldAndRecentRoom { database, _ throws in
            #expect(throws: DatabaseError.self) {
                try database.pool.write { db in try db.execute(sql: "DELETE FROM message") }
            }
            #expect(try count(database, "SELECT COUNT(*) FROM message") == 6)
        }
    }
}
