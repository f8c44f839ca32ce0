import Foundation
import GRDB
import HearthCore
import HearthStore
import Testing

/// A stored message's content (who said what, when, where, to whom) never changes: a trigger refuses any UPDATE
/// that changes a content column. The moderation columns stay writable, and the retention purge still deletes.
struct MessageContentTests {
    /// Every column of `message`, as the trigger sorts them. A column added later must be put in one of the two.
    static let content = ["roomId", "seq", "id", "senderId", "body", "clientId", "sentAt", "kind", "toId"]
    static let moderation = ["heldAt", "releasedBy", "releasedAt", "hiddenBy", "hiddenAt", "hiddenReason", "pinnedBy",
                             "pinnedAt"]

    /// SmallClinic with two messages from Alex in the first room (seqs 1 and 2).
    private func withMessages(_ body: (HearthDatabase, SmallClinic) throws -> Void) throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([clinic.pending(0, from: clinic.alex, "what was said", clientID: "c1", tag: 1),
                           clinic.pending(0, from: clinic.alex, "and more", clientID: "c2", tag: 2)])
            writer.stop()
            try #require(box.all.compactMap(\.committed).count == 2)
            try body(database, clinic)
        }
    }

    /// A value for `column` that differs from what message 1 holds (and satisfies the foreign keys).
    private func changed(_ column: String, _ clinic: SmallClinic) -> any DatabaseValueConvertible {
        switch column {
        case "roomId": clinic.rooms[1].id.rawValue
        case "seq": 99
        case "senderId", "toId", "releasedBy", "hiddenBy", "pinnedBy": clinic.sam.id.rawValue
        case "sentAt", "heldAt", "releasedAt", "hiddenAt", "pinnedAt": 1_700_000_000_000
        case "kind": "announcement"
        default: "changed"
        }
    }

    @Test func everyColumnIsEitherContentOrModeration() throws {
        try withTemporaryDatabase { database throws in
            let columns = try database.pool.read { db in try db.columns(in: "message").map(\.name) }
            #expect(Set(columns) == Set(Self.content + Self.moderation))
        }
    }

    @Test(arguments: content)
    func changingAContentColumnIsRefused(_ column: String) throws {
        try withMessages { database, clinic throws in
            let error = #expect(throws: DatabaseError.self) {
                try database.pool.write { db in
                    try db.execute(sql: "UPDATE message SET \(column) = ? WHERE roomId = ? AND seq = 1",
                                   arguments: [changed(column, clinic), clinic.rooms[0].id])
                }
            }
            #expect(error?.message?.contains("content is never changed") == true)
            let stored = try MessageStore(database).messages(in: clinic.rooms[0].id, after: 0, upTo: 10, limit: 10)
            #expect(stored.messages.map(\.body) == ["what was said", "and more"])
            #expect(stored.messages.first?.sender.id == clinic.alex.id)
        }
    }

    @Test func settingAContentColumnToTheValueItHasIsAllowed() throws {
        try withMessages { database, clinic throws in
            try database.pool.write { db in
                try db.execute(sql: "UPDATE message SET body = body, senderId = senderId, hiddenAt = 5 WHERE seq = 1")
            }
            #expect(try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT hiddenAt FROM message WHERE seq = 1") } == 5)
        }
    }

    @Test(arguments: moderation)
    func aModerationColumnStaysWritable(_ column: String) throws {
        try withMessages { database, clinic throws in
            try database.pool.write { db in
                try db.execute(sql: "UPDATE message SET \(column) = ? WHERE roomId = ? AND seq = 1",
                               arguments: [changed(column, clinic), clinic.rooms[0].id])
                #expect(db.changesCount == 1)
            }
        }
    }

    @Test func moderationFlagsStillWork() throws {
        try withMessages { database, clinic throws in
            let moderation = ModerationStore(database)
            let room = clinic.rooms[0].id, at = try time("2026-03-02T10:30:00Z")
            #expect(try moderation.flag(.hidden(reason: "off topic"), room: room, seq: 1, by: clinic.dana.id, at: at)?
                .hiddenReason == "off topic")
            #expect(try moderation.flag(.pinned, room: room, seq: 2, by: clinic.dana.id, at: at)?.pinned == true)
            #expect(try moderation.flag(.shown, room: room, seq: 1, by: clinic.dana.id, at: at)?.hiddenReason == nil)
            #expect(try moderation.flag(.released, room: room, seq: 1, by: clinic.dana.id, at: at)?.body == "what was said")
        }
    }

    @Test func theRetentionPurgeStillDeletes() throws {
        try withMessages { database, clinic throws in
            let summary = try RetentionPurge(database).run(retentionDays: 1, now: try time("2026-03-04T10:00:00Z"),
                                                           dryRun: false)
            #expect(summary.messages == 2)
            #expect(try MessageStore(database).count(in: clinic.rooms[0].id) == 0)
        }
    }
}
