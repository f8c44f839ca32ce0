import Foundation
import GRDB
import HearthCore
import HearthStore
import Testing

/// Multi-family group consents (42 CFR Part 2 §2.31): recorded and revoked with an audit row and a new access
/// version; the standing they give a participant and their family in a multi-family room, and the roster list staff
/// see of who lacks one.
@Suite struct MultiFamilyConsentStoreTests {
    @Test func addListRevokeTheirAuditRowsAndTheAccessVersion() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let store = MultiFamilyConsentStore(database)
            let version = { try database.pool.read { try AccessVersion.current($0) } }
            let before = try version()
            let consent = try store.add(participant: clinic.alex.id, series: clinic.room.series,
                                        expiresOn: LocalDate("2026-12-31"), note: "form in chart", now: clinic.sentAt)
            #expect(consent.id == 1 && consent.label == "m1")
            #expect(consent.seriesId == clinic.room.series && consent.expiresOn == "2026-12-31")
            #expect(try version() == before + 1)
            #expect(try store.list(participant: clinic.alex.id) == [consent])
            #expect(try store.list(participant: clinic.sam.id).isEmpty)

            #expect(try store.revoke(id: 1, now: clinic.now))
            #expect(try version() == before + 2)
            #expect(try !store.revoke(id: 1, now: clinic.now))
            #expect(try !store.revoke(id: 99, now: clinic.now))
            #expect(try store.list().first?.revokedAt == clinic.now.epochMilliseconds)

            let audit = try AuditLog(database).list(AuditFilter(actions: ["consent_add", "consent_revoke"]))
            #expect(audit.map(\.action) == ["consent_add", "consent_revoke"])
            #expect(audit.allSatisfy { $0.actor == nil && $0.target == clinic.alex.id.rawValue })
            #expect(audit.allSatisfy { $0.detail == "multi-family group, consent m1" })
        }
    }

    @Test func onlyAParticipantGivesIt() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let store = MultiFamilyConsentStore(database)
            #expect(throws: StoreError.self) { try store.add(participant: clinic.maria.id) }
            #expect(throws: StoreError.self) { try store.add(participant: clinic.dana.id) }
            #expect(throws: StoreError.self) { try store.add(participant: PersonID("p_nobody")) }
        }
    }

    @Test func theStandingNamesTheMissingConsentAndTheParticipantByDisplayName() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let store = MultiFamilyConsentStore(database)
            let room = clinic.room, at = clinic.sentAt
            func standing(_ person: PersonRecord, _ room: RoomDescriptor) throws -> String? {
                try database.pool.read { db in
                    try MultiFamilyConsentStore.standing(db, person.identity, in: room, now: at)?.message
                }
            }
            #expect(try standing(clinic.alex, room) == "Taking part in multi-family sessions needs your written multi-family group consent, and none is in force. Ask your counselor.")
            #expect(try standing(clinic.maria, room) == "Taking part in multi-family sessions needs Alex R.'s written multi-family group consent, and none is in force. Ask your counselor.")
            #expect(try standing(clinic.dana, room) == nil)
            var family = room
            family.kind = .family
            #expect(try standing(clinic.alex, family) == nil)
            #expect(try store.missing(in: family, now: at).isEmpty)
            #expect(try store.missing(in: room, now: at).map(\.name) == ["Alex R.", "Sam T."])

            // A consent for another series does not cover this one.
            var other = room
            other.series = SeriesID("s_other")
            let covering = try store.add(participant: clinic.alex.id, series: room.series, now: at)
            #expect(try standing(clinic.alex, room) == nil)
            #expect(try standing(clinic.maria, room) == nil)
            #expect(try standing(clinic.alex, other) == "Your multi-family group consent does not cover this session. Ask your counselor.")
            #expect(try standing(clinic.maria, other) == "Alex R.'s multi-family group consent does not cover this session. Ask your counselor.")
            #expect(try store.missing(in: room, now: at).map(\.id) == [clinic.sam.id])

            // Expired (the last day is inclusive, in the room's zone) or revoked: none in force.
            try store.add(participant: clinic.sam.id, expiresOn: room.date, now: at)
            #expect(try standing(clinic.sam, room) == nil)
            let nextDay = try database.pool.read { db in
                try MultiFamilyConsentStore.standing(db, clinic.sam.identity, in: room, now: at.addingTimeInterval(86_400))
            }
            #expect(nextDay?.code == .forbidden)
            try store.revoke(id: covering.id!, now: at)
            #expect(try standing(clinic.alex, room)?.contains("none is in force") == true)
        }
    }

    @Test func theMigrationMakesItsOwnTable() throws {
        try withTemporaryDatabase { database throws in
            let applied = try database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
            #expect(applied.contains("v6 multi-family group consent"))
            let columns = try database.pool.read { db in try db.columns(in: "multiFamilyConsent").map(\.name) }
            #expect(columns == ["id", "participantId", "seriesId", "expiresOn", "note", "createdAt", "revokedAt"])
        }
    }
}
