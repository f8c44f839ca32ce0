import Foundation
import GRDB
import HearthCore
@testable import HearthStore
import Testing

/// Tokens issued from other tokens (a used invitation's session token) and tokens with a last day.
@Suite struct TokenLineageTests {
    private let auckland = TimeZone(identifier: "Pacific/Auckland")!

    /// A family member of the small clinic's Alex, invited to its first room until that room ends.
    private func invited(_ clinic: SmallClinic) throws -> (family: PersonRecord, invitation: String) {
        let directory = Directory(clinic.database)
        let maria = try directory.addPerson(role: .family, displayName: "Maria R.", familyOf: clinic.alex.id)
        let invitation = try directory.issueInvitation(family: maria.id, room: clinic.rooms[0].id,
                                                       expires: clinic.rooms[0].closes, now: try time("2026-03-02T09:00:00Z"))
        return (maria, invitation)
    }

    private func accessVersion(_ database: HearthDatabase) throws -> Int64 {
        try database.pool.read { db in try AccessVersion.current(db) }
    }

    @Test("revoking a used invitation revokes the session token it was exchanged for")
    func revokingAnInvitationRevokesItsSessionToken() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let directory = Directory(database)
            let (maria, invitation) = try invited(clinic)
            let now = try time("2026-03-02T09:30:00Z")
            guard case .valid(let identity, let session?) = try directory.signIn(token: invitation, now: now) else {
                Issue.record("the invitation was not exchanged for a session token")
                return
            }
            #expect(identity.id == maria.id)
            #expect(try directory.authenticate(token: session, now: now)?.id == maria.id)
            let before = try accessVersion(database)

            #expect(try directory.revokeCounting(token: invitation, now: now) == 1)
            #expect(try directory.authenticate(token: session, now: now) == nil)
            #expect(try directory.isValid(tokenHash: AccessToken.hash(session), now: now) == false)
            #expect(try directory.signIn(token: session, now: now)
                    == .refused("This token is not valid. Ask your counselor for a new invitation."))
            #expect(try accessVersion(database) > before)
            // Once only: both are revoked now.
            #expect(try directory.revoke(token: invitation, now: now) == false)
            #expect(try directory.revoke(token: session, now: now) == false)
            let audit = try AuditLog(database).list(AuditFilter(actions: ["token_revoke"]))
            #expect(audit.map(\.detail) == ["one token and 1 issued from it"])
        }
    }

    @Test("revoking a session token, or an invitation not yet used, revokes nothing else")
    func revokingLeavesOtherTokens() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let directory = Directory(database)
            let (maria, unused) = try invited(clinic)
            let used = try directory.issueInvitation(family: maria.id, room: clinic.rooms[0].id,
                                                     expires: clinic.rooms[0].closes, now: try time("2026-03-02T09:00:00Z"))
            let own = try directory.issueToken(for: maria.id)
            let now = try time("2026-03-02T09:30:00Z")
            guard case .valid(_, let session?) = try directory.signIn(token: used, now: now) else {
                Issue.record("no session token")
                return
            }
            #expect(try directory.revokeCounting(token: unused, now: now) == 0)
            #expect(try directory.revokeCounting(token: session, now: now) == 0)
            #expect(try directory.authenticate(token: own, now: now)?.id == maria.id)
            // The invitation itself stays used up: revoking its session token does not give it back.
            #expect(try directory.signIn(token: used, now: now)
                    == .refused("This invitation has already been used. Ask your counselor for a new one."))
        }
    }

    @Test("revoking a person's invitations by label also revokes their session tokens")
    func revokeAllByLabelCascades() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let directory = Directory(database)
            let (maria, invitation) = try invited(clinic)
            let now = try time("2026-03-02T09:30:00Z")
            guard case .valid(_, let session?) = try directory.signIn(token: invitation, now: now) else {
                Issue.record("no session token")
                return
            }
            #expect(try directory.revokeAll(of: maria.id, label: "invitation", now: now) == 2)
            #expect(try directory.authenticate(token: session, now: now) == nil)
        }
    }

    @Test("a token with a last day works to the end of that day in the clinic's zone, not UTC's")
    func lastDayInTheClinicsZone() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let lastDay = try #require(LocalDate("2026-12-31"))
            let token = try directory.issueToken(for: alex.id, lastDay: lastDay, in: auckland,
                                                 now: try time("2026-12-01T00:00:00Z"))
            // Auckland is UTC+13 in summer: its 31 December ends at 11:00 UTC on the 31st.
            #expect(Directory.endOfDay(lastDay, in: auckland) == (try time("2026-12-31T11:00:00Z")))
            for valid in ["2026-12-31T00:00:00+13:00", "2026-12-31T23:59:59+13:00"] {
                #expect(try directory.authenticate(token: token, now: try time(valid))?.id == alex.id, "at \(valid)")
                #expect(try directory.isValid(tokenHash: AccessToken.hash(token), now: try time(valid)))
            }
            // The next day in Auckland, though still the 31st in UTC.
            for expired in ["2027-01-01T00:00:00+13:00", "2026-12-31T12:00:00Z", "2027-01-02T12:00:00+13:00"] {
                let now = try time(expired)
                #expect(try directory.authenticate(token: token, now: now) == nil, "at \(expired)")
                #expect(try directory.isValid(tokenHash: AccessToken.hash(token), now: now) == false)
                #expect(try directory.signIn(token: token, now: now)
                        == .refused("This token has expired. Ask your counselor for a new one."))
            }
        }
    }

    @Test("a last day that has already ended is refused, and one without a last day never expires")
    func lastDayInThePast() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let now = try time("2027-01-01T09:00:00+13:00")
            #expect(throws: StoreError.invalid(
                "The last day 2026-12-31 has already ended: give today or a later date (today is 2027-01-01 in Pacific/Auckland).")) {
                _ = try directory.issueToken(for: alex.id, lastDay: LocalDate("2026-12-31"), in: auckland, now: now)
            }
            let today = try directory.issueToken(for: alex.id, lastDay: LocalDate("2027-01-01"), in: auckland, now: now)
            #expect(try directory.authenticate(token: today, now: now)?.id == alex.id)
            let forever = try directory.issueToken(for: alex.id, now: now)
            #expect(try directory.authenticate(token: forever, now: now.addingTimeInterval(50 * 365 * 86400))?.id == alex.id)
            let audit = try AuditLog(database).list(AuditFilter(actions: ["token_issue"]))
            #expect(audit.compactMap(\.detail) == ["last day 2027-01-01"])
        }
    }

    @Test("the v7 migration links session tokens issued before it to the invitations they came from")
    func migrationBackfillsLineage() throws {
        let queue = try DatabaseQueue()
        try HearthDatabase.migrator.migrate(queue, upTo: "v4 coalesced alerts")
        let used: Int64 = 1_772_442_000_000
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO person (id, role, displayName, createdAt) VALUES ('p_alex', 'participant', 'Alex R.', 0);
                INSERT INTO person (id, role, displayName, familyOf, createdAt) VALUES ('p_maria', 'family', 'Maria R.', 'p_alex', 0);
                INSERT INTO token (id, personId, hash, label, createdAt, roomId, expiresAt, singleUse, usedAt)
                    VALUES (1, 'p_maria', x'01', 'invitation', 0, 'r_one', 9, 1, \(used));
                INSERT INTO token (id, personId, hash, label, createdAt, roomId, expiresAt, singleUse, usedAt)
                    VALUES (2, 'p_maria', x'02', 'invitation', 0, 'r_two', 9, 1, \(used));
                INSERT INTO token (id, personId, hash, label, createdAt, roomId, expiresAt)
                    VALUES (3, 'p_maria', x'03', 'invitation session', \(used), 'r_two', 9);
                INSERT INTO token (id, personId, hash, label, createdAt) VALUES (4, 'p_maria', x'04', '', \(used));
                INSERT INTO token (id, personId, hash, label, createdAt, roomId, expiresAt, singleUse, usedAt, revokedAt)
                    VALUES (5, 'p_maria', x'05', 'invitation', 0, 'r_three', 9, 1, \(used + 1), \(used + 50));
                INSERT INTO token (id, personId, hash, label, createdAt, roomId, expiresAt)
                    VALUES (6, 'p_maria', x'06', 'invitation session', \(used + 1), 'r_three', 9);
                """)
        }
        let before = try queue.read { db in try AccessVersion.current(db) }
        try HearthDatabase.migrator.migrate(queue)
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT issuedFrom, revokedAt FROM token ORDER BY id")
                .map { row -> [Int64?] in [row["issuedFrom"], row["revokedAt"]] }
        }
        #expect(rows.map { $0[0] } == [nil, nil, 2, nil, nil, 5])
        // The invitation revoked before lineage existed takes its session token with it, as of that moment.
        #expect(rows.map { $0[1] } == [nil, nil, nil, nil, used + 50, used + 50])
        #expect(try queue.read { db in try AccessVersion.current(db) } > before)
    }
}
