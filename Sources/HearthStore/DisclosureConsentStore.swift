import Foundation
import GRDB
import HearthCore

/// A participant's written consent to disclose their records to a named recipient for a stated purpose (42 CFR
/// Part 2 §2.31): a transcript sent outside the program carries a participant's messages only under one of these.
public struct DisclosureConsentRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "disclosureConsent"
    public var id: Int64?
    public var participantId: PersonID
    /// Who may receive the records, as written on the form (a person or an organization).
    public var recipient: String
    /// Why, as written on the form.
    public var purpose: String
    /// The last day it is valid (inclusive), if it expires.
    public var expiresOn: String?
    /// Where the signed form is kept, or other context (no clinical detail).
    public var note: String?
    public var createdAt: Int64
    public var revokedAt: Int64?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// How the operator names it: `d` and its number (family consents are plain numbers).
    public var label: String { "d\(id ?? 0)" }

    /// Not revoked, and `date` is on or before its last day.
    public func isInForce(on date: LocalDate) -> Bool {
        guard revokedAt == nil else { return false }
        guard let expiresOn else { return true }
        return date.description <= expiresOn
    }

    /// Whether it names this recipient and purpose (trimmed, case-insensitive).
    public func covers(recipient: String, purpose: String) -> Bool {
        Self.same(self.recipient, recipient) && Self.same(self.purpose, purpose)
    }

    static func same(_ a: String, _ b: String) -> Bool {
        a.trimmingCharacters(in: .whitespacesAndNewlines)
            .compare(b.trimmingCharacters(in: .whitespacesAndNewlines), options: .caseInsensitive) == .orderedSame
    }
}

/// Disclosure consents: recorded, revoked and listed by the operator; consulted by the transcript export.
public struct DisclosureConsentStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// Records a participant's consent to disclose their records to `recipient` for `purpose`, audited.
    @discardableResult
    public func add(participant: PersonID, recipient: String, purpose: String, expiresOn: LocalDate? = nil,
                    note: String? = nil, now: Date = Date()) throws -> DisclosureConsentRecord {
        let recipient = recipient.trimmingCharacters(in: .whitespacesAndNewlines)
        let purpose = purpose.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !recipient.isEmpty else {
            throw StoreError.invalid("Name the recipient as the signed consent form does (a person or an organization).")
        }
        guard !purpose.isEmpty else { throw StoreError.invalid("State the purpose as the signed consent form does.") }
        return try database.pool.write { db in
            guard let person = try PersonRecord.fetchOne(db, key: participant.rawValue) else {
                throw StoreError.notFound("Participant \(participant)")
            }
            guard person.role == .participant else {
                throw StoreError.invalid("Only a participant consents to disclosing their records; \(person.displayName) is a \(person.role.rawValue).")
            }
            var record = DisclosureConsentRecord(participantId: participant, recipient: recipient, purpose: purpose,
                                                 expiresOn: expiresOn?.description, note: note,
                                                 createdAt: now.epochMilliseconds)
            try record.insert(db)
            try AuditLog.append(db, .consentAdd, actor: nil, target: participant.rawValue,
                                detail: Self.detail(record), at: now)
            return record
        }
    }

    /// Revokes a disclosure consent: later exports no longer carry the participant's messages under it (what was
    /// disclosed before stays disclosed). Returns false when it was unknown or already revoked.
    @discardableResult
    public func revoke(id: Int64, now: Date = Date()) throws -> Bool {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE disclosureConsent SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL",
                           arguments: [now.epochMilliseconds, id])
            guard db.changesCount > 0, let record = try DisclosureConsentRecord.fetchOne(db, key: id) else { return false }
            try AuditLog.append(db, .consentRevoke, actor: nil, target: record.participantId.rawValue,
                                detail: Self.detail(record), at: now)
            return true
        }
    }

    /// Every disclosure consent, optionally of one participant, newest first.
    public func list(participant: PersonID? = nil) throws -> [DisclosureConsentRecord] {
        try database.pool.read { db in
            var request = DisclosureConsentRecord.order(Column("createdAt").desc, Column("id").desc)
            if let participant { request = request.filter(Column("participantId") == participant) }
            return try request.fetchAll(db)
        }
    }

    /// The consent in force on `date` that covers disclosing `participant`'s records to `recipient` for `purpose`.
    public func consent(participant: PersonID, recipient: String, purpose: String,
                        on date: LocalDate) throws -> DisclosureConsentRecord? {
        try database.pool.read { db in
            try Self.consent(db, participant: participant, recipient: recipient, purpose: purpose, on: date)
        }
    }

    /// The same lookup inside the caller's transaction. The newest of several matching consents wins.
    public static func consent(_ db: Database, participant: PersonID, recipient: String, purpose: String,
                               on date: LocalDate) throws -> DisclosureConsentRecord? {
        try DisclosureConsentRecord
            .filter(Column("participantId") == participant && Column("revokedAt") == nil)
            .order(Column("createdAt").desc, Column("id").desc)
            .fetchAll(db)
            .first { $0.isInForce(on: date) && $0.covers(recipient: recipient, purpose: purpose) }
    }

    static func detail(_ record: DisclosureConsentRecord) -> String {
        "disclosure to \(record.recipient) for \(record.purpose), consent \(record.label)"
    }
}
