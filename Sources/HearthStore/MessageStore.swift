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
    public var kind: MessageKind
    /// A whisper's member.
    public var to: MemberInfo?
    /// Held for review and not yet released.
    public var held: Bool
    /// The reason a counselor gave for hiding it; nil while it is shown.
    public var hiddenReason: String?
    public var pinned: Bool

    public init(room: RoomID, seq: Int64, id: MessageID, sender: MemberInfo, body: String, clientID: String,
                sentAt: Date, kind: MessageKind = .chat, to: MemberInfo? = nil, held: Bool = false,
                hiddenReason: String? = nil, pinned: Bool = false) {
        self.room = room; self.seq = seq; self.id = id; self.sender = sender; self.body = body
        self.clientID = clientID; self.sentAt = sentAt; self.kind = kind; self.to = to; self.held = held
        self.hiddenReason = hiddenReason; self.pinned = pinned
    }

    public var audience: MessageAudience { MessageAudience(kind: kind, sender: sender.id, to: to?.id, held: held) }

    /// The wire form (MSG) as staff see it: everything.
    public var wire: ChatMessage {
        ChatMessage(room: room, seq: seq, id: id, ts: WireTime.timestamp(sentAt), from: sender, body: body,
                    clientID: clientID, kind: kind == .chat ? nil : kind, to: to, held: held ? true : nil,
                    hidden: hiddenReason == nil ? nil : true, hiddenReason: hiddenReason, pinned: pinned ? true : nil)
    }

    /// The wire form for one reader: staff see everything; others see a hidden message's place without its text.
    public func wire(for role: Role) -> ChatMessage {
        var message = wire
        if !role.isStaff && hiddenReason != nil {
            message.body = ""
            message.hiddenReason = nil
        }
        return message
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

    static let select = """
        SELECT m.roomId, m.seq, m.id, m.senderId, p.displayName, p.role, m.body, m.clientId, m.sentAt,
               m.kind, m.toId, t.displayName, t.role, m.heldAt IS NOT NULL AND m.releasedAt IS NULL,
               CASE WHEN m.hiddenAt IS NULL THEN NULL ELSE COALESCE(m.hiddenReason, '') END, m.pinnedAt IS NOT NULL
        FROM message m JOIN person p ON p.id = m.senderId LEFT JOIN person t ON t.id = m.toId
        """

    static func message(_ row: Row) -> StoredMessage {
        let to: MemberInfo? = (row[10] as String?).map { MemberInfo(id: PersonID($0), name: row[11], role: row[12]) }
        return StoredMessage(room: row[0], seq: row[1], id: row[2],
                             sender: MemberInfo(id: row[3], name: row[4], role: row[5]),
                             body: row[6], clientID: row[7], sentAt: Date(epochMilliseconds: row[8]),
                             kind: MessageKind(rawValue: row[9]) ?? .chat, to: to, held: row[13],
                             hiddenReason: row[14], pinned: row[15])
    }

    /// The SQL condition (and its arguments) for the messages a reader receives; nil reader: staff, everything.
    /// The twin of `MessageAudience.includes` (the live fan-out's rule), clause for clause: the sender; a whisper's
    /// member; everyone for a chat or announcement not held (or released). `MessageVisibilityTests` proves them
    /// equal over every kind, reader, held, released, hidden and `to`.
    static func visibility(_ reader: PersonID?) -> (sql: String, arguments: StatementArguments) {
        guard let reader else { return ("", []) }
        return (" AND (m.senderId = ? OR (m.kind = 'whisper' AND m.toId = ?)"
                + " OR (m.kind IN ('chat', 'announcement') AND (m.heldAt IS NULL OR m.releasedAt IS NOT NULL)))",
                [reader, reader])
    }

    /// The latest committed seq of a room (0 when empty).
    public func latestSeq(of room: RoomID) throws -> Int64 {
        try database.pool.read { db in try Self.latestSeq(db, of: room) }
    }

    static func latestSeq(_ db: Database, of room: RoomID) throws -> Int64 {
        try Int64.fetchOne(cached: db, sql: "SELECT MAX(seq) FROM message WHERE roomId = ?", arguments: [room]) ?? 0
    }

    /// Messages with `after < seq <= upTo`, oldest first, at most `limit`; `more` when some were left out. With a
    /// `reader` (not staff), only the messages that reader receives.
    public func messages(in room: RoomID, after: Int64, upTo: Int64, limit: Int, reader: PersonID? = nil) throws -> MessagePage {
        try database.pool.read { db in try Self.messages(db, in: room, after: after, upTo: upTo, limit: limit, reader: reader) }
    }

    static func messages(_ db: Database, in room: RoomID, after: Int64, upTo: Int64, limit: Int,
                         reader: PersonID?) throws -> MessagePage {
        let visible = visibility(reader)
        let rows = try Row.fetchAll(cached: db, sql: select + " WHERE m.roomId = ? AND m.seq > ? AND m.seq <= ?"
                                        + visible.sql + " ORDER BY m.seq LIMIT ?",
                                    arguments: [room, after, upTo] + visible.arguments + [limit + 1])
        return MessagePage(messages: rows.prefix(limit).map(message), more: rows.count > limit)
    }

    /// The last `limit` messages with `seq < before` (and `seq <= upTo`), oldest first; `more` when older ones
    /// remain. With a `reader` (not staff), only the messages that reader receives.
    public func messages(in room: RoomID, before: Int64, upTo: Int64, limit: Int, reader: PersonID? = nil) throws -> MessagePage {
        try database.pool.read { db in try Self.messages(db, in: room, before: before, upTo: upTo, limit: limit, reader: reader) }
    }

    static func messages(_ db: Database, in room: RoomID, before: Int64, upTo: Int64, limit: Int,
                         reader: PersonID?) throws -> MessagePage {
        let visible = visibility(reader)
        let rows = try Row.fetchAll(cached: db, sql: select + " WHERE m.roomId = ? AND m.seq < ? AND m.seq <= ?"
                                        + visible.sql + " ORDER BY m.seq DESC LIMIT ?",
                                    arguments: [room, before, upTo] + visible.arguments + [limit + 1])
        return MessagePage(messages: rows.prefix(limit).reversed().map(message), more: rows.count > limit)
    }

    /// The message a sender stored in a room under a client_id, if any.
    public func message(in room: RoomID, from sender: PersonID, clientID: String) throws -> StoredMessage? {
        try database.pool.read { db in
            try Row.fetchOne(cached: db, sql: Self.select + " WHERE m.roomId = ? AND m.senderId = ? AND m.clientId = ?",
                             arguments: [room, sender, clientID]).map(Self.message)
        }
    }

    /// One message by seq, whoever may read it.
    public func message(in room: RoomID, seq: Int64) throws -> StoredMessage? {
        try database.pool.read { db in
            try Row.fetchOne(cached: db, sql: Self.select + " WHERE m.roomId = ? AND m.seq = ?", arguments: [room, seq]).map(Self.message)
        }
    }

    /// The pinned messages a reader receives (nil reader: staff), oldest first. Found through the partial index
    /// `message_pinned` (v8), so the cost follows the pinned messages, not the room's size.
    public func pinned(in room: RoomID, reader: PersonID?) throws -> [StoredMessage] {
        try database.pool.read { db in try Self.pinned(db, in: room, reader: reader) }
    }

    static func pinned(_ db: Database, in room: RoomID, reader: PersonID?) throws -> [StoredMessage] {
        let visible = visibility(reader)
        return try Row.fetchAll(cached: db, sql: pinnedSQL + visible.sql + " ORDER BY m.seq",
                                arguments: [room] + visible.arguments).map(message)
    }

    /// `INDEXED BY`: left to itself the planner walks the room's primary key in seq order, every message of the room.
    static let pinnedSQL = select.replacingOccurrences(of: "FROM message m ", with: "FROM message m INDEXED BY message_pinned ")
        + " WHERE m.roomId = ? AND m.pinnedAt IS NOT NULL"

    /// The messages of a room held for review and not yet released (staff read them), oldest first. Found through the
    /// partial index `message_held` (v8).
    public func held(in room: RoomID) throws -> [StoredMessage] {
        try database.pool.read { db in
            try Row.fetchAll(cached: db, sql: Self.heldSQL + " ORDER BY m.seq", arguments: [room]).map(Self.message)
        }
    }

    static let heldSQL = select.replacingOccurrences(of: "FROM message m ", with: "FROM message m INDEXED BY message_held ")
        + " WHERE m.roomId = ? AND m.heldAt IS NOT NULL AND m.releasedAt IS NULL"

    /// The query plans (`EXPLAIN QUERY PLAN` details) of the pinned and held look-ups, for tests that they use
    /// their indexes.
    public func queryPlans(room: RoomID) throws -> (pinned: [String], held: [String]) {
        try database.pool.read { db in
            func plan(_ sql: String) throws -> [String] {
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: [room]).map { $0["detail"] as String }
            }
            return (try plan(Self.pinnedSQL + " ORDER BY m.seq"), try plan(Self.heldSQL + " ORDER BY m.seq"))
        }
    }

    /// How many messages a room holds.
    public func count(in room: RoomID) throws -> Int {
        try database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE roomId = ?", arguments: [room]) ?? 0
        }
    }
}
