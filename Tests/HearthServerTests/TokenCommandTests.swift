import Foundation
import HearthCore
import HearthStore
import Testing

/// `hearthd token issue --expires` and `hearthd token revoke` with the token on standard input or in a file, as an
/// operator runs them. One test at a time, like the other admin command tests.
@Suite(.serialized) struct TokenCommandTests {
    /// Runs `hearthd ARGS --db DB` with `input` on its standard input (nothing when nil) and `TZ` set to `zone`.
    private func hearthd(_ arguments: [String], db: URL, input: String? = nil,
                         zone: String = "America/Los_Angeles") throws -> (status: Int32, output: String) {
        try Hearthd.run(arguments + ["--db", db.path], input: input, environment: ["TZ": zone])
    }

    /// A database in a new folder with one participant, Alex (key `alex`); the folder is removed afterwards.
    private func withClinic(_ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-token-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("hearth.db")
        #expect(try hearthd(["participant", "add", "--name", "Alex R.", "--key", "alex"], db: db).status == 0)
        try body(db)
    }

    private func issue(_ db: URL, _ extra: [String] = []) throws -> String {
        let issued = try hearthd(["token", "issue", "--person", "alex"] + extra, db: db)
        #expect(issued.status == 0, "\(issued.output)")
        let line = try #require(issued.output.split(separator: "\n").first { $0.hasPrefix("token for Alex R.") })
        return try #require(line.split(separator: " ").last.map(String.init))
    }

    private func works(_ token: String, _ db: URL, at now: Date = Date()) throws -> Bool {
        try Directory(try HearthDatabase(path: db.path)).authenticate(token: token, now: now) != nil
    }

    @Test func issueWithExpiresEndsTheTokenAtMidnightInTheLocalZone() throws {
        try withClinic { db in
            let issued = try hearthd(["token", "issue", "--person", "alex", "--expires", "2099-12-31"], db: db,
                                     zone: "Pacific/Auckland")
            #expect(issued.status == 0)
            #expect(issued.output.contains("valid through 2099-12-31: it stops working at 2100-01-01T00:00:00+13:00 (Pacific/Auckland)"))
            let line = try #require(issued.output.split(separator: "\n").first { $0.hasPrefix("token for Alex R.") })
            let token = String(try #require(line.split(separator: " ").last))
            #expect(try works(token, db, at: try #require(WireTime.parse("2099-12-31T23:59:59+13:00"))))
            #expect(try !works(token, db, at: try #require(WireTime.parse("2100-01-01T00:00:00+13:00"))))
        }
    }

    @Test func issueExplainsABadOrPastExpiryDate() throws {
        try withClinic { db in
            for bad in ["2026-13-01", "31/12/2026", "tomorrow", "2026-02-30"] {
                let refused = try hearthd(["token", "issue", "--person", "alex", "--expires", bad], db: db)
                #expect(refused.status != 0)
                #expect(refused.output.contains("--expires must be a date like 2026-11-23."), "\(bad): \(refused.output)")
                #expect(!refused.output.contains("hth_"))
            }
            let past = try hearthd(["token", "issue", "--person", "alex", "--expires", "2020-01-01"], db: db)
            #expect(past.status != 0)
            #expect(past.output.contains("The last day 2020-01-01 has already ended: give today or a later date"))
            #expect(!past.output.contains("hth_"))
        }
    }

    @Test func revokeReadsTheTokenFromStandardInputOrAFile() throws {
        try withClinic { db in
            let piped = try issue(db)
            let revoked = try hearthd(["token", "revoke", "-"], db: db, input: "  \(piped)\n\n")
            #expect(revoked.status == 0, "\(revoked.output)")
            #expect(revoked.output.contains("revoked 1 token"))
            #expect(!revoked.output.contains(piped))
            #expect(try !works(piped, db))
            let again = try hearthd(["token", "revoke", "-"], db: db, input: piped)
            #expect(again.status != 0)
            #expect(again.output.contains("That token is unknown or already revoked."))

            let filed = try issue(db)
            let file = db.deletingLastPathComponent().appendingPathComponent("lost-token.txt")
            try "\(filed)\r\n".write(to: file, atomically: true, encoding: .utf8)
            let fromFile = try hearthd(["token", "revoke", "--file", file.path], db: db)
            #expect(fromFile.status == 0, "\(fromFile.output)")
            #expect(try !works(filed, db))

            // The token on the command line still works, though the help prefers -.
            let typed = try issue(db)
            #expect(try hearthd(["token", "revoke", typed], db: db).status == 0)
            #expect(try !works(typed, db))
            let help = try hearthd(["token", "revoke", "--help"], db: db)
            #expect(help.output.contains("- to read the token from standard input (preferred)"))
        }
    }

    @Test func revokeExplainsEmptyInputAndAnUnreadableFile() throws {
        try withClinic { db in
            let kept = try issue(db)
            let empty = try hearthd(["token", "revoke", "-"], db: db, input: " \n")
            #expect(empty.status != 0)
            #expect(empty.output.contains("Standard input held no token."))

            let missing = db.deletingLastPathComponent().appendingPathComponent("no-such-file.txt")
            let unreadable = try hearthd(["token", "revoke", "--file", missing.path], db: db)
            #expect(unreadable.status != 0)
            #expect(unreadable.output.contains("Cannot read the token file \(missing.path)"))
            #expect(unreadable.output.contains("Check the path and its permissions."))

            let blank = db.deletingLastPathComponent().appendingPathComponent("blank.txt")
            try "\n".write(to: blank, atomically: true, encoding: .utf8)
            let blankFile = try hearthd(["token", "revoke", "--file", blank.path], db: db)
            #expect(blankFile.status != 0)
            #expect(blankFile.output.contains("The file \(blank.path) held no token."))

            let two = try hearthd(["token", "revoke", "-"], db: db, input: "\(kept)\n\(AccessToken.generate())\n")
            #expect(two.status != 0)
            #expect(two.output.contains("held more than one word"))

            let neither = try hearthd(["token", "revoke"], db: db)
            #expect(neither.status != 0)
            #expect(neither.output.contains("Give one of: - (the token on standard input), --file PATH, or --person P."))
            let both = try hearthd(["token", "revoke", "-", "--file", blank.path], db: db, input: kept)
            #expect(both.status != 0)
            #expect(try works(kept, db))
        }
    }
}
