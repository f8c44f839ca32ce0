import Foundation
import GRDB
import HearthCore

/// A participant's written consent to take part in multi-family group sessions (42 CFR Part 2 §2.31): there the
/// other participants and their families read what the participant and their family say. It admits the participant
/// and, with their own family participation consent, their family members.
public struct MultiFamilyConsentRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "multiFamilyConsent"
    public var id: Int64?
    public var participantId: PersonID
    /// One series, or nil for every multi-family session of the participant.
    public var seriesId: SeriesID?
    /// The last day it is valid (inclusive), if it expires.
    public var expiresOn: String?
    /// Where the signed form is kept, or other context (no clinical detail).
    public var note: String?
    public var createdAt: Int64
    public var revokedAt: Int64?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// How the operator names it: `m` and its number (family consents are plain numbers, disclosure ones `dN`).
    public var label: String { "m\(id ?? 0)" }

    /// Not revoked, and `date` is on or before its last day.
    public func isInForce(on date: LocalDate) -> Bool {
        guard revokedAt == nil else { return false }
        guard let expiresOn else { return true }
        return date.description <= expiresOn
    }

    public func covers(_ series: SeriesID) -> Bool { seriesId == nil || seriesId == series }
}

/// Multi-family group consents: recorded, revoked and listed by the operator; consulted whenever a participant or a
/// family member joins, or stays in, a multi-family session. Adding or revoking one moves the `AccessVersion`, so
/// connected people gain or lose such rooms within about a second.
public struct MultiFamilyConsentStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// Records a participant's multi-family group consent, for every multi-family session or one series, audited.
    @discardableResult
    public func add(participant: PersonID, series: SeriesID? = nil, expiresOn: LocalDate? = nil, note: String? = nil,
                    now: Date = Date()) throws -> MultiFamilyConsentRecord {
        try database.pool.write { db in
            guard let person = try PersonRecord.fetchOne(db, key: participant.rawValue) else {
                throw StoreError.notFound("Participant \(participant)")
            }
            guard person.role == .participant else {
                throw StoreError.invalid("Only a participant gives a multi-family group consent (it covers their family too); \(person.displayName) is a \(person.role.rawValue).")
            }
            var record = MultiFamilyConsentRecord(participantId: participant, seriesId: series,
                                                  expiresOn: expiresOn?.description, note: note,
                                                  createdAt: now.epochMilliseconds)
            try record.insert(db)
            try AuditLog.append(db, .consentAdd, actor: nil, target: participant.rawValue,
                                detail: Self.detail(record), at: now)
            try AccessVersion.bump(db)
            return record
        }
    }

    /// Revokes a multi-family group consent: the participant and their family leave the multi-family rooms it
    /// covered within about a second. Returns false when it was unknown or already revoked.
    @discardableResult
    public func revoke(id: Int64, now: Date = Date()) throws -> Bool {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE multiFamilyConsent SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL",
                           arguments: [now.epochMilliseconds, id])
            guard db.changesCount > 0, let record = try MultiFamilyConsentRecord.fetchOne(db, key: id) else { return false }
            try AuditLog.append(db, .consentRevoke, actor: nil, target: record.participantId.rawValue,
                                detail: Self.detail(record), at: now)
            try AccessVersion.bump(db)
            return true
        }
    }

    /// Every multi-family group consent, optionally of one participant, newest first.
    public func list(participant: PersonID? = nil) throws -> [MultiFamilyConsentRecord] {
        try database.pool.read { db in
            var request = MultiFamilyConsentRecord.order(Column("createdAt").desc, Column("id").desc)
            if let participant { request = request.filter(Column("participantId") == participant) }
            return try request.fetchAll(db)
        }
    }

    /// The rostered participants of a multi-family room with no multi-family group consent in force covering it,
    /// by display name: they and their family cannot join. Empty for every other kind of room.
    public func missing(in room: RoomDescriptor, now: Date) throws -> [MemberInfo] {
        guard room.kind == .multiFamily else { return [] }
        return try database.pool.read { db in try Self.missing(db, in: room, now: now) }
    }

    static func missing(_ db: Database, in room: RoomDescriptor, now: Date) throws -> [MemberInfo] {
        guard room.kind == .multiFamily else { return [] }
        let covered = try covered(db, participants: room.roster, series: room.series, on: LocalDate(now, in: room.timeZone))
        let ids = room.roster.subtracting(covered).map(\.rawValue)
        return try PersonRecord.fetchAll(db, keys: ids).map { $0.identity.member }
            .sorted { ($0.name, $0.id.rawValue) < ($1.name, $1.id.rawValue) }
    }

    /// Why a participant or family member may not take part in a multi-family room: no multi-family group consent
    /// of the participant in force, or none covering the room's series. Nil when one does, for staff, and for every
    /// other kind of room. The messages name the consent and, to a family member, the participant by display name.
    public static func standing(_ db: Database, _ person: Identity, in room: RoomDescriptor,
                                now: Date) throws -> ProtocolError? {
        guard room.kind == .multiFamily, let participant = participant(of: person) else {
            return standing(person, in: room, consents: [], participantName: nil, now: now)
        }
        let name = person.role == .family ? try PersonRecord.fetchOne(db, key: participant.rawValue)?.displayName : nil
        return standing(person, in: room, consents: try consents(db, of: participant), participantName: name, now: now)
    }

    /// The participant whose consent counts for `person` (themselves, or a family member's participant); nil for staff
    /// and for a family member who belongs to no one.
    static func participant(of person: Identity) -> PersonID? {
        switch person.role {
        case .counselor, .admin: nil
        case .participant: person.id
        case .family: person.familyOf
        }
    }

    /// A participant's multi-family group consents that were not revoked (the rows their standing is decided from).
    static func consents(_ db: Database, of participant: PersonID) throws -> [MultiFamilyConsentRecord] {
        try MultiFamilyConsentRecord.fetchAll(cached: db, sql: "SELECT * FROM multiFamilyConsent WHERE participantId = ? AND revokedAt IS NULL", arguments: [participant])
    }

    /// The standing decided from the rows at `now` (see above): the participant's consents that were not revoked and,
    /// for a family member, the participant's display name.
    public static func standing(_ person: Identity, in room: RoomDescriptor, consents all: [MultiFamilyConsentRecord],
                                participantName: String?, now: Date) -> ProtocolError? {
        guard room.kind == .multiFamily else { return nil }
        switch person.role {
        case .counselor, .admin: return nil
        case .participant: break
        case .family:
            guard person.familyOf != nil else { return .forbidden("This family member belongs to no participant.") }
        }
        let date = LocalDate(now, in: room.timeZone)
        let consents = all.filter { $0.revokedAt == nil && $0.isInForce(on: date) }
        if consents.contains(where: { $0.covers(room.series) }) { return nil }
        let whose: String
        if person.role == .participant {
            whose = "your"
        } else {
            whose = "\(participantName ?? "the participant")'s"
        }
        if consents.isEmpty {
            return .forbidden("Taking part in multi-family sessions needs \(whose) written multi-family group consent, "
                              + "and none is in force. Ask your counselor.")
        }
        return .forbidden("\(whose.prefix(1).uppercased() + whose.dropFirst()) multi-family group consent does not cover "
                          + "this session. Ask your counselor.")
    }

    /// Of `participants`, those with a multi-family group consent in force on `date` covering `series`.
    static func covered(_ db: Database, participants: Set<PersonID>, series: SeriesID, on date: LocalDate) throws -> Set<PersonID> {
        guard !participants.isEmpty else { return [] }
        let consents = try MultiFamilyConsentRecord
            .filter(participants.map(\.rawValue).contains(Column("participantId")) && Column("revokedAt") == nil)
            .fetchAll(db)
        return Set(consents.filter { $0.isInForce(on: date) && $0.covers(series) }.map(\.participantId))
    }

    static func detail(_ record: MultiFamilyConsentRecord) -> String {
        "multi-family group, consent \(record.label)"
    }
}
