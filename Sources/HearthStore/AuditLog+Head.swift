import Foundation
import GRDB

/// The end of the audit chain: the last row's hash and how many rows there are. Written down outside the database
/// (the server logs it every hour and at start and stop), it lets `verify(expectingHead:)` notice rows cut off
/// the end, which the chain alone cannot show.
public struct AuditHead: Equatable, Sendable {
    /// Rows in the log.
    public var rows: Int
    /// The last row's id (0 when the log is empty).
    public var lastID: Int64
    /// The last row's hash as 64 lowercase hex digits (64 zeros when the log is empty).
    public var hash: String

    public init(rows: Int, lastID: Int64, hash: String) {
        self.rows = rows; self.lastID = lastID; self.hash = hash
    }

    static func hex(_ bytes: Data) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// The 32 bytes a head's 64 hex digits stand for (either case; spaces around are ignored).
    /// - Throws: `StoreError.invalid` when `text` is not 64 hex digits.
    public static func hashBytes(_ text: String) throws -> Data {
        let digits = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        var bytes = Data()
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        if digits.count == 64 {
            for index in stride(from: 0, to: 64, by: 2) {
                guard let high = value(digits[index]), let low = value(digits[index + 1]) else { break }
                bytes.append(high << 4 | low)
            }
        }
        guard bytes.count == 32 else {
            throw StoreError.invalid("An audit head is 64 hexadecimal digits, as `hearthd audit verify` and the "
                                     + "server's `audit head` log line print it; this one has \(digits.count) characters"
                                     + (digits.count == 64 ? " that are not all hex digits." : "."))
        }
        return bytes
    }
}

/// Where a head written down earlier stands in the chain now.
public enum AuditHeadMatch: Equatable, Sendable {
    /// It is still the head: no row was added since.
    case current
    /// It is the hash of row `row` (0: the empty log), and `added` rows were appended after it since.
    case earlier(row: Int64, added: Int)
    /// No row has that hash: rows were cut off the end, or the chain was rewritten, since it was written down.
    case missing
}

extension AuditLog {
    /// The chain's head now: a cheap read (no walk; `verify` checks the chain).
    public func head() throws -> AuditHead {
        try database.pool.read(Self.head)
    }

    /// The chain's head as `db` sees it.
    static func head(_ db: Database) throws -> AuditHead {
        let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit") ?? 0
        let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")
        return AuditHead(rows: rows, lastID: last?["id"] ?? 0, hash: AuditHead.hex(last?["hash"] ?? genesis))
    }
}
