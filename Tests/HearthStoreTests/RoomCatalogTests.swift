import Foundation
import GRDB
import HearthCore
import HearthStore
import Testing

/// The room descriptors and standing the server keeps in memory: current for the store's access version, standing
/// decided at each call's `now`, a person's rooms read from their own series only; held messages through their index.
@Suite struct RoomCatalogTests {
    @Test func aDescriptorIsKeptUntilTheAccessVersionMoves() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let catalog = RoomCatalog(database, defaultWindow: .standard)
            let room = clinic.room.id
            let roster = { try catalog.read { try $0.descriptor(of: room) }?.roster }
            #expect(try roster() == [clinic.alex.id, clinic.sam.id])
            // A change that does not move the version is not seen: the descriptor is served from memory.
            try database.pool.write { db in
                try db.execute(sql: "DELETE FROM seriesMember WHERE personId = ?", arguments: [clinic.sam.id])
            }
            #expect(try roster() == [clinic.alex.id, clinic.sam.id])
            // Every write that changes access moves the version (here by hand): the next read is fresh.
            try database.pool.write { db in try AccessVersion.bump(db) }
            #expect(try roster() == [clinic.alex.id])
        }
    }

    @Test func standingIsDecidedWhenItIsAskedFromTheRowsKept() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let catalog = RoomCatalog(database, defaultWindow: .standard)
            let zone = clinic.room.timeZone, series = clinic.room.series
            try ConsentStore(database).add(participant: clinic.alex.id, family: clinic.maria.id,
                                           expiresOn: LocalDate("2026-11-30"), now: clinic.sentAt)
            let maria = clinic.maria.identity
            func standing(at date: Date) throws -> ProtocolError? {
                try catalog.read { try $0.standing(maria, series: series, timeZone: zone, now: date) }
            }
            #expect(try standing(at: try time("2026-11-30T23:00:00-08:00")) == nil)
            // The consent's last day is over: refused, with no write in between.
            let after = try standing(at: try time("2026-12-01T00:30:00-08:00"))
            #expect(after?.code == .unauthorized)
        }
    }

    @Test func aPersonsRoomsAreOnlyThoseOfTheirOwnSeries() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let schedule = ScheduleStore(database)
            let zone = clinic.room.timeZone
            // Another group the same evening, for Sam only.
            try schedule.upsertSeries(
                key: "sam-group", title: "Peer group", kind: .group,
                schedule: SessionSchedule(recurrence: .weekly([.monday]), start: LocalTime(hour: 19, minute: 0)!,
                                          durationMinutes: 60, timeZone: zone),
                roster: [clinic.sam.id])
            let from = try time("2026-11-23T00:00:00-08:00"), to = try time("2026-11-24T00:00:00-08:00")
            try schedule.materializeRooms(from: from, to: to, now: from)
            let catalog = RoomCatalog(database, defaultWindow: .standard)
            func titles(_ person: PersonRecord) throws -> [String] {
                try catalog.read { try $0.rooms(for: person.identity, from: from, to: to).overlapping.map(\.title) }
            }
            #expect(try titles(clinic.alex) == ["Multi-family group"])
            #expect(try titles(clinic.sam) == ["Multi-family group", "Peer group"])
            // A family member: their participant's family and multi-family sessions only.
            #expect(try titles(clinic.maria) == ["Multi-family group"])
            // Staff: every room in the range.
            #expect(try titles(clinic.dana) == ["Multi-family group", "Peer group"])
            let plans = try schedule.personalRoomPlans(for: clinic.sam.identity, from: from, to: to, next: from)
            #expect(plans.contains { $0.contains("room_series_endsAt") }, "\(plans)")
            #expect(!plans.contains { $0.hasPrefix("SCAN room") }, "\(plans)")
        }
    }

    @Test func workingTokensAreListedWithTheirExpiryInOneRead() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let directory = Directory(database)
            let zone = clinic.room.timeZone, lastDay = try #require(LocalDate("2026-11-30"))
            let forever = try directory.issueToken(for: clinic.alex.id, now: clinic.sentAt)
            let dated = try directory.issueToken(for: clinic.sam.id, lastDay: lastDay, in: zone, now: clinic.sentAt)
            let revoked = try directory.issueToken(for: clinic.dana.id, now: clinic.sentAt)
            try directory.revoke(token: revoked, now: clinic.sentAt)
            let hashes = [forever, dated, revoked, "hth_unknown"].map(AccessToken.hash)
            let working = try directory.workingTokens(hashes, now: clinic.sentAt)
            #expect(working.count == 2)
            #expect(working[hashes[0]] == .some(nil))
            #expect(working[hashes[1]] == .some(Directory.endOfDay(lastDay, in: zone)))
            // Past its last day, the dated one no longer works.
            #expect(try directory.workingTokens(hashes, now: Directory.endOfDay(lastDay, in: zone)).count == 1)
        }
    }

    @Test func heldAndPinnedMessagesAreFoundThroughTheirIndexes() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let messages = MessageStore(database)
            #expect(try messages.held(in: clinic.room.id).map(\.body) == ["alex-held"])
            _ = try ModerationStore(database).flag(.pinned, room: clinic.room.id, seq: 2, by: clinic.dana.id, at: clinic.now)
            #expect(try messages.pinned(in: clinic.room.id, reader: clinic.sam.id).map(\.seq) == [2])
            let plans = try messages.queryPlans(room: clinic.room.id)
            #expect(plans.pinned.contains { $0.contains("USING INDEX message_pinned") }, "\(plans.pinned)")
            #expect(plans.held.contains { $0.contains("USING INDEX message_held") }, "\(plans.held)")
        }
    }
}
