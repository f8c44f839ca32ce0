import Foundation
import GRDB
import HearthCore

/// A participant's written consent for a family member to take part in their family sessions (42 CFR Part 2
/// section 2.31): who consents, for whom, which sessions, until when, and its revocation.
public struct ConsentRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "consent"
    public var id: Int64?
    public var participantId: PersonID
    public var familyId: PersonID
    /// One series, or nil for every family and multi-family session of the participant.
    public var seriesId: SeriesID?
    /// The last day it is valid, if it expires.
    public var expiresOn: String?
    public var note: String?
    public var createdAt: Int64
    public var revokedAt: Int64?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// In force on `now`'s date (in `timeZone`) and not revoked.
    public func isActive(at now: Date, in timeZone: TimeZone) -> Bool {
        guard revokedAt == nil else { return false }
        guard let expiresOn else { return true }
        return LocalDate(now, in: timeZone).description <= expiresOn
    }

    public func covers(_ series: SeriesID) -> Bool { seriesId == nil || seriesId == series }
}

/// Family participation consents.
public struct ConsentStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// Records a participant's consent for one of their family members.
    @discardableResult
    public func add(participant: PersonID, family: PersonID, series: SeriesID? = nil, expiresOn: LocalDate? = nil,
                    note: String? = nil, now: Date = Date()) throws -> ConsentRecord {
        try database.pool.write { db in
            guard let member = try PersonRecord.fetchOne(db, key: family.rawValue), member.role == .family else {
                throw StoreError.notFound("Family member \(family)")
            }
            guard member.familyOf == participant else {
                throw StoreError.invalid("\(member.displayName) is not a family member of this participant.")
            }
            var record = ConsentRecord(participantId: participant, familyId: family, seriesId: series,
                                       expiresOn: expiresOn?.description, note: note, createdAt: now.epochMilliseconds)
            try record.insert(db)
            try AuditLog.append(db, .consentAdd, actor: nil, target: participant.rawValue,
                                detail: "family participation, consent \(record.id ?? 0)", at: now)
            try AccessVersion.bump(db)
            return record
        }
    }

    /// Revokes a consent: a connected family member loses access within a second. Returns false when it was unknown
    /// or already revoked.
    @discardableResult
    public func revoke(id: Int64, now: Date = Date()) throws -> Bool {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE consent SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL",
                           arguments: [now.epochMilliseconds, id])
            guard db.changesCount > 0 else { return false }
            let participant = try String.fetchOne(db, sql: "SELECT participantId FROM consent WHERE id = ?", arguments: [id])
            try AuditLog.append(db, .consentRevoke, actor: nil, target: participant,
                                detail: "family participation, consent \(id)", at: now)
            try AccessVersion.bump(db)
            return true
        }
    }

    /// Every consent, optionally of one participant, newest first.
    public func list(participant: PersonID? = nil) throws -> [ConsentRecord] {
        try database.pool.read { db in
            var request = ConsentRecord.order(Column("createdAt").desc, Column("id").desc)
            if let participant { request = request.filter(Column("participantId") == participant) }
            return try request.fetchAll(db)
        }
    }

    /// Why a family member may not take part (in one series, when given), or nil when a consent in force covers it.
    public static func standing(_ db: Database, family: Identity, series: SeriesID?, now: Date,
                                timeZone: TimeZone) throws -> ProtocolError? {
        guard let participant = family.familyOf else {
            return ProtocolError(.unauthorized, "This family invitation belongs to no participant.")
        }
        return standing(family: family, consents: try consents(db, of: family),
                        participantEnrollments: try ProgramStore.enrollments(db, of: participant), series: series,
                        now: now, timeZone: timeZone)
    }

    /// A family member's consents from their participant, in force or not (the rows their standing is decided from).
    static func consents(_ db: Database, of family: Identity) throws -> [ConsentRecord] {
        guard let participant = family.familyOf else { return [] }
        return try ConsentRecord.fetchAll(cached: db, sql: "SELECT * FROM consent WHERE familyId = ? AND participantId = ?", arguments: [family.id, participant])
    }

    /// The standing decided from the rows at `now` (see above): the family member's consents and their participant's
    /// enrollments.
    public static func standing(family: Identity, consents all: [ConsentRecord], participantEnrollments: [EnrollmentRecord],
                                series: SeriesID?, now: Date, timeZone: TimeZone) -> ProtocolError? {
        guard family.familyOf != nil else {
            return ProtocolError(.unauthorized, "This family invitation belongs to no participant.")
        }
        let consents = all.filter { $0.isActive(at: now, in: timeZone) }
        if consents.isEmpty {
            return ProtocolError(.unauthorized, "Taking part needs the participant's written consent, and none is in force. "
                                 + "Ask the counselor.")
        }
        if let series, !consents.contains(where: { $0.covers(series) }) {
            return .forbidden("The participant's consent does not cover this session.")
        }
        if ProgramStore.standing(enrollments: participantEnrollments, now: now) != nil {
            return ProtocolError(.unauthorized, "The participant's program has ended, so family sessions have ended too.")
        }
        return nil
    }
}
