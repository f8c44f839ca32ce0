import Foundation
import GRDB
import HearthCore

/// Presence intervals: per occurrence and person, every stretch they were admitted and connected, in whole
/// seconds of the server clock. The server opens an interval when someone's first connection enters a room, moves
/// `lastSeenAt` forward on a heartbeat, and closes it when their last connection leaves. After a crash, intervals
/// left open are closed at their `lastSeenAt`: the last moment the server knew the person was there.
public struct AttendanceStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    /// Someone entered a room.
    public func open(room: RoomID, person: PersonID, at date: Date) throws {
        try database.pool.write { db in
            // An interval still open for the same person and room (a lost close) ends where it was last seen.
            try db.execute(sql: "UPDATE attendance SET leftAt = lastSeenAt WHERE roomId = ? AND personId = ? AND leftAt IS NULL",
                           arguments: [room, person])
            try db.execute(sql: "INSERT INTO attendance (roomId, personId, joinedAt, lastSeenAt) VALUES (?, ?, ?, ?)",
                           arguments: [room, person, Self.seconds(date), Self.seconds(date)])
        }
    }

    /// Someone's last connection left a room.
    public func close(room: RoomID, person: PersonID, at date: Date) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                UPDATE attendance SET leftAt = MAX(joinedAt, ?), lastSeenAt = MAX(joinedAt, ?)
                WHERE roomId = ? AND personId = ? AND leftAt IS NULL
                """, arguments: [Self.seconds(date), Self.seconds(date), room, person])
        }
    }

    /// Everyone still present was seen at `date`.
    public func heartbeat(at date: Date) throws {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE attendance SET lastSeenAt = MAX(joinedAt, ?) WHERE leftAt IS NULL",
                           arguments: [Self.seconds(date)])
        }
    }

    /// Closes every open interval: at `date` on a clean shutdown, or (nil) at each one's last heartbeat when
    /// recovering from a crash. Returns how many were closed.
    @discardableResult
    public func closeAll(at date: Date?) throws -> Int {
        try database.pool.write { db in
            if let date {
                try db.execute(sql: "UPDATE attendance SET leftAt = MAX(joinedAt, ?), lastSeenAt = MAX(joinedAt, ?) WHERE leftAt IS NULL",
                               arguments: [Self.seconds(date), Self.seconds(date)])
            } else {
                try db.execute(sql: "UPDATE attendance SET leftAt = lastSeenAt WHERE leftAt IS NULL")
            }
            return db.changesCount
        }
    }

    /// Whether anyone's presence was recorded in a room.
    public func hasIntervals(room: RoomID) throws -> Bool {
        try database.pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM attendance WHERE roomId = ?)", arguments: [room]) ?? false
        }
    }

    /// The intervals of one room by person. An interval still open ends at `now`.
    public func intervals(room: RoomID, now: Date) throws -> [PersonID: [PresenceInterval]] {
        try database.pool.read { db in try Self.intervals(db, rooms: [room], now: now)[room] ?? [:] }
    }

    static func intervals(_ db: Database, rooms: [RoomID], now: Date) throws -> [RoomID: [PersonID: [PresenceInterval]]] {
        var result: [RoomID: [PersonID: [PresenceInterval]]] = [:]
        for chunk in stride(from: 0, to: rooms.count, by: 500).map({ Array(rooms[$0..<min($0 + 500, rooms.count)]) }) {
            let rows = try Row.fetchAll(db, sql: """
                SELECT roomId, personId, joinedAt, leftAt FROM attendance
                WHERE roomId IN (\(databaseQuestionMarks(count: chunk.count))) ORDER BY joinedAt
                """, arguments: StatementArguments(chunk.map(\.rawValue)))
            for row in rows {
                let start = Date(timeIntervalSince1970: Double(row["joinedAt"] as Int64))
                let end = (row["leftAt"] as Int64?).map { Date(timeIntervalSince1970: Double($0)) } ?? now
                result[RoomID(row["roomId"] as String), default: [:]][PersonID(row["personId"] as String), default: []]
                    .append(PresenceInterval(start: start, end: max(start, end)))
            }
        }
        return result
    }
}
