import Foundation
import HearthCore
import HearthStore
import Testing

/// Transcript export: the redisclosure notice first, display names only, every marker, consent-gated external
/// exports, and the accounting of disclosures.
@Suite struct TranscriptExportTests {
    @Test func anInternalTranscriptStartsWithTheNoticeAndCarriesEveryMessageByDisplayName() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let export = try clinic.export(to: "dana", for: "clinical review", by: clinic.dana.id)
            let text = export.content
            #expect(text.hasPrefix(RedisclosureNotice.text))
            #expect(text.hasPrefix("This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2)."))
            #expect(!export.external)
            #expect(export.withheld == 0 && export.messages == 9)
            #expect(export.included == [clinic.alex.id, clinic.sam.id])
            for body in RecordsClinic.bodies { #expect(text.contains(body)) }
            for name in ["Alex R.", "Sam T.", "Maria R.", "Dana M."] { #expect(text.contains(name)) }
            for secret in clinic.identifying + [RecordsClinic.note] { #expect(!text.contains(secret)) }
            #expect(text.contains("Session:      Multi-family group, 2026-11-23 18:00:00 to 19:30:00 (America/Los_Angeles)"))
            #expect(text.contains("Exported by:  Dana M."))
            #expect(text.contains("Recipient:    Dana M. (program staff)"))
            #expect(text.contains("internal (to program staff)"))
            #expect(text.contains("18:05:00  Dana M. [announcement]: dana-announce"))
            #expect(text.contains("18:08:00  Sam T. [private to staff]: sam-private"))
            #expect(text.contains("18:09:00  Dana M. [whisper to Sam T.]: whisper-to-sam"))
            #expect(text.contains("18:11:00  Alex R. [held for review, never released]: alex-held"))
            #expect(text.contains("18:12:00  Alex R. [hidden by a counselor: off topic]: alex-hidden"))
            // Messages come oldest first.
            let positions = RecordsClinic.bodies.compactMap { text.range(of: $0)?.lowerBound }
            #expect(positions == positions.sorted())
        }
    }

    @Test func anExternalTranscriptCarriesOnlyConsentingParticipantsAndListsTheirConsent() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            try DisclosureConsentStore(database).add(participant: clinic.alex.id, recipient: "County Probation",
                                                     purpose: "Court compliance", expiresOn: LocalDate("2027-01-31"),
                                                     now: try time("2026-11-01T12:00:00-08:00"))
            let export = try clinic.export(to: " county probation ", for: "court COMPLIANCE")
            let text = export.content
            #expect(text.hasPrefix(RedisclosureNotice.text))
            #expect(export.external)
            #expect(export.included == [clinic.alex.id])
            #expect(export.withheld == 3 && export.messages == 6)
            for body in ["dana-announce", "alex-shares", "whisper-to-alex", "alex-held", "alex-hidden", "maria-family"] {
                #expect(text.contains(body))
            }
            for hidden in ["sam-shares", "sam-private", "whisper-to-sam", "Sam T.", RecordsClinic.note] + clinic.identifying {
                #expect(!text.contains(hidden))
            }
            #expect(text.contains("18:07:00  [seq 3 withheld: not covered by a consent for this recipient and purpose]"))
            #expect(text.contains("Exported by:  operator (command line)"))
            #expect(text.contains("external (outside the program)"))
            #expect(text.contains("- Alex R.: consent d1, to County Probation for Court compliance, given on 2026-11-01, expires 2027-01-31"))
        }
    }

    @Test func aRevokedOrExpiredConsentDoesNotCountAndTheLastDayDoes() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let consents = DisclosureConsentStore(database)
            let revoked = try consents.add(participant: clinic.alex.id, recipient: "Dr. Lee", purpose: "treatment")
            try consents.revoke(id: try #require(revoked.id))
            let first = try clinic.export(to: "Dr. Lee", for: "treatment")
            #expect(first.included.isEmpty && first.withheld == 8)
            #expect(!first.content.contains("alex-shares"))

            try consents.add(participant: clinic.alex.id, recipient: "Dr. Lee", purpose: "treatment",
                             expiresOn: LocalDate("2026-11-23"))
            let expired = try clinic.export(to: "Dr. Lee", for: "treatment")
            #expect(expired.included.isEmpty)
            #expect(!expired.content.contains("maria-family"))
            // Expiry is inclusive, in the session's zone: on 2026-11-23 local it still counts.
            let lastDay = try clinic.export(to: "Dr. Lee", for: "treatment", at: try time("2026-11-23T23:30:00-08:00"))
            #expect(lastDay.included == [clinic.alex.id])
            #expect(lastDay.content.contains("maria-family"))
        }
    }

    @Test func everyExportIsAccountedForAndAuditedWithoutItsText() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            try DisclosureConsentStore(database).add(participant: clinic.alex.id, recipient: "County Probation",
                                                     purpose: "Court compliance")
            let inside = try clinic.export(to: clinic.dana.id.rawValue, for: "clinical review", by: clinic.dana.id)
            let outside = try clinic.export(to: "County Probation", for: "Court compliance", format: .json)
            #expect(inside.disclosure == 1 && outside.disclosure == 2)

            let store = DisclosureStore(database)
            let alex = try store.disclosures(participant: clinic.alex.id)
            #expect(alex.map(\.id) == [1, 2])
            #expect(alex.map(\.recipient) == ["Dana M. (program staff)", "County Probation"])
            #expect(alex.map(\.external) == [false, true])
            #expect(alex.map(\.consent) == [nil, "d1"])
            #expect(alex.map(\.by) == ["Dana M.", "operator (command line)"])
            #expect(alex.allSatisfy { $0.roomTitle == "Multi-family group" && $0.sessionDate.description == "2026-11-23" })
            #expect(try store.disclosures(participant: clinic.sam.id).map(\.id) == [1])
            #expect(try store.disclosures(participant: clinic.maria.id).isEmpty)

            let audit = try AuditLog(database).list(AuditFilter(actions: ["transcript_export"]))
            #expect(audit.map(\.detail) == ["disclosure 1 to Dana M. (program staff), 9 messages, 0 withheld",
                                            "disclosure 2 to County Probation, 6 messages, 3 withheld"])
            #expect(audit.map(\.actor) == [clinic.dana.id, nil])
            #expect(audit.allSatisfy { $0.room == clinic.room.id })
            for entry in audit { for body in RecordsClinic.bodies { #expect(entry.detail?.contains(body) == false) } }
            #expect(try AuditLog(database).verify().intact)
        }
    }

    @Test func theJSONFormHoldsTheSameInformationWithoutIds() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            try DisclosureConsentStore(database).add(participant: clinic.alex.id, recipient: "County Probation",
                                                     purpose: "Court compliance")
            let export = try clinic.export(to: "County Probation", for: "Court compliance", format: .json)
            #expect(export.content.hasPrefix("{\n  \"notice\" : \"This record which has been disclosed to you"))
            for secret in clinic.identifying + [RecordsClinic.note, "sam-shares"] { #expect(!export.content.contains(secret)) }
            let transcript = try JSONDecoder().decode(Transcript.self, from: Data(export.content.utf8))
            #expect(transcript.notice == RedisclosureNotice.text)
            #expect(transcript.disclosure == export.disclosure && transcript.external)
            #expect(transcript.entries.map(\.seq) == Array(1...9))
            #expect(transcript.entries.filter { $0.withheld == true }.map(\.seq) == [3, 4, 5])
            #expect(transcript.entries.filter { $0.withheld == true }.allSatisfy { $0.from == nil && $0.text == nil })
            let hidden = try #require(transcript.entries.first { $0.seq == 8 })
            #expect(hidden.hiddenReason == "off topic" && hidden.text == "alex-hidden")
            #expect(transcript.entries.first { $0.seq == 6 }?.to == "Alex R.")
            #expect(transcript.entries.first { $0.seq == 7 }?.held == true)
            #expect(transcript.consents.map(\.consent) == ["d1"])
        }
    }

    @Test func anUnknownRoomOrAMissingRecipientOrPurposeIsRefused() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try RecordsClinic(database)
            let exporter = TranscriptExporter(database)
            #expect(throws: TranscriptError.unknownRoom(RoomID("r_nope"))) {
                try exporter.export(room: RoomID("r_nope"), recipient: "dana", purpose: "review", format: .text, by: nil,
                                    defaultWindow: .standard, now: clinic.now)
            }
            #expect(throws: TranscriptError.missingRecipient) { try clinic.export(to: "  ", for: "review") }
            #expect(throws: TranscriptError.missingPurpose) { try clinic.export(to: "dana", for: "") }
            #expect(try AuditLog(database).list(AuditFilter(actions: ["transcript_export"])).isEmpty)
        }
    }
}
