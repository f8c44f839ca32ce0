import Foundation
import HearthCore
import HearthStore

/// Seeds a demo clinic: "Foothill Recovery Center, Pasadena", an evening adult IOP in America/Los_Angeles with a
/// program, a cohort, enrollments (one participant joined this week, one was discharged), consents for two family
/// members, a realistic week, last week's attendance and check-ins, and four rooms open right now: a group that
/// requires staff and has an agreement, a peer-support room with no staff, a family session with a waiting room and
/// an individual session. Seeding is idempotent: everything is found again by key; only the demo tokens are
/// re-issued (they are stored as hashes and can't be shown twice).
public struct DemoClinic: Sendable {
    public static let timeZone = TimeZone(identifier: "America/Los_Angeles")!
    static let program = "demo:evening-iop"
    static let cohortKey = "demo:cohort-a"
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    static let people: [Directory.PersonSpec] = [
        .init(key: "demo:dana", role: .counselor, displayName: "Dana M.", legalName: "Dana Morales"),
        .init(key: "demo:luis", role: .counselor, displayName: "Luis G.", legalName: "Luis Garcia"),
        .init(key: "demo:jordan", role: .admin, displayName: "Jordan K.", legalName: "Jordan Kim"),
        .init(key: "demo:alex", role: .participant, displayName: "Alex R.", legalName: "Alex Rivera"),
        .init(key: "demo:sam", role: .participant, displayName: "Sam T.", legalName: "Samantha Torres"),
        .init(key: "demo:jamie", role: .participant, displayName: "Jamie L.", legalName: "Jamie Lee"),
        .init(key: "demo:chris", role: .participant, displayName: "Chris P.", legalName: "Christopher Park"),
        .init(key: "demo:morgan", role: .participant, displayName: "Morgan D.", legalName: "Morgan Diaz"),
        .init(key: "demo:taylor", role: .participant, displayName: "Taylor B.", legalName: "Taylor Brooks"),
        .init(key: "demo:maria", role: .family, displayName: "Maria R.", legalName: "Maria Rivera", familyOfKey: "demo:alex"),
        .init(key: "demo:tom", role: .family, displayName: "Tom T.", legalName: "Tom Torres", familyOfKey: "demo:sam"),
    ]

    static let agreement = "What is said in group stays in group. No screenshots or recordings. Speak for yourself, "
        + "listen without interrupting, and treat everyone with respect."

    /// Enrollments relative to this week's Monday: weeks before it the participant started, weeks after it they end;
    /// Taylor was discharged two weeks ago, Morgan joined this week.
    static func enrollments(people: [String: PersonID], now: Date) -> [ProgramStore.EnrollmentInput] {
        let monday = ISOWeek(containing: LocalDate(now, in: timeZone)).monday
        func enrollment(_ key: String, started weeks: Int, ends: Int, discharged: Int? = nil) -> ProgramStore.EnrollmentInput {
            .init(person: people[key]!, program: program, cohort: cohortKey, start: monday.adding(days: -7 * weeks),
                  end: monday.adding(days: 7 * ends - 3),
                  ended: discharged.map { (monday.adding(days: -7 * $0 + 2), EnrollmentEnd.discharged) })
        }
        return [
            enrollment("demo:jamie", started: 9, ends: 3), enrollment("demo:alex", started: 6, ends: 6),
            enrollment("demo:chris", started: 4, ends: 8), enrollment("demo:sam", started: 2, ends: 10),
            enrollment("demo:morgan", started: 0, ends: 12), enrollment("demo:taylor", started: 8, ends: 4, discharged: 2),
        ]
    }

    /// The weekly program (see DOMAIN.md's example week).
    static func weeklySeries(people: [String: PersonID]) -> [ScheduleStore.SeriesInput] {
        let zone = timeZone
        func weekly(_ days: Set<Weekday>, _ hour: Int, _ minute: Int = 0, _ minutes: Int) -> SessionSchedule {
            SessionSchedule(recurrence: .weekly(days), start: LocalTime(hour: hour, minute: minute)!, durationMinutes: minutes,
                            timeZone: zone)
        }
        let dana = people["demo:dana"]!, luis = people["demo:luis"]!
        return [
            .init(key: "demo:group-therapy", title: "Group therapy (evening IOP)", kind: .group,
                  schedule: weekly([.monday, .thursday], 18, 0, 150), roster: .cohort(cohortKey), program: program,
                  facilitators: [dana], requiresStaff: true, agreement: agreement),
            .init(key: "demo:relapse-prevention", title: "Relapse prevention group", kind: .relapsePrevention,
                  schedule: weekly([.tuesday], 18, 0, 120), roster: .cohort(cohortKey), program: program,
                  facilitators: [luis], requiresStaff: true, agreement: agreement),
            .init(key: "demo:life-skills", title: "Life skills: stress and communication", kind: .skills,
                  schedule: weekly([.wednesday], 18, 0, 120), roster: .cohort(cohortKey), program: program,
                  facilitators: [luis], requiresStaff: true),
            .init(key: "demo:individual-alex", title: "Individual counseling: Alex R.", kind: .individual,
                  schedule: weekly([.wednesday], 16, 45, 50), window: ChatWindowPolicy(openBeforeMinutes: 5, graceAfterMinutes: 5),
                  roster: .participant(people["demo:alex"]!), program: program, facilitators: [dana]),
            .init(key: "demo:family-alex", title: "Family therapy: Alex R.", kind: .family,
                  schedule: weekly([.friday], 16, 45, 60), roster: .family(people["demo:alex"]!), program: program,
                  facilitators: [dana], admission: .waiting),
            .init(key: "demo:peer-meeting", title: "Saturday peer meeting", kind: .peer,
                  schedule: weekly([.saturday], 10, 0, 90), roster: .cohort(cohortKey)),
        ]
    }

    /// Seeds (or finds) the clinic, makes sure four rooms are open at `now`, and issues tokens.
    public func seed(baseURL: String, window: ChatWindowPolicy = .standard, now: Date = Date()) throws -> DemoManifest {
        let directory = Directory(database)
        let schedule = ScheduleStore(database)
        let records = try directory.ensurePeople(Self.people, now: now)
        var ids: [String: PersonID] = [:]
        for record in records { if let key = record.externalKey { ids[key] = record.id } }

        var series = Self.weeklySeries(people: ids)
        series += try nowSessions(schedule, people: ids, now: now)
        _ = try schedule.importClinic(
            programs: [ProgramRecord(key: Self.program, title: "Evening IOP - adults, substance use", weeks: 12,
                                     requiredMinutesPerWeek: 9 * 60)],
            cohorts: [CohortRecord(key: Self.cohortKey, programKey: Self.program, title: "Evening cohort A")],
            enrollments: Self.enrollments(people: ids, now: now), series: series, timeZone: Self.timeZone, now: now)
        try schedule.materializeRooms(from: now.addingTimeInterval(-8 * 86400), to: now.addingTimeInterval(15 * 86400),
                                      now: now, defaultWindow: window)
        try consents(people: ids, now: now)
        try DemoHistory(database).seed(window: window, now: now)

        let tokens = try directory.reissueTokens(for: records.map(\.id), label: "demo", now: now)
        return try DemoLinks.manifest(database: database, people: Array(zip(records, tokens)), baseURL: baseURL,
                                      window: window, now: now)
    }

    /// Alex consents for Maria and Sam for Tom, once.
    private func consents(people: [String: PersonID], now: Date) throws {
        let consents = ConsentStore(database)
        for (participant, family) in [("demo:alex", "demo:maria"), ("demo:sam", "demo:tom")] {
            let existing = try consents.list(participant: people[participant]!)
            if !existing.contains(where: { $0.familyId == people[family]! && $0.revokedAt == nil }) {
                try consents.add(participant: people[participant]!, family: people[family]!,
                                 note: "Signed consent form on file (demo)", now: now)
            }
        }
    }

    /// One-off sessions running now. Kept while they are still open, moved to the current half hour when they are
    /// not, so every `--demo` start has open rooms to try.
    private func nowSessions(_ schedule: ScheduleStore, people: [String: PersonID], now: Date) throws -> [ScheduleStore.SeriesInput] {
        let zone = Self.timeZone
        func keepOrMove(_ key: String, minutes: Int) throws -> SessionSchedule {
            if let existing = try schedule.series(key: key), let current = try? existing.schedule(),
               let occurrence = current.occurrences(from: now, to: now.addingTimeInterval(1)).first,
               occurrence.starts <= now, occurrence.ends.addingTimeInterval(-1800) > now {
                return current
            }
            let local = Calendar.gregorian(in: zone).dateComponents([.hour, .minute], from: now)
            let start = LocalTime(hour: local.hour!, minute: local.minute! < 30 ? 0 : 30)!
            return SessionSchedule(recurrence: .once(LocalDate(now, in: zone)), start: start, durationMinutes: minutes,
                                   timeZone: zone)
        }
        let dana = people["demo:dana"]!
        return [
            .init(key: "demo:group-now", title: "Group therapy: drop-in check-in", kind: .group,
                  schedule: try keepOrMove("demo:group-now", minutes: 180), roster: .cohort(Self.cohortKey),
                  program: Self.program, facilitators: [dana], requiresStaff: true, agreement: Self.agreement),
            .init(key: "demo:peer-now", title: "Peer support: open chat", kind: .peer,
                  schedule: try keepOrMove("demo:peer-now", minutes: 180), roster: .cohort(Self.cohortKey)),
            .init(key: "demo:family-now", title: "Family therapy: Sam T.", kind: .family,
                  schedule: try keepOrMove("demo:family-now", minutes: 120), roster: .family(people["demo:sam"]!),
                  program: Self.program, facilitators: [dana], admission: .waiting),
            .init(key: "demo:individual-now", title: "Individual counseling: Alex R.", kind: .individual,
                  schedule: try keepOrMove("demo:individual-now", minutes: 120), roster: .participant(people["demo:alex"]!),
                  program: Self.program, facilitators: [dana]),
        ]
    }
}

/// Load-test seeding for the benchmark: R group rooms open now with M participants each and one counselor.
public struct LoadTestClinic: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    public func seed(rooms: Int, membersPerRoom: Int, baseURL: String, window: ChatWindowPolicy = .standard,
                     now: Date = Date()) throws -> DemoManifest {
        guard (1...1000).contains(rooms), (1...200).contains(membersPerRoom) else {
            throw StoreError.invalid("--demo-rooms must be 1 to 1000 and --demo-members 1 to 200.")
        }
        let directory = Directory(database)
        let schedule = ScheduleStore(database)
        var specs: [Directory.PersonSpec] = [.init(key: "load:counselor", role: .counselor, displayName: "Load Counselor")]
        for room in 1...rooms {
            for member in 1...membersPerRoom {
                specs.append(.init(key: "load:\(room):\(member)", role: .participant, displayName: "Member \(room)-\(member)"))
            }
        }
        let records = try directory.ensurePeople(specs, now: now)
        let zone = TimeZone.gmt
        let startDate = now.addingTimeInterval(-300)
        let local = Calendar.gregorian(in: zone).dateComponents([.hour, .minute], from: startDate)
        let start = LocalTime(hour: local.hour!, minute: local.minute!)!
        var inputs: [ScheduleStore.SeriesInput] = []
        for room in 1...rooms {
            let roster = records[(1 + (room - 1) * membersPerRoom)...(room * membersPerRoom)].map(\.id)
            inputs.append(.init(key: "load:room:\(room)", title: "Load room \(room)", kind: .group,
                                schedule: SessionSchedule(recurrence: .once(LocalDate(startDate, in: zone)), start: start,
                                                          durationMinutes: 240, timeZone: zone),
                                window: nil, roster: roster))
        }
        _ = try schedule.importSeries(inputs)
        try schedule.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(86400), now: now,
                                      defaultWindow: window)
        let tokens = try directory.reissueTokens(for: records.map(\.id), label: "load", now: now)
        return try DemoLinks.manifest(database: database, people: Array(zip(records, tokens)), baseURL: baseURL,
                                      window: window, now: now, onlySeriesPrefix: "load:")
    }
}

/// Builds the manifest for seeded people: links, and the rooms each may join today and next.
enum DemoLinks {
    static func manifest(database: HearthDatabase, people: [(PersonRecord, String)], baseURL: String,
                         window: ChatWindowPolicy, now: Date, onlySeriesPrefix: String? = nil) throws -> DemoManifest {
        let schedule = ScheduleStore(database)
        let prefixIDs = try onlySeriesPrefix.map { prefix in
            Set(try schedule.allSeries().filter { $0.key.hasPrefix(prefix) }.map(\.id))
        }
        var rooms = try schedule.rooms(from: now.addingTimeInterval(-12 * 3600), to: now.addingTimeInterval(36 * 3600),
                                       defaultWindow: window)
        let nearby = Set(rooms.map(\.id))
        rooms += try schedule.nextRooms(after: now, defaultWindow: window).filter { !nearby.contains($0.id) }
        if let prefixIDs { rooms = rooms.filter { prefixIDs.contains($0.series) } }
        rooms.sort { ($0.starts, $0.id) < ($1.starts, $1.id) }
        let wsURL = baseURL.replacingOccurrences(of: "https://", with: "wss://")
            .replacingOccurrences(of: "http://", with: "ws://") + "/ws"
        var manifest = DemoManifest(url: baseURL, ws: wsURL, counselors: [], participants: [], families: [],
                                    rooms: rooms.map { $0.summary(at: now) })
        for (person, token) in people {
            let link = "\(baseURL)/#invite=\(token)"
            let mine = rooms.filter { AccessRule.mayAccess(person.identity, $0) }.map(\.id)
            switch person.role {
            case .counselor, .admin:
                manifest.counselors.append(.init(name: person.displayName, role: person.role, token: token))
            case .participant:
                manifest.participants.append(.init(id: person.id, name: person.displayName, token: token, link: link, rooms: mine))
            case .family:
                manifest.families.append(.init(id: person.id, name: person.displayName, of: person.familyOf!, token: token,
                                               link: link, rooms: mine))
            }
        }
        return manifest
    }
}
