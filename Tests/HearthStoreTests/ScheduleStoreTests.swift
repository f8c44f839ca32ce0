import Foundation
import HearthCore
import HearthStore
import Testing

/// Series and their rooms: one room per occurrence, idempotent materialisation, moved series, and what comes next.
struct ScheduleStoreTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!

    static func weekly(_ days: Set<Weekday>, _ start: String, minutes: Int = 60, firstDate: String? = nil,
                       lastDate: String? = nil) -> SessionSchedule {
        SessionSchedule(recurrence: .weekly(days), start: LocalTime(start)!, durationMinutes: minutes,
                        timeZone: losAngeles, firstDate: firstDate.flatMap(LocalDate.init),
                        lastDate: lastDate.flatMap(LocalDate.init))
    }

    private struct Setup {
        let schedule: ScheduleStore
        let alex: PersonRecord
        let sam: PersonRecord
        let dana: PersonRecord
    }

    private func withSetup(_ body: (Setup) throws -> Void) throws {
        try withTemporaryDatabase { database throws in
            let directory = Directory(database)
            try body(Setup(schedule: ScheduleStore(database),
                           alex: try directory.addPerson(role: .participant, displayName: "Alex R."),
                           sam: try directory.addPerson(role: .participant, displayName: "Sam T."),
                           dana: try directory.addPerson(role: .counselor, displayName: "Dana M.")))
        }
    }

    private func storeError(_ body: () throws -> Void) -> StoreError? {
        do { try body() } catch let error as StoreError { return error } catch { return nil }
        return nil
    }

    private func localStart(_ room: RoomDescriptor) -> String {
        let parts = Calendar.gregorian(in: Self.losAngeles).dateComponents([.weekday, .hour, .minute], from: room.starts)
        return "\(Weekday(rawValue: parts.weekday!)!.shortName) \(LocalTime(hour: parts.hour!, minute: parts.minute!)!)"
    }

    // Sunday 2026-03-01 00:00 PST to Sunday 2026-03-29 00:00 PDT: four full weeks across the spring-forward.
    private var march: (from: Date, to: Date) {
        get throws { (try time("2026-03-01T08:00:00Z"), try time("2026-03-29T07:00:00Z")) }
    }

    @Test("materializing creates one room per occurrence in the range, and a second time creates none")
    func materializeIdempotent() throws {
        try withSetup { setup throws in
            try setup.schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                            schedule: Self.weekly([.monday, .wednesday], "18:00"), roster: [setup.alex.id])
            let (from, to) = try march
            #expect(try setup.schedule.materializeRooms(from: from, to: to, now: from) == 8)
            #expect(try setup.schedule.materializeRooms(from: from, to: to, now: from) == 0)
            let rooms = try setup.schedule.rooms(from: from, to: to, defaultWindow: .standard)
            #expect(rooms.count == 8)
            #expect(rooms.map(localStart) == ["mon 18:00", "wed 18:00", "mon 18:00", "wed 18:00",
                                              "mon 18:00", "wed 18:00", "mon 18:00", "wed 18:00"])
            #expect(rooms.map(\.starts) == rooms.map(\.starts).sorted())
            #expect(Set(rooms.map(\.id)).count == 8)
            #expect(rooms.allSatisfy { $0.ends.timeIntervalSince($0.starts) == 3600 })
        }
    }

    @Test("a wider range creates only the rooms that were missing")
    func materializeWiderRange() throws {
        try withSetup { setup throws in
            try setup.schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                            schedule: Self.weekly([.monday], "18:00"), roster: [])
            let (from, to) = try march
            #expect(try setup.schedule.materializeRooms(from: from, to: from.addingTimeInterval(7 * 86400), now: from) == 1)
            #expect(try setup.schedule.materializeRooms(from: from, to: to, now: from) == 3)
        }
    }

    @Test("a room describes its series: title, kind, time zone, chat window and roster")
    func descriptorContents() throws {
        try withSetup { setup throws in
            let custom = ChatWindowPolicy(openBeforeMinutes: 5, graceAfterMinutes: 30)
            try setup.schedule.upsertSeries(key: "family", title: "Family therapy: Alex R.", kind: .family,
                                            schedule: Self.weekly([.friday], "17:00"), window: custom, roster: [setup.alex.id])
            try setup.schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                            schedule: Self.weekly([.monday], "18:00"),
                                            roster: [setup.alex.id, setup.sam.id, setup.sam.id])
            let (from, to) = try march
            try setup.schedule.materializeRooms(from: from, to: from.addingTimeInterval(7 * 86400), now: from)
            let rooms = try setup.schedule.rooms(from: from, to: to, defaultWindow: .standard)
            let family = try #require(rooms.first { $0.kind == .family })
            let group = try #require(rooms.first { $0.kind == .group })
            #expect(family.title == "Family therapy: Alex R.")
            #expect(family.timeZone.identifier == "America/Los_Angeles")
            #expect(family.window == custom)
            #expect(family.roster == [setup.alex.id])
            #expect(group.window == .standard)
            #expect(group.roster == [setup.alex.id, setup.sam.id])
            #expect(try setup.schedule.descriptor(of: group.id, defaultWindow: .standard) == group)
            #expect(try setup.schedule.descriptor(of: RoomID("r_none"), defaultWindow: .standard) == nil)
        }
    }

    @Test("rooms lists the sessions overlapping the range, including one already running")
    func roomsOverlap() throws {
        try withSetup { setup throws in
            try setup.schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                            schedule: Self.weekly([.monday], "18:00"), roster: [])
            let (from, to) = try march
            try setup.schedule.materializeRooms(from: from, to: to, now: from)
            // The 2026-03-02 session runs 02:00Z to 03:00Z on 2026-03-03.
            let running = try setup.schedule.rooms(from: try time("2026-03-03T02:30:00Z"), to: try time("2026-03-03T02:31:00Z"),
                                                   defaultWindow: .standard)
            #expect(running.count == 1)
            let afterEnd = try setup.schedule.rooms(from: try time("2026-03-03T03:00:00Z"), to: try time("2026-03-09T00:00:00Z"),
                                                    defaultWindow: .standard)
            #expect(afterEnd.isEmpty)
        }
    }

    @Test("a series moved to a new time moves the rooms that have not started and keeps the one that has")
    func movedSeries() throws {
        try withSetup { setup throws in
            let schedule = setup.schedule
            try schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                      schedule: Self.weekly([.monday], "18:00"), roster: [setup.alex.id])
            let from = try time("2026-03-01T08:00:00Z"), to = try time("2026-03-22T07:00:00Z")
            let now = try time("2026-03-03T02:30:00Z") // Monday 2026-03-02 18:30 PST: the first session is running.
            try schedule.materializeRooms(from: from, to: to, now: from)
            let before = try schedule.rooms(from: from, to: to, defaultWindow: .standard)
            try #require(before.count == 3)

            try schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                      schedule: Self.weekly([.monday], "19:00", minutes: 90), roster: [setup.alex.id])
            #expect(try schedule.materializeRooms(from: from, to: to, now: now) == 0)
            let after = try schedule.rooms(from: from, to: to, defaultWindow: .standard)
            #expect(after.map(\.id) == before.map(\.id))
            #expect(after.map(localStart) == ["mon 18:00", "mon 19:00", "mon 19:00"])
            #expect(after[0].starts == before[0].starts && after[0].ends == before[0].ends)
            #expect(after[1].starts == (try time("2026-03-10T02:00:00Z")))
            #expect(after[1].ends.timeIntervalSince(after[1].starts) == 90 * 60)
        }
    }

    // docs/SCHEDULE.md: rooms of a dropped day go away while their chat has not opened and they hold no messages.
    @Test("a series moved to another weekday loses its rooms on the old day and gains rooms on the new one")
    func seriesMovedToAnotherDay() throws {
        try withSetup { setup throws in
            let schedule = setup.schedule
            try schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                      schedule: Self.weekly([.monday], "18:00"), roster: [setup.alex.id])
            let (from, to) = try march
            try schedule.materializeRooms(from: from, to: to, now: from)
            let mondays = try schedule.rooms(from: from, to: to, defaultWindow: .standard)
            try schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                      schedule: Self.weekly([.tuesday], "18:00"), roster: [setup.alex.id])
            #expect(try schedule.materializeRooms(from: from, to: to, now: from) == 4)
            let rooms = try schedule.rooms(from: from, to: to, defaultWindow: .standard)
            #expect(rooms.map(localStart) == ["tue 18:00", "tue 18:00", "tue 18:00", "tue 18:00"])
            #expect(Set(rooms.map(\.id)).isDisjoint(with: mondays.map(\.id)))
        }
    }

    @Test("nextRooms gives the first room starting at or after a moment for each series, in start order")
    func nextRooms() throws {
        try withSetup { setup throws in
            let schedule = setup.schedule
            try schedule.upsertSeries(key: "group", title: "Group", kind: .group,
                                      schedule: Self.weekly([.monday], "18:00"), roster: [])
            try schedule.upsertSeries(key: "skills", title: "Skills", kind: .skills,
                                      schedule: Self.weekly([.wednesday], "17:00"), roster: [])
            try schedule.upsertSeries(key: "past", title: "Past one-off", kind: .peer,
                                      schedule: SessionSchedule(recurrence: .once(LocalDate("2026-02-20")!),
                                                                start: LocalTime("10:00")!, durationMinutes: 60,
                                                                timeZone: Self.losAngeles),
                                      roster: [])
            try schedule.materializeRooms(from: try time("2026-02-15T00:00:00Z"), to: try time("2026-03-22T00:00:00Z"),
                                          now: try time("2026-02-15T00:00:00Z"))

            // Monday 2026-03-02 16:00 PST.
            let next = try schedule.nextRooms(after: try time("2026-03-03T00:00:00Z"), defaultWindow: .standard)
            #expect(next.map(\.title) == ["Group", "Skills"])
            #expect(next.map(\.starts) == [try time("2026-03-03T02:00:00Z"), try time("2026-03-05T01:00:00Z")])

            // Exactly at a start counts; a moment later the next week's room is next.
            let atStart = try schedule.nextRooms(after: try time("2026-03-03T02:00:00Z"), defaultWindow: .standard)
            #expect(atStart.first?.starts == (try time("2026-03-03T02:00:00Z")))
            let justAfter = try schedule.nextRooms(after: try time("2026-03-03T02:00:00.001Z"), defaultWindow: .standard)
            #expect(justAfter.map(\.title) == ["Skills", "Group"])
            #expect(justAfter.last?.starts == (try time("2026-03-10T01:00:00Z")))
        }
    }

    @Test("a roster naming a counselor or an unknown person is refused and nothing is stored")
    func rosterChecked() throws {
        try withSetup { setup throws in
            let schedule = setup.schedule
            let counselor = storeError {
                try schedule.upsertSeries(key: "bad", title: "Bad", kind: .group, schedule: Self.weekly([.monday], "18:00"),
                                          roster: [setup.alex.id, setup.dana.id])
            }
            guard case .invalid? = counselor else { Issue.record("expected invalid, got \(String(describing: counselor))"); return }
            let unknown = storeError {
                try schedule.upsertSeries(key: "bad", title: "Bad", kind: .group, schedule: Self.weekly([.monday], "18:00"),
                                          roster: [PersonID("p_ghost")])
            }
            guard case .notFound? = unknown else { Issue.record("expected notFound, got \(String(describing: unknown))"); return }
            #expect(try schedule.allSeries().isEmpty)
        }
    }

    @Test("importSeries counts created, updated and unchanged series, and a roster change is an update")
    func importCounts() throws {
        try withSetup { setup throws in
            let schedule = setup.schedule
            func inputs(groupRoster: [PersonID]) -> [ScheduleStore.SeriesInput] {
                [.init(key: "group", title: "Group", kind: .group, schedule: Self.weekly([.monday, .friday], "18:00"),
                       window: nil, roster: groupRoster),
                 .init(key: "skills", title: "Skills", kind: .skills, schedule: Self.weekly([.wednesday], "17:00"),
                       window: ChatWindowPolicy(openBeforeMinutes: 0, graceAfterMinutes: 5), roster: [setup.sam.id])]
            }
            let first = try schedule.importSeries(inputs(groupRoster: [setup.alex.id]))
            #expect(first.created == 2 && first.updated == 0 && first.unchanged == 0)
            let again = try schedule.importSeries(inputs(groupRoster: [setup.alex.id]))
            #expect(again.created == 0 && again.updated == 0 && again.unchanged == 2)
            let rostered = try schedule.importSeries(inputs(groupRoster: [setup.alex.id, setup.sam.id]))
            #expect(rostered.created == 0 && rostered.updated == 1 && rostered.unchanged == 1)
            let group = try #require(try schedule.series(key: "group"))
            #expect(Set(try schedule.roster(of: group.id)) == [setup.alex.id, setup.sam.id])
        }
    }

    @Test("an import with one bad series stores none of them")
    func importAllOrNothing() throws {
        try withSetup { setup throws in
            let schedule = setup.schedule
            #expect(throws: StoreError.self) {
                try schedule.importSeries([
                    .init(key: "good", title: "Good", kind: .group, schedule: Self.weekly([.monday], "18:00"),
                          window: nil, roster: [setup.alex.id]),
                    .init(key: "bad", title: "Bad", kind: .group, schedule: Self.weekly([.monday], "18:00"),
                          window: nil, roster: [setup.dana.id]),
                ])
            }
            #expect(try schedule.allSeries().isEmpty)
        }
    }

    @Test("a stored series gives back the schedule it was stored with", arguments: [
        ScheduleStoreTests.weekly([.friday, .monday], "18:00", minutes: 180, firstDate: "2026-03-02", lastDate: "2026-06-26"),
        SessionSchedule(recurrence: .once(LocalDate("2026-11-01")!), start: LocalTime("9:30")!, durationMinutes: 45,
                        timeZone: TimeZone(identifier: "Europe/Paris")!),
    ])
    func scheduleRoundTrip(schedule: SessionSchedule) throws {
        try withSetup { setup throws in
            let stored = try setup.schedule.upsertSeries(key: "k", title: "T", kind: .peer, schedule: schedule, roster: [])
            let fetched = try #require(try setup.schedule.series(key: "k"))
            #expect(fetched == stored)
            #expect(try fetched.schedule() == schedule)
        }
    }
}
