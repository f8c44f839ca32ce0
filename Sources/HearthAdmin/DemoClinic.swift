import Foundation
import HearthCore
import HearthStore

/// Seeds a demo clinic: "Foothill Recovery Center, Pasadena", an evening adult IOP in America/Los_Angeles with a
/// realistic week, plus a group room and a family room open right now. Seeding is idempotent: people and series
/// are found again by key; only the demo tokens are re-issued (they are stored as hashes and can't be shown twice).
public struct DemoClinic: Sendable {
    public static let timeZone = TimeZone(identifier: "America/Los_Angeles")!
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    static let people: [Directory.PersonSpec] = [
        .init(key: "demo:dana", role: .counselor, displayName: "Dana M.", legalName: "Dana Morales"),
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

    static let cohort = ["demo:alex", "demo:sam", "demo:jamie", "demo:chris", "demo:morgan", "demo:taylor"]

    /// The weekly program (see DOMAIN.md's example week).
    static func weeklySeries(people: [String: PersonID]) -> [ScheduleStore.SeriesInput] {
        let zone = timeZone
        let cohort = Self.cohort.compactMap { people[$0] }
        func weekly(_ days: Set<Weekday>, _ hour: Int, _ minutes: Int) -> SessionSchedule {
            SessionSchedule(recurrence: .weekly(days), start: LocalTime(hour: hour, minute: 0)!, durationMinutes: minutes,
                            timeZone: zone)
        }
        return [
            .init(key: "demo:group-therapy", title: "Group therapy (evening IOP)", kind: .group,
                  schedule: weekly([.monday, .friday], 18, 180), window: nil, roster: cohort),
            .init(key: "demo:relapse-prevention", title: "Relapse prevention group", kind: .relapsePrevention,
                  schedule: weekly([.tuesday], 18, 180), window: nil, roster: cohort),
            .init(key: "demo:life-skills", title: "Life skills: stress and communication", kind: .skills,
                  schedule: weekly([.wednesday], 18, 120), window: nil, roster: cohort),
            .init(key: "demo:individual-alex", title: "Individual counseling: Alex R.", kind: .individual,
                  schedule: weekly([.wednesday], 17, 60), window: nil, roster: [people["demo:alex"]!]),
            .init(key: "demo:family-alex", title: "Family therapy: Alex R.", kind: .family,
                  schedule: weekly([.friday], 17, 60), window: nil, roster: [people["demo:alex"]!]),
            .init(key: "demo:peer-meeting", title: "Saturday peer meeting", kind: .peer,
                  schedule: weekly([.saturday], 10, 90), window: nil, roster: cohort),
        ]
    }

    /// Seeds (or finds) the clinic, makes sure a group and a family room are open at `now`, and issues tokens.
    public func seed(baseURL: String, window: ChatWindowPolicy = .standard, now: Date = Date()) throws -> DemoManifest {
        let directory = Directory(database)
        let schedule = ScheduleStore(database)
        let records = try directory.ensurePeople(Self.people, now: now)
        var ids: [String: PersonID] = [:]
        for record in records { if let key = record.externalKey { ids[key] = record.id } }

        var series = Self.weeklySeries(people: ids)
        series += try nowSessions(schedule, people: ids, now: now)
        _ = try schedule.importSeries(series)
        try schedule.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(15 * 86400), now: now,
                                      defaultWindow: window)

        let tokens = try directory.reissueTokens(for: records.map(\.id), label: "demo", now: now)
        return try DemoLinks.manifest(database: database, people: Array(zip(records, tokens)), baseURL: baseURL,
                                      window: window, now: now)
    }

    /// One-off sessions running now: a drop-in group and a family session. Kept while they are still open, moved to
    /// the current half hour when they are not, so every `--demo` start has open rooms to try.
    private func nowSessions(_ schedule: ScheduleStore, people: [String: PersonID], now: Date) throws -> [ScheduleStore.SeriesInput] {
        let zone = Self.timeZone
        let cohort = Self.cohort.compactMap { people[$0] }
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
        return [
            .init(key: "demo:group-now", title: "Group therapy: drop-in check-in", kind: .group,
                  schedule: try keepOrMove("demo:group-now", minutes: 180), window: nil, roster: cohort),
            .init(key: "demo:family-now", title: "Family therapy: Sam T.", kind: .family,
                  schedule: try keepOrMove("demo:family-now", minutes: 120), window: nil, roster: [people["demo:sam"]!]),
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
        let wsURL = baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws"
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
