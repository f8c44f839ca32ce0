import Foundation
import HearthCore
import HearthStore
import Testing

/// Disclosure consents (42 CFR Part 2 §2.31): recorded and revoked with an audit row; a lookup finds the one in
/// force for a recipient and purpose, compared trimmed and without regard to case.
@Suite struct DisclosureConsentTests {
    @Test func addListRevokeAndTheirAuditRows() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let store = DisclosureConsentStore(database)
            let now = try time("2026-03-02T10:00:00Z")
            let consent = try store.add(participant: clinic.alex.id, recipient: "  County Probation ",
                                        purpose: "Court compliance", expiresOn: LocalDate("2026-06-30"),
                                        note: "form in chart", now: now)
            #expect(consent.id == 1 && consent.label == "d1")
            #expect(consent.recipient == "County Probation")
            #expect(try store.list(participant: clinic.alex.id) == [consent])
            #expect(try store.list(participant: clinic.sam.id).isEmpty)

            #expect(try store.revoke(id: 1, now: now))
            #expect(try !store.revoke(id: 1, now: now))
            #expect(try !store.revoke(id: 99, now: now))

            let audit = try AuditLog(database).list(AuditFilter(actions: ["consent_add", "consent_revoke"]))
            #expect(audit.map(\.action) == ["consent_add", "consent_revoke"])
            #expect(audit.allSatisfy { $0.actor == nil && $0.target == clinic.alex.id.rawValue })
            #expect(audit.allSatisfy { $0.detail == "disclosure to County Probation for Court compliance, consent d1" })
        }
    }

    @Test func onlyAParticipantConsentsAndRecipientAndPurposeAreNeeded() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let store = DisclosureConsentStore(database)
            #expect(throws: StoreError.self) { try store.add(participant: clinic.dana.id, recipient: "X", purpose: "Y") }
            #expect(throws: StoreError.self) { try store.add(participant: clinic.alex.id, recipient: " ", purpose: "Y") }
            #expect(throws: StoreError.self) { try store.add(participant: clinic.alex.id, recipient: "X", purpose: "") }
        }
    }

    @Test func theLookupMatchesTrimmedCaseInsensitiveAndInForceOnly() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let store = DisclosureConsentStore(database)
            let expiring = try store.add(participant: clinic.alex.id, recipient: "County Probation",
                                         purpose: "Court compliance", expiresOn: LocalDate("2026-03-10"))
            let lastDay = try #require(LocalDate("2026-03-10")), after = try #require(LocalDate("2026-03-11"))
            func lookup(_ recipient: String, _ purpose: String, _ date: LocalDate) throws -> Int64? {
                try store.consent(participant: clinic.alex.id, recipient: recipient, purpose: purpose, on: date)?.id
            }
            #expect(try lookup(" county probation\n", "COURT COMPLIANCE ", lastDay) == expiring.id)
            #expect(try lookup("County Probation", "Court compliance", after) == nil)
            #expect(try lookup("County Court", "Court compliance", lastDay) == nil)
            #expect(try lookup("County Probation", "Employment", lastDay) == nil)
            #expect(try store.consent(participant: clinic.sam.id, recipient: "County Probation",
                                      purpose: "Court compliance", on: lastDay) == nil)
            try store.revoke(id: try #require(expiring.id))
            #expect(try lookup("County Probation", "Court compliance", lastDay) == nil)
        }
    }
}
