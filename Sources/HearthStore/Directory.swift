import Foundation
import GRDB
import HearthCore

/// A person as the store keeps them. `legalName` is for staff tools only and never goes on the wire.
public struct PersonRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "person"
    public var id: PersonID
    public var role: Role
    public var displayName: String
    public var legalName: String?
    public var familyOf: PersonID?
    /// A stable key from an import or the demo, so seeding twice finds the same person.
    public var externalKey: String?
    public var createdAt: Int64

    public var identity: Identity {
        Identity(id: id, role: role, displayName: displayName, familyOf: familyOf)
    }
}

struct TokenRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "token"
    var id: Int64?
    var personId: PersonID
    var hash: Data
    var label: String
    var createdAt: Int64
    var revokedAt: Int64?
    /// Set for a token that admits to one room only (a family invitation and the session token it is exchanged for).
    var roomId: RoomID?
    var expiresAt: Int64?
    var singleUse: Bool = false
    var usedAt: Int64?
    /// The token this one was issued in exchange for (a redeemed invitation, for its session token): revoking that
    /// one revokes this one too.
    var issuedFrom: Int64?
}

/// The outcome of signing in with a token.
public enum SignIn: Equatable, Sendable {
    /// Who the token belongs to; `sessionToken` is set when a single-use invitation was exchanged for it.
    case valid(Identity, sessionToken: String?)
    /// Why not, in words for the person holding the token.
    case refused(String)
}

/// What a token is worth, read without writing (`Directory.check`).
public enum TokenCheck: Equatable, Sendable {
    /// Why not, in words for the person holding the token.
    case refused(String)
    /// Who the token belongs to.
    case valid(Identity)
    /// A single-use family invitation not used yet: `signIn` redeems it (a write).
    case invitation(Identity)
}

/// People and their tokens.
public struct Directory: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// Adds a person. A family member must name the participant they belong to.
    @discardableResult
    public func addPerson(role: Role, displayName: String, legalName: String? = nil, familyOf: PersonID? = nil,
                          externalKey: String? = nil, now: Date = Date()) throws -> PersonRecord {
        let name = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 60 else {
            throw StoreError.invalid("A display name must be 1 to 60 characters.")
        }
        return try database.pool.write { db in
            if let externalKey, try PersonRecord.filter(Column("externalKey") == externalKey).fetchCount(db) > 0 {
                throw StoreError.conflict("The key \"\(externalKey)\" is already used by someone else; choose another.")
            }
            if role == .family {
                guard let familyOf, let of = try PersonRecord.fetchOne(db, key: familyOf.rawValue) else {
                    throw StoreError.notFound("The participant this family member belongs to")
                }
                guard of.role == .participant else {
                    throw StoreError.invalid("A family member must belong to a participant, not a \(of.role.rawValue).")
                }
            } else if familyOf != nil {
                throw StoreError.invalid("Only family members belong to a participant.")
            }
            let record = PersonRecord(id: IDGenerator.person(), role: role, displayName: name, legalName: legalName,
                                      familyOf: role == .family ? familyOf : nil, externalKey: externalKey,
                                      createdAt: now.epochMilliseconds)
            try record.insert(db)
            return record
        }
    }

    /// The person with this id, or nil.
    public func person(_ id: PersonID) throws -> PersonRecord? {
        try database.pool.read { db in try PersonRecord.fetchOne(db, key: id.rawValue) }
    }

    /// The person with this external key, or nil.
    public func person(externalKey: String) throws -> PersonRecord? {
        try database.pool.read { db in
            try PersonRecord.filter(Column("externalKey") == externalKey).fetchOne(db)
        }
    }

    /// The person an admin means by `reference`: an id (`p_…`) or an external key.
    public func person(reference: String) throws -> PersonRecord? {
        try database.pool.read { db in
            try PersonRecord.fetchOne(db, key: reference)
                ?? PersonRecord.filter(Column("externalKey") == reference).fetchOne(db)
        }
    }

    /// Every person with a role, in display-name order.
    public func people(role: Role? = nil) throws -> [PersonRecord] {
        try database.pool.read { db in
            var request = PersonRecord.order(Column("displayName"))
            if let role { request = request.filter(Column("role") == role.rawValue) }
            return try request.fetchAll(db)
        }
    }

    /// A person to create unless one with the same external key exists.
    public struct PersonSpec: Sendable {
        public var key: String
        public var role: Role
        public var displayName: String
        public var legalName: String?
        /// External key of the participant a family member belongs to.
        public var familyOfKey: String?

        public init(key: String, role: Role, displayName: String, legalName: String? = nil, familyOfKey: String? = nil) {
            self.key = key; self.role = role; self.displayName = displayName; self.legalName = legalName
            self.familyOfKey = familyOfKey
        }
    }

    /// Finds or creates each person by external key, in one transaction (seeding is idempotent).
    public func ensurePeople(_ specs: [PersonSpec], now: Date = Date()) throws -> [PersonRecord] {
        try database.pool.write { db in
            var byKey: [String: PersonRecord] = [:]
            return try specs.map { spec in
                if let existing = try PersonRecord.filter(Column("externalKey") == spec.key).fetchOne(db) {
                    byKey[spec.key] = existing
                    return existing
                }
                var familyOf: PersonID?
                if let parent = spec.familyOfKey {
                    guard let record = try byKey[parent] ?? PersonRecord.filter(Column("externalKey") == parent).fetchOne(db)
                    else { throw StoreError.notFound("Participant \(parent)") }
                    familyOf = record.id
                }
                let record = PersonRecord(id: IDGenerator.person(), role: spec.role, displayName: spec.displayName,
                                          legalName: spec.legalName, familyOf: familyOf, externalKey: spec.key,
                                          createdAt: now.epochMilliseconds)
                try record.insert(db)
                byKey[spec.key] = record
                return record
            }
        }
    }

    /// Issues one new token per person in one transaction, first revoking their earlier tokens with the same label
    /// (the demo re-issues its tokens on every start). Returns the tokens in the order given.
    public func reissueTokens(for people: [PersonID], label: String, now: Date = Date()) throws -> [String] {
        try database.pool.write { db in
            try people.map { person in
                let earlier = try Int64.fetchAll(db, sql: "SELECT id FROM token WHERE personId = ? AND label = ? AND revokedAt IS NULL",
                                                 arguments: [person, label])
                try db.execute(sql: "UPDATE token SET revokedAt = ? WHERE personId = ? AND label = ? AND revokedAt IS NULL",
                               arguments: [now.epochMilliseconds, person, label])
                try Self.revokeDerived(from: earlier, db, now: now)
                let token = AccessToken.generate()
                try TokenRecord(id: nil, personId: person, hash: AccessToken.hash(token), label: label,
                                createdAt: now.epochMilliseconds, revokedAt: nil).insert(db)
                try AuditLog.append(db, .tokenIssue, actor: nil, target: person.rawValue, detail: "label \(label)", at: now)
                return token
            }
        }
    }

    /// Issues a new token for a person. The returned string is the only copy: it is stored as a hash.
    /// `by` is the staff member who asked, nil for the operator at the command line; the issue is audited.
    /// - Parameters:
    ///   - lastDay: The last date the token works, to the end of that day on clocks in `timeZone` (the clinic's);
    ///     nil: until revoked.
    /// - Throws: `StoreError.invalid` when `lastDay` has already ended, `notFound` for an unknown person.
    public func issueToken(for person: PersonID, label: String = "", by actor: PersonID? = nil,
                           lastDay: LocalDate? = nil, in timeZone: TimeZone = .current,
                           now: Date = Date()) throws -> String {
        let expires = lastDay.map { Self.endOfDay($0, in: timeZone) }
        if let lastDay, let expires, expires <= now {
            throw StoreError.invalid("The last day \(lastDay) has already ended: give today or a later date "
                                     + "(today is \(LocalDate(now, in: timeZone)) in \(timeZone.identifier)).")
        }
        let token = AccessToken.generate()
        try database.pool.write { db in
            guard try PersonRecord.exists(db, key: person.rawValue) else { throw StoreError.notFound("Person \(person)") }
            try TokenRecord(id: nil, personId: person, hash: AccessToken.hash(token), label: label,
                            createdAt: now.epochMilliseconds, revokedAt: nil,
                            expiresAt: expires?.epochMilliseconds).insert(db)
            var detail = label.isEmpty ? [] : ["label \(label)"]
            if let lastDay { detail.append("last day \(lastDay)") }
            try AuditLog.append(db, .tokenIssue, actor: actor, target: person.rawValue,
                                detail: detail.isEmpty ? nil : detail.joined(separator: ", "), at: now)
        }
        return token
    }

    /// The moment a token whose last day is `date` stops working: the next midnight on clocks in `timeZone` (the
    /// first moment of the next day, if a daylight-saving change skips midnight).
    public static func endOfDay(_ date: LocalDate, in timeZone: TimeZone) -> Date {
        date.adding(days: 1).at(LocalTime(hour: 0, minute: 0)!, in: timeZone)
    }

    /// Who a token belongs to, or nil when it is unknown, revoked, expired or a used invitation. Never redeems an
    /// invitation (see `signIn`).
    public func authenticate(token: String, now: Date = Date()) throws -> Identity? {
        try database.pool.read { db in
            guard let (record, person) = try Self.lookup(db, hash: AccessToken.hash(token)),
                  Self.refusal(record, now: now) == nil else { return nil }
            return Self.identity(person, record)
        }
    }

    /// Signs in with a token. A single-use family invitation is redeemed: marked used and exchanged for a session
    /// token that admits to the same room until the invitation would have expired.
    public func signIn(token: String, now: Date = Date()) throws -> SignIn {
        let hash = AccessToken.hash(token)
        // Most sign-ins only read: the loop must not wait behind the message writer's transaction.
        let found = try database.pool.read { db in try Self.lookup(db, hash: hash) }
        guard let (record, person) = found else {
            return .refused("This token is not valid. Ask your counselor for a new invitation.")
        }
        if let refusal = Self.refusal(record, now: now) { return .refused(refusal) }
        guard record.singleUse else { return .valid(Self.identity(person, record), sessionToken: nil) }
        return try database.pool.write { db in
            // Redeemed inside the write transaction, so two connections cannot both use one invitation.
            guard let (current, person) = try Self.lookup(db, hash: hash) else {
                return .refused("This token is not valid. Ask your counselor for a new invitation.")
            }
            if let refusal = Self.refusal(current, now: now) { return .refused(refusal) }
            try db.execute(sql: "UPDATE token SET usedAt = ? WHERE id = ?", arguments: [now.epochMilliseconds, current.id])
            let session = AccessToken.generate()
            try TokenRecord(id: nil, personId: person.id, hash: AccessToken.hash(session), label: "invitation session",
                            createdAt: now.epochMilliseconds, revokedAt: nil, roomId: current.roomId,
                            expiresAt: current.expiresAt, issuedFrom: current.id).insert(db)
            return .valid(Self.identity(person, current), sessionToken: session)
        }
    }

    /// Checks a token without writing anything: refused (in words for the person holding it), valid, or a
    /// single-use invitation that still has to be redeemed with `signIn` (a write). Sign-in reads this off the
    /// server's service thread and sends only the redemption to a writer.
    public func check(token: String, now: Date = Date()) throws -> TokenCheck {
        let hash = AccessToken.hash(token)
        return try database.pool.read { db in try Self.check(db, hash: hash, now: now).check }
    }

    /// `check` inside a transaction the caller holds, with when the token expires (nil: until revoked).
    static func check(_ db: Database, hash: Data, now: Date) throws -> (check: TokenCheck, expires: Date?) {
        guard let (record, person) = try lookup(db, hash: hash) else {
            return (.refused("This token is not valid. Ask your counselor for a new invitation."), nil)
        }
        if let refusal = refusal(record, now: now) { return (.refused(refusal), nil) }
        let expires = record.expiresAt.map { Date(epochMilliseconds: $0) }
        return (record.singleUse ? .invitation(identity(person, record)) : .valid(identity(person, record)), expires)
    }

    /// Of these token hashes, the ones that still work (known, not revoked, not expired, as `isValid`), each with
    /// when it expires (nil: until revoked). One read per 500.
    public func workingTokens(_ hashes: [Data], now: Date = Date()) throws -> [Data: Date?] {
        var working: [Data: Date?] = [:]
        let unique = Array(Set(hashes))
        for start in stride(from: 0, to: unique.count, by: 500) {
            let chunk = Array(unique[start..<min(start + 500, unique.count)])
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try database.pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT hash, expiresAt FROM token WHERE hash IN (\(placeholders)) AND revokedAt IS NULL
                      AND (expiresAt IS NULL OR expiresAt > ?)
                    """, arguments: StatementArguments(chunk) + [now.epochMilliseconds])
            }
            for row in rows {
                let expires: Date? = (row["expiresAt"] as Int64?).map { Date(epochMilliseconds: $0) }
                working[row["hash"] as Data] = .some(expires)
            }
        }
        return working
    }

    private static func lookup(_ db: Database, hash: Data) throws -> (TokenRecord, PersonRecord)? {
        guard let record = try TokenRecord.fetchOne(cached: db, sql: "SELECT * FROM token WHERE hash = ?", arguments: [hash]),
              let person = try PersonRecord.fetchOne(cached: db, sql: "SELECT * FROM person WHERE id = ?", arguments: [record.personId]) else { return nil }
        return (record, person)
    }

    private static func refusal(_ record: TokenRecord, now: Date) -> String? {
        if record.revokedAt != nil { return "This token is not valid. Ask your counselor for a new invitation." }
        if let expires = record.expiresAt, expires <= now.epochMilliseconds {
            // Only an invitation and its session token are for one room; any other token expired on its last day.
            return record.roomId != nil ? "This invitation has expired: it was for one session, which has ended."
                : "This token has expired. Ask your counselor for a new one."
        }
        if record.singleUse && record.usedAt != nil {
            return "This invitation has already been used. Ask your counselor for a new one."
        }
        return nil
    }

    private static func identity(_ person: PersonRecord, _ token: TokenRecord) -> Identity {
        var identity = person.identity
        identity.onlyRoom = token.roomId
        return identity
    }

    /// Whether a token (by its hash) is known, not revoked and not expired (a redeemed invitation stays valid for
    /// the connection that redeemed it).
    public func isValid(tokenHash: Data, now: Date = Date()) throws -> Bool {
        try database.pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM token WHERE hash = ? AND revokedAt IS NULL
                               AND (expiresAt IS NULL OR expiresAt > ?))
                """, arguments: [tokenHash, now.epochMilliseconds]) ?? false
        }
    }

    /// A single-use token that admits one family member to one room until `expires` (the end of its chat window).
    public func issueInvitation(family: PersonID, room: RoomID, expires: Date, by actor: PersonID? = nil,
                                now: Date = Date()) throws -> String {
        let token = AccessToken.generate()
        try database.pool.write { db in
            guard let person = try PersonRecord.fetchOne(db, key: family.rawValue), person.role == .family else {
                throw StoreError.notFound("Family member \(family)")
            }
            guard try RoomRecord.exists(db, key: room.rawValue) else { throw StoreError.notFound("Room \(room)") }
            try TokenRecord(id: nil, personId: family, hash: AccessToken.hash(token), label: "invitation",
                            createdAt: now.epochMilliseconds, revokedAt: nil, roomId: room,
                            expiresAt: expires.epochMilliseconds, singleUse: true).insert(db)
            try AuditLog.append(db, .invitationIssue, actor: actor, room: room, target: family.rawValue, at: now)
        }
        return token
    }

    /// Revokes one token (given as the token itself) and every token issued from it: revoking a redeemed invitation
    /// also revokes the session token it was exchanged for. Returns false when it was unknown or already revoked.
    @discardableResult
    public func revoke(token: String, now: Date = Date()) throws -> Bool {
        try revokeCounting(token: token, now: now) != nil
    }

    /// Revokes one token and every token issued from it, as `revoke(token:)` does. Returns how many were issued from
    /// it and revoked with it (1 for a redeemed invitation, else 0), or nil when it was unknown or already revoked.
    public func revokeCounting(token: String, now: Date = Date()) throws -> Int? {
        try database.pool.write { db in
            let hash = AccessToken.hash(token)
            guard let record = try TokenRecord.filter(Column("hash") == hash).fetchOne(db), record.revokedAt == nil,
                  let id = record.id else { return nil }
            try db.execute(sql: "UPDATE token SET revokedAt = ? WHERE id = ?", arguments: [now.epochMilliseconds, id])
            let derived = try Self.revokeDerived(from: [id], db, now: now)
            let person = record.personId.rawValue
            try AuditLog.append(db, .tokenRevoke, actor: nil, target: person,
                                detail: derived == 0 ? "one token" : "one token and \(derived) issued from it", at: now)
            try AccessVersion.bump(db)
            return derived
        }
    }

    /// Revokes every token issued from the tokens `ids`, and from those in turn (a redeemed invitation's session
    /// token). Returns how many it revoked.
    @discardableResult
    static func revokeDerived(from ids: [Int64], _ db: Database, now: Date) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        try db.execute(sql: """
            WITH RECURSIVE derived(id) AS (
                SELECT id FROM token WHERE issuedFrom IN (\(placeholders))
                UNION SELECT token.id FROM token JOIN derived ON token.issuedFrom = derived.id)
            UPDATE token SET revokedAt = ? WHERE revokedAt IS NULL AND id IN derived
            """, arguments: StatementArguments(ids + [now.epochMilliseconds]))
        return db.changesCount
    }

    /// Revokes every token of a person (lost device, discharge), or only those with `label`, and every token issued
    /// from them. Returns how many were revoked.
    @discardableResult
    public func revokeAll(of person: PersonID, label: String? = nil, now: Date = Date()) throws -> Int {
        try database.pool.write { db in
            var request = TokenRecord.filter(Column("personId") == person.rawValue && Column("revokedAt") == nil)
            if let label { request = request.filter(Column("label") == label) }
            let ids = try request.select(Column("id"), as: Int64.self).fetchAll(db)
            try request.updateAll(db, Column("revokedAt").set(to: now.epochMilliseconds))
            // Tokens issued from these (a session token labelled differently from its invitation) go with them.
            let revoked = ids.count + (try Self.revokeDerived(from: ids, db, now: now))
            if revoked > 0 {
                try AuditLog.append(db, .tokenRevoke, actor: nil, target: person.rawValue, detail: "\(revoked) token(s)", at: now)
                try AccessVersion.bump(db)
            }
            return revoked
        }
    }
}
