import GRDB
import GRDBSQLite
import HearthCore

/// The writer's message `INSERT`, run on its cached statement with the values bound straight through SQLite's C API.
///
/// It is the hottest statement in Hearth (one per message, issue 14): going through GRDB's `StatementArguments`
/// built an array of existentials and converted each value for every message, about a fifth of the writer's own CPU
/// in a profile. What it stores is the same: text as UTF-8, times as integer milliseconds, NULL for what is absent.
struct MessageInsert {
    /// `INSERT … ON CONFLICT DO NOTHING`: a client_id the sender already used in the room inserts nothing.
    static let sql = """
        INSERT INTO message (roomId, seq, id, senderId, body, clientId, sentAt, kind, toId, heldAt)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (roomId, senderId, clientId) DO NOTHING
        """

    private let statement: Statement

    /// The cached statement of `db` (compiled once per connection).
    init(_ db: Database) throws {
        statement = try db.cachedStatement(sql: Self.sql)
    }

    /// Inserts `message`; true when a row was inserted, false when the sender had already used its client_id here.
    /// Throws the `DatabaseError` SQLite reported (the caller's transaction then rolls back).
    func run(_ message: StoredMessage, in db: Database) throws -> Bool {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        // Release the bound copies when done rather than at the next message.
        defer { sqlite3_reset(handle); sqlite3_clear_bindings(handle) }
        let sentAt = message.sentAt.epochMilliseconds
        // The first binding that failed (too big, out of memory), if any.
        var failed = SQLITE_OK
        func check(_ code: Int32) { if failed == SQLITE_OK { failed = code } }
        check(bind(message.room.rawValue, 1))
        check(sqlite3_bind_int64(handle, 2, message.seq))
        check(bind(message.id.rawValue, 3))
        check(bind(message.sender.id.rawValue, 4))
        check(bind(message.body, 5))
        check(bind(message.clientID, 6))
        check(sqlite3_bind_int64(handle, 7, sentAt))
        check(bind(message.kind.rawValue, 8))
        check(message.to.map { bind($0.id.rawValue, 9) } ?? sqlite3_bind_null(handle, 9))
        check(message.held ? sqlite3_bind_int64(handle, 10, sentAt) : sqlite3_bind_null(handle, 10))
        guard failed == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: failed), message: db.lastErrorMessage, sql: Self.sql)
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: Self.sql)
        }
        return db.changesCount > 0
    }

    /// Binds `text` as UTF-8 at `index` (1-based); SQLite copies it (`SQLITE_TRANSIENT`).
    private func bind(_ text: String, _ index: Int32) -> Int32 {
        let handle = statement.sqliteStatement
        var text = text
        return text.withUTF8 { bytes in
            guard let start = bytes.baseAddress, !bytes.isEmpty else {
                // Empty text, not NULL: SQLite needs a pointer, and an empty buffer may have none.
                return "".withCString { sqlite3_bind_text(handle, index, $0, 0, Self.transient) }
            }
            return start.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient)
            }
        }
    }

    /// SQLite's `SQLITE_TRANSIENT` destructor: copy the bytes before returning.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
