import Foundation
import GRDB
import HearthCore

extension RoomCatalog.Reader {
    // A room's state and pages, read in the reader's one transaction, so a join reads everything it needs (the
    // descriptor, the person's standing, the room's state, the page) in one go, from one snapshot of the store.

    /// The latest committed seq of a room (0 when empty).
    public func latestSeq(of room: RoomID) throws -> Int64 { try MessageStore.latestSeq(db, of: room) }

    /// Messages with `after < seq <= upTo`, oldest first (see `MessageStore.messages(in:after:)`).
    public func messages(in room: RoomID, after: Int64, upTo: Int64, limit: Int, reader: PersonID?) throws -> MessagePage {
        try MessageStore.messages(db, in: room, after: after, upTo: upTo, limit: limit, reader: reader)
    }

    /// The last `limit` messages below `before` and up to `upTo` (see `MessageStore.messages(in:before:)`).
    public func messages(in room: RoomID, before: Int64, upTo: Int64, limit: Int, reader: PersonID?) throws -> MessagePage {
        try MessageStore.messages(db, in: room, before: before, upTo: upTo, limit: limit, reader: reader)
    }

    /// The pinned messages a reader receives (nil: staff), oldest first.
    public func pinned(in room: RoomID, reader: PersonID?) throws -> [StoredMessage] {
        try MessageStore.pinned(db, in: room, reader: reader)
    }

    /// Who was admitted from the room's waiting room.
    public func admitted(room: RoomID) throws -> Set<PersonID> { try SessionRecords.admitted(db, room: room) }

    /// Who accepted the room's agreement.
    public func accepted(room: RoomID) throws -> Set<PersonID> { try SessionRecords.accepted(db, room: room) }

    /// The room's lock, slow mode, review mode and end.
    public func control(of room: RoomID) throws -> RoomControl { try ModerationStore.control(db, of: room) }

    /// Mutes and removals in the room and bans from its series, in force at `now`.
    public func restrictions(room: RoomID, series: SeriesID, now: Date) throws -> [Restriction] {
        try ModerationStore.restrictions(db, room: room, series: series, now: now)
    }

    /// Who on a multi-family room's roster lacks a multi-family group consent at `now` (see
    /// `MultiFamilyConsentStore.missing`).
    public func missingMultiFamilyConsent(in room: RoomDescriptor, now: Date) throws -> [MemberInfo] {
        try MultiFamilyConsentStore.missing(db, in: room, now: now)
    }

    /// The room's unresolved reports, oldest first.
    public func openReports(room: RoomID) throws -> [ReportRecord] { try ModerationStore.openReports(db, room: room) }
}
