import Foundation
import GRDB
import HearthCore

/// A committed message with its sender as others see them.
public struct StoredMessage: Hashable, Sendable {
    public var room: RoomID
    public var seq: Int64
    public var id: MessageID
    public var sender: MemberInfo
    public var body: String
    public var clientID: String
    public var sentAt: Date

    public init(room: RoomID, seq: Int64, id: MessageID, sender: MemberInfo, body: String, clientID: String,
                sentAt: Date) {
        self.room = room; self.seq = seq; self.id = id; self.sender = sender; self.body = body
        self.clientID = clientID; self.sentAt = sentAt
    }

    /// The wire form (MSG).
    public var wire: ChatMessage {
        ChatMessage(room: room, seq: seq, id: id, ts: WireTime.timestamp(sentAt), from: sender, body: body,
                    clientID: clientID)
    }
}

/// A page of messages, oldest first, and whether the page was cut short.
public struct MessagePage: Sendable, Equatable {
    public var messages: [StoredMessage]
    public var more: Bool

    public init(messages: [StoredMessage], more: Bool) {
        self.messages = messages
        self.more = more
    }
}

/// Reads of room history. Writes go through `MessageWriter` only.
public struct MessageStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    private static let select = """
        SELECT m.roomId, m.seq, m.id, m.senderId, p.displayName, p.role, m.body, m.clientId, m.sentAt
        FROM message m JOIN person p ON p.id = m.senderId
        """

    private static func message(_ row: Row) -> StoredMessage {
        StoredMessage(room: row[0], seq: row[1], id: row[2],
                      sender: MemberInfo(id: row[3], name: row[4], role: row[5]),
                      body: row[6], clientID: row[7], sentAt: Date(epochMilliseconds: row[8]))
    }

    /// The latest committed seq of a room (0 when empty).
    public func latestSeq(of room: RoomID) throws -> Int64 {
        try database.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM message WHERE roomId = ?", arguments: [room]) ?? 0
        }
    }

    /// Messages with `after < seq <= upTo`, oldest first, at most `limit`; `more` when some were left out.
    public func messages(in room: RoomID, after: Int64, upTo: Int64, limit: Int) throws -> MessagePage {
        try database.pool.read { db in
            let rows = try Row.fetchAll(db, sql: Self.select + " WHERE m.roomId = ? AND m.seq > ? AND m.seq <= ? ORDER BY m.seq LIMIT ?",
                                        arguments: [room, after, upTo, limit + 1])
            return MessagePage(messages: rows.prefix(limit).map(Self.message), more: rows.count > limit)
        }
    }

    /// The last `limit` messages with `seq < before` (and `seq <= upTo`), oldest first; `more` when older ones remain.
    public func messages(in room: RoomID, before: Int64, upTo: Int64, limit: Int) throws -> MessagePage {
        try database.pool.read { db in
            let rows = try Row.fetchAll(db, sql: Self.select + " WHERE m.roomId = ? AND m.seq < ? AND m.seq <= ? ORDER BY m.seq DESC LIMIT ?",
                                        arguments: [room, before, upTo, limit + 1])
            return MessagePage(messages: rows.prefix(limit).reversed().map(Self.message), more: rows.count > limit)
        }
    }

    /// The message a sender stored in a room under a client_id, if any.
    public func message(in room: RoomID, from sender: PersonID, clientID: String) throws -> StoredMessage? {
        try database.pool.read { db in
            try Row.fetchOne(db, sql: Self.select + " WHERE m.roomId = ? AND m.senderId = ? AND m.clientId = ?",
                             arguments: [room, sender, clientID]).map(Self.message)
        }
    }

    /// How many messages a room holds.
    public func count(in room: RoomID) throws -> Int {
        try database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE roomId = ?", arguments: [room]) ?? 0
        }
    }
}
