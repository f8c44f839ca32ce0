import Foundation
import GRDB
import HearthCore
import HearthStore
import Logging
import Testing

/// The `hearthd` admin commands as an operator types them, on a fresh database. One test at a time: each starts
/// dozens of processes, and the live-server suites running beside them must keep answering `hello` in time.
@Suite(.serialized) struct AdminCommandTests {
    /// Runs `hearthd ARGS --db <folder>/hearth.db` and returns its exit status and output.
    private func hearthd(_ arguments: [String], db: URL) throws -> (status: Int32, output: String) {
        try Hearthd.run(arguments + ["--db", db.path])
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

// MARK: Records: audit, transcripts, disclosures, consents, purge

extension AdminCommandTests {
    /// A database with counselor Dana, participants Alex and Sam (made with `hearthd`), and a session held on
    /// 2020-01-06 whose room holds a message from each participant. Returns the database file and the room id.
    private func recordsClinic(in folder: URL) throws -> (db: URL, room: RoomID) {
        let db = folder.appendingPathComponent("hearth.db")
        #expect(try hearthd(["staff", "add", "--name", "Dana M.", "--legal-name", "Dana Morales", "--key", "dana"], db: db).status == 0)
        #expect(try hearthd(["participant", "add", "--name", "Alex R.", "--legal-name", "Alexandra Reyes", "--key", "alex"], db: db).status == 0)
        #expect(try hearthd(["participant", "add", "--name", "Sam T.", "--key", "sam"], db: db).status == 0)
        let database = try HearthDatabase(path: db.path)
        let directory = Directory(database)
        let alex = try #require(try directory.person(externalKey: "alex"))
        let sam = try #require(try directory.person(externalKey: "sam"))
        let zone = try #require(TimeZone(identifier: "America/Los_Angeles"))
        let schedule = ScheduleStore(database)
        try schedule.upsertSeries(
            key: "old-group", title: "Old group", kind: .group,
            schedule: SessionSchedule(recurrence: .once(LocalDate("2020-01-06")!), start: LocalTime(hour: 18, minute: 0)!,
                                      durationMinutes: 60, timeZone: zone),
            roster: [alex.id, sam.id])
        let from = try #require(WireTime.parse("2020-01-06T00:00:00-08:00"))
        try schedule.materializeRooms(from: from, to: from.addingTimeInterval(86_400), now: from)
        let room = try #require(try schedule.rooms(from: from, to: from.addingTimeInterval(86_400), defaultWindow: .standard).first)
        let writer = MessageWriter<Int>(database: database, logger: Logger(label: "records-test")) { _ in }
        writer.submit([alex, sam].enumerated().map { index, person in
            PendingMessage(room: room.id, sender: person.identity.member, body: "said-by-\(person.externalKey!)",
                           clientID: "c\(index)", sentAt: from.addingTimeInterval(18 * 3600 + Double(index * 60)), tag: index)
        })
        writer.stop()
        #expect(try MessageStore(database).count(in: room.id) == 2)
        return (db, room.id)
    }

    private func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    @Test func auditVerifyFailsAfterTamperingAndAuditListNamesPeople() throws {
        try withFolder { folder throws in
            let (db, _) = try recordsClinic(in: folder)
            let intact = try hearthd(["audit", "verify"], db: db)
            #expect(intact.status == 0)
            #expect(intact.output.contains("audit log intact: 3 rows checked; head hash "))

            let listed = try hearthd(["audit", "list", "--person", "alex"], db: db)
            #expect(listed.status == 0)
            #expect(listed.output.contains("operator  token_issue  target Alex R."))
            #expect(!listed.output.contains("Dana M."))
            let json = try hearthd(["audit", "list", "--action", "token_issue", "--since", "2020-01-01", "--format", "json"], db: db)
            #expect(json.output.contains("\"action\" : \"token_issue\""))
            #expect(try hearthd(["audit", "list", "--action", "nonsense"], db: db).status != 0)
            let none = try hearthd(["audit", "break-glass"], db: db)
            #expect(none.output.contains("BREAK-GLASS ACCESS: 0"))

            let database = try HearthDatabase(path: db.path)
            try database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER audit_no_update")
                try db.execute(sql: "UPDATE audit SET detail = 'nothing happened' WHERE id = 2")
            }
            let broken = try hearthd(["audit", "verify"], db: db)
            #expect(broken.status != 0)
            #expect(broken.output.contains("AUDIT LOG BROKEN"))
            #expect(broken.output.contains("row 2"))
        }
    }

    @Test func transcriptExportPrintsTheNoticeFirstAndIsAccountedFor() throws {
        try withFolder { folder throws in
            let (db, room) = try recordsClinic(in: folder)
            let printed = try hearthd(["transcript", "export", "--room", room.rawValue, "--recipient", "dana",
                                       "--purpose", "clinical review"], db: db)
            #expect(printed.status == 0)
            #expect(printed.output.hasPrefix("This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2)."))
            #expect(printed.output.contains("Alex R.: said-by-alex"))
            #expect(!printed.output.contains("Alexandra Reyes"))
            #expect(printed.output.contains("disclosure 1 (internal): 2 messages of 2 participant(s) included, 0 withheld"))

            #expect(try hearthd(["consent", "add", "--participant", "alex", "--recipient", "County Probation",
                                 "--purpose", "Court compliance"], db: db).status == 0)
            let file = folder.appendingPathComponent("out.json")
            let written = try hearthd(["transcript", "export", "--room", room.rawValue, "--recipient", "County Probation",
                                       "--purpose", "Court compliance", "--format", "json", "--output", file.path], db: db)
            #expect(written.status == 0)
            #expect(written.output.contains("disclosure 2 (external): 1 messages of 1 participant(s) included, 1 withheld; written to"))
            let content = try String(contentsOf: file, encoding: .utf8)
            #expect(content.contains("said-by-alex") && !content.contains("said-by-sam"))
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let again = try hearthd(["transcript", "export", "--room", room.rawValue, "--recipient", "dana",
                                     "--purpose", "review", "--output", file.path], db: db)
            #expect(again.status != 0)
            #expect(again.output.contains("already exists"))
            let unknown = try hearthd(["transcript", "export", "--room", "r_nope", "--recipient", "dana", "--purpose", "x"], db: db)
            #expect(unknown.status != 0)
            #expect(unknown.output.contains("There is no room r_nope"))

            let alex = try hearthd(["disclosures", "--participant", "alex"], db: db)
            #expect(alex.output.split(separator: "\n").count == 2)
            #expect(alex.output.contains("disclosure 2  Old group (2020-01-06)  to County Probation for Court compliance  external under consent d1  by operator (command line)"))
            let sam = try hearthd(["disclosures", "--participant", "sam"], db: db)
            #expect(sam.output.split(separator: "\n").count == 1)
            #expect(sam.output.contains("to Dana M. (program staff) for clinical review  internal"))

            #expect(try hearthd(["report", "session", "--room", room.rawValue], db: db).status == 0)
            let audit = try hearthd(["audit", "list", "--room", room.rawValue], db: db)
            #expect(audit.output.contains("transcript_export  in Old group 2020-01-06  (disclosure 2 to County Probation, 1 messages, 1 withheld)"))
            #expect(audit.output.contains("report_read  in Old group 2020-01-06  (session summary)"))
            #expect(!audit.output.contains("said-by"))
        }
    }

    @Test func purgeDryRunSaysWhatItWouldDelete() throws {
        try withFolder { folder throws in
            let (db, room) = try recordsClinic(in: folder)
            let dry = try hearthd(["purge", "--dry-run", "--days", "30"], db: db)
            #expect(dry.status == 0)
            #expect(dry.output.contains("dry run: would delete 2 messages and 0 reports of 1 rooms"))
            #expect(dry.output.contains("nothing was deleted"))
            #expect(try MessageStore(try HearthDatabase(path: db.path)).count(in: room) == 2)
            let keep = try hearthd(["purge", "--days", "0"], db: db)
            #expect(keep.output.contains("kept forever"))
            let purged = try hearthd(["purge", "--days", "30"], db: db)
            #expect(purged.status == 0)
            #expect(purged.output.contains("purged 2 messages and 0 reports of 1 rooms"))
            #expect(try MessageStore(try HearthDatabase(path: db.path)).count(in: room) == 0)
            #expect(try hearthd(["audit", "list", "--action", "purge"], db: db).output.contains("operator  purge"))
        }
    }

    @Test func disclosureConsentsAreAddedListedAndRevokedByTheirDId() throws {
        try withFolder { folder throws in
            let (db, _) = try recordsClinic(in: folder)
            let added = try hearthd(["consent", "add", "--participant", "alex", "--recipient", "County Probation",
                                     "--purpose", "Court compliance", "--expires", "2099-01-31"], db: db)
            #expect(added.status == 0)
            #expect(added.output.contains("consent d1: Alex R. consents to disclosing their records to County Probation for Court compliance until 2099-01-31"))
            let listed = try hearthd(["consent", "list"], db: db)
            #expect(listed.output.contains("d1  Alex R. discloses to County Probation for Court compliance  expires 2099-01-31  in force"))

            let both = try hearthd(["consent", "add", "--participant", "alex", "--family", "maria", "--recipient", "X",
                                    "--purpose", "Y"], db: db)
            #expect(both.status != 0)
            #expect(both.output.contains("not both"))
            let neither = try hearthd(["consent", "add", "--participant", "alex"], db: db)
            #expect(neither.status != 0)
            #expect(neither.output.contains("--recipient"))
            let noPurpose = try hearthd(["consent", "add", "--participant", "alex", "--recipient", "X"], db: db)
            #expect(noPurpose.status != 0)
            #expect(noPurpose.output.contains("--purpose"))

            let revoked = try hearthd(["consent", "revoke", "d1"], db: db)
            #expect(revoked.status == 0)
            #expect(revoked.output.contains("consent d1 revoked"))
            #expect(try hearthd(["consent", "list"], db: db).output.contains("d1  Alex R. discloses to County Probation for Court compliance  expires 2099-01-31  revoked"))
            #expect(try hearthd(["consent", "revoke", "d1"], db: db).status != 0)
            #expect(try hearthd(["consent", "revoke", "x1"], db: db).status != 0)
        }
    }
}
