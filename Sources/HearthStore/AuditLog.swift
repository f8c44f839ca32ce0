import Crypto
import Foundation
import GRDB
import HearthCore

/// What an audit row records. The raw values are stored: never rename one.
public enum AuditAction: String, CaseIterable, Sendable {
    // Moderation (the `moderate` request and staff messages).
    case mute, unmute, remove, ban, unban, hide, unhide, pin, unpin, lock, unlock, slow, review, release
    case lowerHand = "lower_hand", roundStart = "round_start", roundEnd = "round_end"
    case announce, whisper, end
    // Admission and refusals.
    case admit, deny
    /// A request the person's role or state does not allow (a participant trying a staff action, a banned member
    /// knocking). `detail` says which.
    case refused
    // Credentials and consent.
    case tokenIssue = "token_issue", tokenRevoke = "token_revoke", invitationIssue = "invitation_issue"
    case consentAdd = "consent_add", consentRevoke = "consent_revoke"
    // Crisis safety.
    case alertRaise = "alert_raise", alertAck = "alert_ack", alertEscalate = "alert_escalate"
    case reportFile = "report_file", reportResolve = "report_resolve"
    // Reads and disclosures.
    case historyRead = "history_read", reportRead = "report_read", noteWrite = "note_write", noteRead = "note_read"
    case transcriptExport = "transcript_export", breakGlass = "break_glass"
    // Retention.
    case purge
}

/// One row of the audit log: who did what, when, in which room and to whom. Never a message body or a token.
public struct AuditEntry: Equatable, Sendable {
    public var id: Int64
    public var at: Date
    public var actor: PersonID?
    public var action: String
    public var room: RoomID?
    /// Whom or what the action was about: a person id, a seq (`seq:12`), an alert (`alert:3`), a token label.
    public var target: String?
    /// A short, body-free note: a reason, a duration, a count.
    public var detail: String?
}

/// The outcome of `AuditLog.verify`.
public struct AuditVerification: Equatable, Sendable {
    /// Rows read.
    public var rows: Int
    /// The hash of the last row: write it down somewhere else; a later `verify(expectingHead:)` that no longer
    /// finds it in the chain means rows were cut off the end or the chain was rewritten.
    public var head: String
    /// Every place the chain breaks, oldest first; empty when the log is intact.
    public var problems: [String]
    /// Where the head written down earlier stands now, when `verify(expectingHead:)` was given one.
    public var expected: AuditHeadMatch?
    public var intact: Bool { problems.isEmpty }
}

/// Which rows `AuditLog.list` returns.
public struct AuditFilter: Sendable {
    public var actor: PersonID?
    /// Rows where this person is the actor or the target.
    public var person: PersonID?
    public var room: RoomID?
    public var actions: [String] = []
    public var from: Date?
    public var to: Date?
    public var limit = 1000

    public init(actor: PersonID? = nil, room: RoomID? = nil, actions: [String] = [], from: Date? = nil,
                to: Date? = nil, limit: Int = 1000, person: PersonID? = nil) {
        self.actor = actor; self.room = room; self.actions = actions; self.from = from; self.to = to; self.limit = limit
        self.person = person
    }
}

/// The append-only, hash-chained audit log. Each row's hash covers its fields and the previous row's hash, so an
/// edited, inserted or deleted row breaks the chain; triggers refuse UPDATE and DELETE outright.
public struct AuditLog: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    static let genesis = Data(repeating: 0, count: 32)

    /// Appends a row inside the caller's write transaction (so the action and its audit row commit together).
    public static func append(_ db: Database, _ action: AuditAction, actor: PersonID?, room: RoomID? = nil,
                              target: String? = nil, detail: String? = nil, at date: Date) throws {
        let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")
        let id: Int64 = (last?["id"] ?? 0) + 1
        let previous: Data = last?["hash"] ?? genesis
        let entry = AuditEntry(id: id, at: Date(epochMilliseconds: date.epochMilliseconds), actor: actor,
                               action: action.rawValue, room: room, target: target, detail: detail)
        try db.execute(sql: """
            INSERT INTO audit (id, at, actorId, action, roomId, targetId, detail, prevHash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, entry.at.epochMilliseconds, actor, entry.action, room, target, detail, previous,
                             hash(entry, previous: previous)])
    }

    /// Appends a row in its own transaction.
    public func append(_ action: AuditAction, actor: PersonID?, room: RoomID? = nil, target: String? = nil,
                       detail: String? = nil, at date: Date) throws {
        try database.pool.write { db in
            try Self.append(db, action, actor: actor, room: room, target: target, detail: detail, at: date)
        }
    }

    static func hash(_ entry: AuditEntry, previous: Data) -> Data {
        let fields = [String(entry.id), String(entry.at.epochMilliseconds), entry.actor?.rawValue ?? "", entry.action,
                      entry.room?.rawValue ?? "", entry.target ?? "", entry.detail ?? ""]
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: Data(fields.joined(separator: "\u{1F}").utf8))
        return Data(hasher.finalize())
    }

    /// Walks the whole chain and says where it breaks; with `expectingHead` (a head written down earlier, as 64 hex
    /// digits), also where that head stands now (`AuditVerification.expected`).
    /// - Throws: `StoreError.invalid` when `expectingHead` is not 64 hex digits.
    public func verify(expectingHead: String? = nil) throws -> AuditVerification {
        let wanted = try expectingHead.map(AuditHead.hashBytes)
        return try database.pool.read { db in
            var problems: [String] = []
            var previous = Self.genesis
            var expectedID: Int64 = 1
            var rows = 0
            // The row whose hash is the expected head (0: the empty chain's), and how many rows were read by then.
            var found: (row: Int64, rows: Int)? = wanted == Self.genesis ? (0, 0) : nil
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY id")
            while let row = try cursor.next() {
                rows += 1
                let entry = Self.entry(row)
                let storedPrevious: Data = row["prevHash"], stored: Data = row["hash"]
                if entry.id > expectedID {
                    let missing = entry.id == expectedID + 1 ? "row \(expectedID) is missing"
                        : "rows \(expectedID) to \(entry.id - 1) are missing"
                    problems.append("\(missing): deleted from the log.")
                }
                if storedPrevious != previous {
                    problems.append("row \(entry.id) does not follow the row before it: a row before it was deleted, inserted or edited.")
                }
                if Self.hash(entry, previous: storedPrevious) != stored {
                    problems.append("row \(entry.id) (\(entry.action), \(WireTime.timestamp(entry.at))) was edited: its contents do not match its hash.")
                }
                previous = stored
                expectedID = entry.id + 1
                if stored == wanted { found = (entry.id, rows) }
            }
            var verification = AuditVerification(rows: rows, head: AuditHead.hex(previous), problems: problems)
            if wanted != nil {
                verification.expected = switch found {
                case nil: .missing
                case let (_, seen)? where seen == rows: .current
                case let (row, seen)?: .earlier(row: row, added: rows - seen)
                }
            }
            return verification
        }
    }

    /// Rows matching the filter, oldest first (the newest `limit` of them).
    public func list(_ filter: AuditFilter) throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let actor = filter.actor { conditions.append("actorId = ?"); arguments.append(actor.rawValue) }
        if let person = filter.person {
            conditions.append("(actorId = ? OR targetId = ?)")
            arguments.append(contentsOf: [person.rawValue, person.rawValue])
        }
        if let room = filter.room { conditions.append("roomId = ?"); arguments.append(room.rawValue) }
        if !filter.actions.isEmpty {
            conditions.append("action IN (\(filter.actions.map { _ in "?" }.joined(separator: ", ")))")
            arguments.append(contentsOf: filter.actions)
        }
        if let from = filter.from { conditions.append("at >= ?"); arguments.append(from.epochMilliseconds) }
        if let to = filter.to { conditions.append("at < ?"); arguments.append(to.epochMilliseconds) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(filter.limit)
        return try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM audit \(whereClause) ORDER BY id DESC LIMIT ?) ORDER BY id",
                             arguments: StatementArguments(arguments)).map(Self.entry)
        }
    }

    static func entry(_ row: Row) -> AuditEntry {
        AuditEntry(id: row["id"], at: Date(epochMilliseconds: row["at"]),
                   actor: (row["actorId"] as String?).map(PersonID.init), action: row["action"],
                   room: (row["roomId"] as String?).map(RoomID.init), target: row["targetId"], detail: row["detail"])
    }
}
