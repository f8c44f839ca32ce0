import Foundation
import Testing

/// The `hearthd` admin commands as an operator types them, on a fresh database.
@Suite struct AdminCommandTests {
    /// Runs `hearthd ARGS --db <folder>/hearth.db` and returns its exit status and output.
    private func hearthd(_ arguments: [String], db: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = LiveServer.binary
        process.arguments = arguments + ["--db", db.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func token(in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("token") }?.split(separator: " ").last.map(String.init)
    }

    @Test func anOperatorSetsUpAClinicFromTheCommandLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-admin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("hearth.db")

        let staff = try hearthd(["staff", "add", "--name", "Dana M.", "--role", "counselor", "--legal-name", "Dana Morales",
                                  "--key", "dana"], db: db)
        #expect(try hearthd(["staff", "add", "--name", "Luis G.", "--key", "luis"], db: db).status == 0)
        #expect(staff.status == 0)
        #expect(staff.output.contains("counselor Dana M."))
        let staffToken = try #require(token(in: staff.output))
        #expect(staffToken.hasPrefix("hth_"))

        for (name, key) in [("Alex R.", "alex"), ("Sam T.", "sam"), ("Jamie L.", "jamie"), ("Chris P.", "chris"),
                            ("Morgan D.", "morgan"), ("Taylor B.", "taylor")] {
            let added = try hearthd(["participant", "add", "--name", name, "--key", key], db: db)
            #expect(added.status == 0)
            #expect(added.output.contains("invite link: http://127.0.0.1:8080/#invite=hth_"))
        }
        let duplicate = try hearthd(["participant", "add", "--name", "Alex Again", "--key", "alex"], db: db)
        #expect(duplicate.status != 0)
        #expect(duplicate.output.contains("already used"))

        let family = try hearthd(["family", "add", "--name", "Maria R.", "--of", "alex"], db: db)
        #expect(family.status == 0)
        #expect(family.output.contains("family Maria R."))
        let unknownFamily = try hearthd(["family", "add", "--name", "Nobody", "--of", "zed"], db: db)
        #expect(unknownFamily.status != 0)

        let example = LiveServer.packageRoot.appendingPathComponent("docs/examples/clinic-week.yaml").path
        let imported = try hearthd(["schedule", "import", example], db: db)
        #expect(imported.status == 0)
        #expect(imported.output.contains("9 new, 0 changed, 0 unchanged series"))
        let again = try hearthd(["schedule", "import", example], db: db)
        #expect(again.output.contains("0 new, 0 changed, 9 unchanged series; 0 new rooms"))

        let broken = folder.appendingPathComponent("broken.yaml")
        try "time_zone: America/Los_Angeles\nseries:\n  - key: x\n    title: X\n    kind: nope\n".write(to: broken, atomically: true, encoding: .utf8)
        let refused = try hearthd(["schedule", "import", broken.path], db: db)
        #expect(refused.status != 0)
        #expect(refused.output.contains("line 5"))
        #expect(refused.output.contains("Nothing was imported."))

        let listed = try hearthd(["schedule", "list"], db: db)
        #expect(listed.output.contains("Group therapy (evening IOP) [group] key evening-group: every mon,thu at 18:00 for 150 min, America/Los_Angeles; roster: cohort evening-a; requires staff, agreement"))
        #expect(listed.output.contains("2026-11-26: cancelled"))
        #expect(listed.output.contains("2026-12-24: moved to 2026-12-22 at 15:00 for 150 min"))
        #expect(listed.output.contains("Alex R."))

        let revoked = try hearthd(["token", "revoke", staffToken], db: db)
        #expect(revoked.status == 0)
        #expect(revoked.output.contains("revoked 1 token"))
        let revokedAgain = try hearthd(["token", "revoke", staffToken], db: db)
        #expect(revokedAgain.status != 0)
        let reissued = try hearthd(["token", "issue", "--person", "alex"], db: db)
        #expect(token(in: reissued.output)?.hasPrefix("hth_") == true)

        let people = try hearthd(["people", "list", "--role", "participant"], db: db)
        #expect(people.output.split(separator: "\n").count == 6)
        #expect(!people.output.contains("Morales"))
    }
}
