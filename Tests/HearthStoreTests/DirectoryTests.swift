import Foundation
import HearthCore
import HearthStore
import Testing

/// People and their access tokens: validation, authentication, revocation, and idempotent seeding.
struct DirectoryTests {
    private func invalid(_ body: () throws -> Void) -> Bool {
        do { try body() } catch StoreError.invalid { return true } catch { return false }
        return false
    }

    private func notFound(_ body: () throws -> Void) -> Bool {
        do { try body() } catch StoreError.notFound { return true } catch { return false }
        return false
    }

    // MARK: People

    @Test("a person is stored with a trimmed display name and found by id, key and reference")
    func addPerson() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "  Alex R. ", legalName: "Alex Rivera",
                                               externalKey: "alex")
            #expect(alex.displayName == "Alex R.")
            #expect(alex.id.rawValue.hasPrefix("p_"))
            #expect(try directory.person(alex.id) == alex)
            #expect(try directory.person(externalKey: "alex") == alex)
            #expect(try directory.person(reference: "alex") == alex)
            #expect(try directory.person(reference: alex.id.rawValue) == alex)
            #expect(try directory.person(reference: "nobody") == nil)
        }
    }

    @Test("an empty, blank or over-long display name is refused", arguments: ["", "   ", "\n", String(repeating: "x", count: 61)])
    func badDisplayName(name: String) throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            #expect(invalid { try directory.addPerson(role: .participant, displayName: name) })
            #expect(try directory.people().isEmpty)
        }
    }

    @Test("a display name of 60 characters is accepted")
    func longestDisplayName() throws {
        try withTemporaryDatabase { database throws in
            let name = String(repeating: "é", count: 60)
            #expect(try Directory(database).addPerson(role: .participant, displayName: name).displayName == name)
        }
    }

    @Test("a family member must belong to an existing participant")
    func familyNeedsParticipant() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            #expect(notFound { try directory.addPerson(role: .family, displayName: "Maria R.") })
            #expect(notFound { try directory.addPerson(role: .family, displayName: "Maria R.", familyOf: PersonID("p_ghost")) })
            #expect(try directory.people().isEmpty)
        }
    }

    @Test("a family member cannot belong to a counselor, an admin or another family member")
    func familyOfNonParticipant() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let maria = try directory.addPerson(role: .family, displayName: "Maria R.", familyOf: alex.id)
            let dana = try directory.addPerson(role: .counselor, displayName: "Dana M.")
            let jordan = try directory.addPerson(role: .admin, displayName: "Jordan K.")
            for other in [dana, jordan, maria] {
                #expect(invalid { try directory.addPerson(role: .family, displayName: "Pat", familyOf: other.id) })
            }
            #expect(try directory.people().count == 4)
        }
    }

    @Test("a family member of a participant is stored with that link")
    func familyOfParticipant() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let maria = try directory.addPerson(role: .family, displayName: "Maria R.", familyOf: alex.id)
            #expect(maria.identity.familyOf == alex.id)
            #expect(try directory.people(role: .family).map(\.id) == [maria.id])
        }
    }

    @Test("only family members may name a participant they belong to")
    func nonFamilyWithFamilyOf() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            #expect(invalid { try directory.addPerson(role: .participant, displayName: "Sam T.", familyOf: alex.id) })
        }
    }

    @Test("people are listed by display name and filtered by role")
    func peopleListing() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            try directory.addPerson(role: .participant, displayName: "Sam T.")
            try directory.addPerson(role: .counselor, displayName: "Dana M.")
            try directory.addPerson(role: .participant, displayName: "Alex R.")
            #expect(try directory.people().map(\.displayName) == ["Alex R.", "Dana M.", "Sam T."])
            #expect(try directory.people(role: .participant).map(\.displayName) == ["Alex R.", "Sam T."])
            #expect(try directory.people(role: .admin).isEmpty)
        }
    }

    @Test("ensurePeople creates each person once and finds them again by key")
    func ensurePeopleIdempotent() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let specs: [Directory.PersonSpec] = [
                .init(key: "k:alex", role: .participant, displayName: "Alex R."),
                .init(key: "k:maria", role: .family, displayName: "Maria R.", familyOfKey: "k:alex"),
                .init(key: "k:dana", role: .counselor, displayName: "Dana M."),
            ]
            let first = try directory.ensurePeople(specs)
            let second = try directory.ensurePeople(specs)
            #expect(first.map(\.id) == second.map(\.id))
            #expect(try directory.people().count == 3)
            #expect(first[1].familyOf == first[0].id)
            #expect(first.map(\.externalKey) == ["k:alex", "k:maria", "k:dana"])
        }
    }

    @Test("ensurePeople stores nothing when a family member names an unknown participant")
    func ensurePeopleUnknownParent() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            #expect(notFound {
                _ = try directory.ensurePeople([
                    .init(key: "k:alex", role: .participant, displayName: "Alex R."),
                    .init(key: "k:pat", role: .family, displayName: "Pat", familyOfKey: "k:ghost"),
                ])
            })
            #expect(try directory.people().isEmpty)
        }
    }

    // MARK: Tokens

    @Test("an issued token authenticates as its person")
    func issueAndAuthenticate() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let token = try directory.issueToken(for: alex.id, label: "phone")
            #expect(try directory.authenticate(token: token) == alex.identity)
            #expect(try directory.isValid(tokenHash: AccessToken.hash(token)))
        }
    }

    @Test("a token is hth_ and 43 base64url characters: 256 random bits, different every time")
    func tokenFormat() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let tokens = try (0..<20).map { _ in try directory.issueToken(for: alex.id) }
            let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            for token in tokens {
                #expect(token.hasPrefix("hth_"))
                let body = token.dropFirst(4)
                #expect(body.count == 43)
                #expect(body.allSatisfy(alphabet.contains))
                #expect(try directory.authenticate(token: token)?.id == alex.id)
            }
            #expect(Set(tokens).count == tokens.count)
        }
    }

    @Test("an unknown, altered or empty token does not authenticate")
    func wrongTokens() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let token = try directory.issueToken(for: alex.id)
            let altered = String(token.dropLast()) + (token.last == "A" ? "B" : "A")
            for wrong in [altered, AccessToken.generate(), "", token + " ", token.uppercased()] {
                #expect(try directory.authenticate(token: wrong) == nil)
            }
            #expect(try directory.isValid(tokenHash: AccessToken.hash(altered)) == false)
        }
    }

    @Test("a token cannot be read back from the database files")
    func tokensStoredHashed() throws {
        try withTemporaryFolder { folder throws in
            let database = try HearthDatabase(path: folder + "/h.db")
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let token = try directory.issueToken(for: alex.id)
            let secret = Data(token.dropFirst(4).utf8)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(files.contains("h.db"))
            var scanned = 0
            for file in files {
                let contents = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))
                #expect(contents.range(of: secret) == nil, "the token appears in clear in \(file)")
                scanned += contents.count
            }
            // The person was written, so the files do hold data: the scan looked at something.
            let name = Data("Alex R.".utf8)
            #expect(try files.contains { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)).range(of: name) != nil })
            #expect(scanned > 0)
        }
    }

    @Test("a token cannot be issued for an unknown person")
    func issueForUnknownPerson() throws {
        try withTemporaryDatabase { database throws in
            #expect(notFound { _ = try Directory(database).issueToken(for: PersonID("p_ghost")) })
        }
    }

    @Test("a revoked token no longer authenticates and revoking it again reports false")
    func revoke() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let kept = try directory.issueToken(for: alex.id, label: "laptop")
            let lost = try directory.issueToken(for: alex.id, label: "phone")
            #expect(try directory.revoke(token: lost))
            #expect(try directory.authenticate(token: lost) == nil)
            #expect(try directory.isValid(tokenHash: AccessToken.hash(lost)) == false)
            #expect(try directory.revoke(token: lost) == false)
            #expect(try directory.revoke(token: AccessToken.generate()) == false)
            #expect(try directory.authenticate(token: kept)?.id == alex.id)
        }
    }

    @Test("revokeAll revokes every token of one person and no one else's")
    func revokeAll() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let sam = try directory.addPerson(role: .participant, displayName: "Sam T.")
            let alexTokens = try [directory.issueToken(for: alex.id, label: "a"), directory.issueToken(for: alex.id, label: "b")]
            let samToken = try directory.issueToken(for: sam.id)
            #expect(try directory.revokeAll(of: alex.id) == 2)
            for token in alexTokens { #expect(try directory.authenticate(token: token) == nil) }
            #expect(try directory.authenticate(token: samToken)?.id == sam.id)
            #expect(try directory.revokeAll(of: alex.id) == 0)
        }
    }

    @Test("revokeAll with a label revokes only that label's tokens")
    func revokeAllWithLabel() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let demo = try directory.issueToken(for: alex.id, label: "demo")
            let phone = try directory.issueToken(for: alex.id, label: "phone")
            #expect(try directory.revokeAll(of: alex.id, label: "demo") == 1)
            #expect(try directory.authenticate(token: demo) == nil)
            #expect(try directory.authenticate(token: phone)?.id == alex.id)
        }
    }

    @Test("reissuing tokens revokes the earlier token with the same label only")
    func reissueTokens() throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            let alex = try directory.addPerson(role: .participant, displayName: "Alex R.")
            let sam = try directory.addPerson(role: .participant, displayName: "Sam T.")
            let first = try directory.reissueTokens(for: [alex.id, sam.id], label: "demo")
            let other = try directory.issueToken(for: alex.id, label: "phone")
            let second = try directory.reissueTokens(for: [alex.id, sam.id], label: "demo")
            #expect(first.count == 2 && second.count == 2)
            for token in first { #expect(try directory.authenticate(token: token) == nil) }
            #expect(try directory.authenticate(token: second[0])?.id == alex.id)
            #expect(try directory.authenticate(token: second[1])?.id == sam.id)
            #expect(try directory.authenticate(token: other)?.id == alex.id)
        }
    }
}
