import Foundation
import GRDB
import HearthCore
import Synchronization

/// Room descriptors (with each date's roster) and people's standing, kept in memory for the reads behind sign-in,
/// joins, `schedule` and the access re-check, so each of those reads only what is particular to the request.
///
/// Everything cached is tied to the store's access version: every write that can change a roster, a series, an
/// enrollment or a consent moves it (and so does materialization moving or removing a room). Each `read` checks
/// the version inside its own read transaction and drops the cache when it moved, so nothing older than the
/// transaction is ever served. Standing is kept as the rows it is decided from (enrollments, consents) and decided
/// at each call's `now`: a consent's expiry or an enrollment's end counts the moment it comes due, without a
/// write. Safe from any thread; the hub uses it off its service thread.
public final class RoomCatalog: Sendable {
    let database: HearthDatabase
    let defaultWindow: ChatWindowPolicy
    private let cache = Mutex(Cache())

    /// Most entries of each kind kept; past it the kind is emptied (a clinic's rooms for a fortnight fit many times).
    static let maxEntries = 50_000

    struct Cache {
        /// The access version every entry was read at (nil: nothing read yet).
        var version: Int64?
        var rooms: [RoomID: RoomDescriptor] = [:]
        var standing: [PersonID: StandingRows] = [:]
    }

    /// What a person's standing is decided from.
    struct StandingRows: Sendable {
        /// A participant's enrollments (a family member's: their participant's).
        var enrollments: [EnrollmentRecord] = []
        /// A family member's consents from their participant.
        var consents: [ConsentRecord] = []
        /// The participant's multi-family group consents that were not revoked.
        var multiFamily: [MultiFamilyConsentRecord] = []
        /// A family member's participant's display name (for the multi-family refusal).
        var participantName: String?
    }

    public init(_ database: HearthDatabase, defaultWindow: ChatWindowPolicy) {
        self.database = database
        self.defaultWindow = defaultWindow
    }

    /// Runs `body` in one read transaction, with the cache made current for that transaction's access version.
    public func read<T>(_ body: (Reader) throws -> T) throws -> T {
        try database.pool.read { db in
            let version = try AccessVersion.current(db)
            // Another version than the cache's (newer, or older after a restored backup): start again from it.
            cache.withLock { cache in
                if cache.version != version { cache = Cache(version: version) }
            }
            return try body(Reader(db: db, catalog: self, accessVersion: version))
        }
    }

    /// The store's access version now (and the cache made current for it).
    public func accessVersion() throws -> Int64 {
        try read { $0.accessVersion }
    }

    /// Reads inside one transaction of `RoomCatalog.read`, through the cache.
    public struct Reader {
        let db: Database
        let catalog: RoomCatalog
        /// The access version of this transaction.
        public let accessVersion: Int64

        /// Everything the hub needs about one room, or nil when there is no such room.
        public func descriptor(of id: RoomID) throws -> RoomDescriptor? {
            if let hit = lookUp(id) { return hit }
            guard let record = try RoomRecord.fetchOne(cached: db, sql: "SELECT * FROM room WHERE id = ?", arguments: [id]) else { return nil }
            return try descriptor(record)
        }

        func descriptor(_ record: RoomRecord) throws -> RoomDescriptor {
            if let hit = lookUp(record.id) { return hit }
            let descriptor = try ScheduleStore.descriptor(db, record, defaultWindow: catalog.defaultWindow)
            store { cache in
                if cache.rooms.count >= RoomCatalog.maxEntries { cache.rooms.removeAll() }
                cache.rooms[record.id] = descriptor
            }
            return descriptor
        }

        /// A token, by its hash (`Directory.check`), in this transaction: refused, valid or an invitation to redeem,
        /// with when it expires (nil: until revoked).
        public func token(hash: Data, now: Date) throws -> (check: TokenCheck, expires: Date?) {
            try Directory.check(db, hash: hash, now: now)
        }

        /// The person with this id, or nil.
        public func person(_ id: PersonID) throws -> PersonRecord? {
            try PersonRecord.fetchOne(cached: db, sql: "SELECT * FROM person WHERE id = ?", arguments: [id])
        }

        /// One person's candidate rooms (not yet filtered by `AccessRule`): of their own series only (every series
        /// for staff), those overlapping `[from, to)`, and the first of each series starting at or after `next`.
        public func rooms(for identity: Identity, from: Date, to: Date,
                          next: Date? = nil) throws -> (overlapping: [RoomDescriptor], next: [RoomDescriptor]) {
            let records = try ScheduleStore.personalRooms(db, identity, from: from, to: to, next: next)
            return (try records.overlapping.map(descriptor), try records.next.map(descriptor))
        }

        /// Why someone may not take part (in a series, when given): a participant's ended enrollment, a family
        /// member's missing or revoked consent, at `now`. Nil when they may.
        public func standing(_ identity: Identity, series: SeriesID?, timeZone: TimeZone, now: Date) throws -> ProtocolError? {
            switch identity.role {
            case .counselor, .admin:
                return nil
            case .participant:
                return ProgramStore.standing(enrollments: try rows(identity).enrollments, now: now)
            case .family:
                let rows = try rows(identity)
                return ConsentStore.standing(family: identity, consents: rows.consents,
                                             participantEnrollments: rows.enrollments, series: series, now: now,
                                             timeZone: timeZone)
            }
        }

        /// Why someone may not take part in one room: their standing for its series, then, in a multi-family
        /// session, the participant's multi-family group consent. Nil when they may.
        public func standing(_ identity: Identity, in room: RoomDescriptor, now: Date) throws -> ProtocolError? {
            if let refusal = try standing(identity, series: room.series, timeZone: room.timeZone, now: now) { return refusal }
            return try multiFamilyStanding(identity, in: room, now: now)
        }

        /// Why someone may not take part in a multi-family room for want of a multi-family group consent; nil for
        /// staff and every other kind of room.
        public func multiFamilyStanding(_ identity: Identity, in room: RoomDescriptor, now: Date) throws -> ProtocolError? {
            guard room.kind == .multiFamily, !identity.role.isStaff else { return nil }
            let rows = try rows(identity)
            return MultiFamilyConsentStore.standing(identity, in: room, consents: rows.multiFamily,
                                                    participantName: rows.participantName, now: now)
        }

        /// The next moment after `now` at which the person's standing changes with no write to the store: an
        /// enrollment's end, or the last day of a family or multi-family consent being over in one of `zones` (the
        /// zones their standing is decided in). Nil when none is coming; staff have none.
        public func standingChanges(_ identity: Identity, in zones: [TimeZone], after now: Date) throws -> Date? {
            guard !identity.role.isStaff else { return nil }
            let rows = try rows(identity)
            var due = rows.enrollments.compactMap { $0.endedAt.map { Date(epochMilliseconds: $0) } }
            let lastDays = rows.consents.filter { $0.revokedAt == nil }.compactMap(\.expiresOn)
                + rows.multiFamily.compactMap(\.expiresOn)
            for day in Set(lastDays).compactMap(LocalDate.init) {
                due += zones.map { Directory.endOfDay(day, in: $0) }
            }
            return due.filter { $0 > now }.min()
        }

        private func rows(_ identity: Identity) throws -> StandingRows {
            if let hit = catalog.cache.withLock({ $0.version == accessVersion ? $0.standing[identity.id] : nil }) {
                return hit
            }
            var rows = StandingRows()
            if let participant = MultiFamilyConsentStore.participant(of: identity) {
                rows.enrollments = try ProgramStore.enrollments(db, of: participant)
                rows.multiFamily = try MultiFamilyConsentStore.consents(db, of: participant)
                if identity.role == .family {
                    rows.consents = try ConsentStore.consents(db, of: identity)
                    rows.participantName = try PersonRecord.fetchOne(cached: db, sql: "SELECT * FROM person WHERE id = ?", arguments: [participant])?.displayName
                }
            }
            store { cache in
                if cache.standing.count >= RoomCatalog.maxEntries { cache.standing.removeAll() }
                cache.standing[identity.id] = rows
            }
            return rows
        }

        private func lookUp(_ id: RoomID) -> RoomDescriptor? {
            catalog.cache.withLock { $0.version == accessVersion ? $0.rooms[id] : nil }
        }

        /// Changes the cache while it is still that of this transaction's access version.
        private func store(_ change: (inout Cache) -> Void) {
            catalog.cache.withLock { cache in
                guard cache.version == accessVersion else { return }
                change(&cache)
            }
        }
    }
}
