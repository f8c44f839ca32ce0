import Foundation
import HearthCore
import HearthStore
import Testing

/// `hearthd consent add --multi-family`, `consent list` and `consent revoke mN` as an operator types them.
@Suite(.serialized) struct MultiFamilyConsentCommandTests {
    /// Runs `hearthd ARGS --db DB` and returns its exit status and output (standard output and error).
    private func hearthd(_ arguments: [String], db: URL) throws -> (status: Int32, output: String) {
        try Hearthd.run(arguments + ["--db", db.path])
    }

    /// Counselor Dana, participant Alex with family member Maria (made with `hearthd`), a multi-family series
    /// `multi-family` and a group series `group`, each meeting once the day after tomorrow. Returns the
    /// multi-family room.
    private func clinic(_ db: URL) throws -> RoomID {
        #expect(try hearthd(["staff", "add", "--name", "Dana M.", "--key", "dana"], db: db).status == 0)
        #expect(try hearthd(["participant", "add", "--name", "Alex R.", "--key", "alex"], db: db).status == 0)
        #expect(try hearthd(["family", "add", "--name", "Maria R.", "--of", "alex", "--key", "maria"], db: db).status == 0)
        let database = try HearthDatabase(path: db.path)
        let alex = try #require(try Directory(database).person(externalKey: "alex"))
        let zone = try #require(TimeZone(identifier: "America/Los_Angeles"))
        let now = Date()
        let day = LocalDate(now.addingTimeInterval(2 * 86_400), in: zone)
        let schedule = ScheduleStore(database)
        for (key, kind) in [("multi-family", SessionKind.multiFamily), ("group", .group)] {
            try schedule.upsertSeries(
                key: key, title: key, kind: kind,
                schedule: SessionSchedule(recurrence: .once(day), start: LocalTime(hour: 18, minute: 0)!,
                                          durationMinutes: 90, timeZone: zone),
                roster: [alex.id])
        }
        try schedule.materializeRooms(from: now, to: now.addingTimeInterval(4 * 86_400), now: now)
        let series = try #require(try schedule.series(key: "multi-family"))
        let room = try #require(try schedule.rooms(from: now, to: now.addingTimeInterval(4 * 86_400), defaultWindow: .standard)
            .first { $0.series == series.id })
        return room.id
    }

    @Test func multiFamilyConsentsAreAddedListedAndRevokedByTheirMId() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-mf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("hearth.db")
        let room = try clinic(db)

        let all = try hearthd(["consent", "add", "--participant", "alex", "--multi-family"], db: db)
        #expect(all.status == 0)
        #expect(all.output.contains("consent m1: Alex R. consents to taking part, with their family, in multi-family group sessions"))
        let one = try hearthd(["consent", "add", "--participant", "alex", "--multi-family", "--series", "multi-family",
                               "--expires", "2099-01-31", "--note", "Signed form in chart"], db: db)
        #expect(one.status == 0)
        #expect(one.output.contains("consent m2: Alex R. consents to taking part, with their family, in series multi-family until 2099-01-31"))

        // Refusals say what to do.
        let group = try hearthd(["consent", "add", "--participant", "alex", "--multi-family", "--series", "group"], db: db)
        #expect(group.status != 0)
        #expect(group.output.contains("covers multi_family series only"))
        let family = try hearthd(["consent", "add", "--participant", "maria", "--multi-family"], db: db)
        #expect(family.status != 0)
        #expect(family.output.contains("No participant has the id or key \"maria\""))
        let two = try hearthd(["consent", "add", "--participant", "alex", "--multi-family", "--family", "maria"], db: db)
        #expect(two.status != 0)
        #expect(two.output.contains("Give one kind of consent"))
        let three = try hearthd(["consent", "add", "--participant", "alex", "--multi-family", "--recipient", "X",
                                 "--purpose", "Y"], db: db)
        #expect(three.status != 0)
        #expect(three.output.contains("Give one kind of consent"))
        let neither = try hearthd(["consent", "add", "--participant", "alex"], db: db)
        #expect(neither.output.contains("--multi-family"))

        let listed = try hearthd(["consent", "list", "--participant", "alex"], db: db)
        #expect(listed.output.contains("m2  Alex R. with their family in multi-family groups  series multi-family  expires 2099-01-31  in force"))
        #expect(listed.output.contains("m1  Alex R. with their family in multi-family groups  all multi-family sessions  expires never  in force"))

        // The family invitation to a multi-family session needs it too.
        #expect(try hearthd(["consent", "add", "--participant", "alex", "--family", "maria"], db: db).status == 0)
        #expect(try hearthd(["family", "invite", "--family", "maria", "--room", room.rawValue], db: db).status == 0)
        for id in ["m1", "M2"] {
            let revoked = try hearthd(["consent", "revoke", id], db: db)
            #expect(revoked.status == 0)
            #expect(revoked.output.contains("consent \(id) revoked"))
        }
        let refused = try hearthd(["family", "invite", "--family", "maria", "--room", room.rawValue], db: db)
        #expect(refused.status != 0)
        #expect(refused.output.contains("no multi-family group consent in force for this session"))
        #expect(refused.output.contains("--multi-family"))

        #expect(try hearthd(["consent", "list"], db: db).output.contains("m1  Alex R. with their family in multi-family groups  all multi-family sessions  expires never  revoked"))
        let again = try hearthd(["consent", "revoke", "m1"], db: db)
        #expect(again.status != 0)
        #expect(again.output.contains("unknown or already revoked"))
        #expect(try hearthd(["consent", "revoke", "m0"], db: db).status != 0)
        // The family consent (plain number) is still in force: revoking m1 did not touch consent 1.
        #expect(try hearthd(["consent", "list"], db: db).output.contains("1  Alex R. for Maria R.  all family sessions  expires never  in force"))

        let audit = try hearthd(["audit", "list", "--action", "consent_revoke"], db: db)
        #expect(audit.output.contains("multi-family group, consent m1"))
        #expect(audit.output.contains("multi-family group, consent m2"))
    }
}
