import Foundation
import HearthAdmin
import HearthClient
import HearthCore
import HearthServer
import HearthStore
import Logging
import Synchronization

/// A clock tests can move. The server reads it for room windows and rate limits.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date()) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func set(_ date: Date) { current.withLock { $0 = date } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A small clinic seeded straight into the store: who is who, and which rooms exist.
struct TestClinic {
    var counselor: (PersonRecord, token: String)
    var admin: (PersonRecord, token: String)
    /// On the roster of `group` and of `family`.
    var alex: (PersonRecord, token: String)
    /// On the roster of `group`.
    var sam: (PersonRecord, token: String)
    var jamie: (PersonRecord, token: String)
    /// On no roster.
    var outsider: (PersonRecord, token: String)
    /// Alex's family member.
    var maria: (PersonRecord, token: String)
    /// Sam's family member.
    var tom: (PersonRecord, token: String)
    /// A group session running now (started 30 min ago, 3 h long).
    var group: RoomDescriptor
    /// Alex's family session running now.
    var family: RoomDescriptor
    /// A group session of the same cohort starting in 3 hours.
    var later: RoomDescriptor

    static let zone = TimeZone(identifier: "America/Los_Angeles")!

    /// A session held once, starting at `starts` (read in the clinic's zone) and `minutes` long.
    static func once(_ starts: Date, minutes: Int) -> SessionSchedule {
        let local = Calendar.gregorian(in: zone).dateComponents([.hour, .minute], from: starts)
        return SessionSchedule(recurrence: .once(LocalDate(starts, in: zone)),
                               start: LocalTime(hour: local.hour!, minute: local.minute!)!,
                               durationMinutes: minutes, timeZone: zone)
    }

    static func seed(_ database: HearthDatabase, now: Date) throws -> TestClinic {
        let directory = Directory(database)
        let schedule = ScheduleStore(database)
        func person(_ role: Role, _ name: String, familyOf: PersonID? = nil) throws -> (PersonRecord, token: String) {
            let legal = name.replacingOccurrences(of: " ", with: "-legal-") + "-Surname"
            let record = try directory.addPerson(role: role, displayName: name, legalName: legal, familyOf: familyOf,
                                                 now: now)
            return (record, try directory.issueToken(for: record.id, now: now))
        }
        let counselor = try person(.counselor, "Dana M."), admin = try person(.admin, "Jordan K.")
        let alex = try person(.participant, "Alex R."), sam = try person(.participant, "Sam T.")
        let jamie = try person(.participant, "Jamie L."), outsider = try person(.participant, "Pat O.")
        let maria = try person(.family, "Maria R.", familyOf: alex.0.id)
        let tom = try person(.family, "Tom T.", familyOf: sam.0.id)
        // Family members take part on their participant's written consent.
        try ConsentStore(database).add(participant: alex.0.id, family: maria.0.id, now: now)
        try ConsentStore(database).add(participant: sam.0.id, family: tom.0.id, now: now)

        let cohort = [alex.0.id, sam.0.id, jamie.0.id]
        let base = now.addingTimeInterval(-1800)
        let groupSeries = try schedule.upsertSeries(key: "group-now", title: "Group therapy", kind: .group,
                                                    schedule: once(base, minutes: 180), roster: cohort)
        let familySeries = try schedule.upsertSeries(key: "family-now", title: "Family therapy: Alex R.", kind: .family,
                                                     schedule: once(base, minutes: 120), roster: [alex.0.id])
        let laterSeries = try schedule.upsertSeries(key: "group-later", title: "Relapse prevention group",
                                                    kind: .relapsePrevention,
                                                    schedule: once(now.addingTimeInterval(3 * 3600), minutes: 120),
                                                    roster: cohort)
        try schedule.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(2 * 86400), now: now)
        let rooms = try schedule.rooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(2 * 86400),
                                       defaultWindow: .standard)
        func room(_ series: SeriesRecord) -> RoomDescriptor { rooms.first { $0.series == series.id }! }
        return TestClinic(counselor: counselor, admin: admin, alex: alex, sam: sam, jamie: jamie, outsider: outsider,
                          maria: maria, tom: tom, group: room(groupSeries), family: room(familySeries),
                          later: room(laterSeries))
    }
}

/// A real server on an ephemeral loopback port with a fresh database, and a client to talk to it.
final class TestServer: @unchecked Sendable {
    let folder: URL
    let clock: TestClock
    let configuration: ServerConfiguration
    let logs: LogCapture
    private(set) var database: HearthDatabase
    private(set) var server: HearthServer
    let client: HearthClient
    let clinic: TestClinic

    var url: String { "ws://127.0.0.1:\(server.port)/ws" }
    var port: Int { server.port }

    init(clock: TestClock = TestClock(), configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-test-\(UUID().uuidString)")
        self.clock = clock
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.database = folder.appendingPathComponent("hearth.db").path
        configuration.web = nil
        configuration.sendRatePerSecond = 0
        // The hello deadline is a guard against idle sockets, tested on its own (HandshakeTests); here a loaded
        // machine running many suites at once must not turn a slow hello into a 4001.
        configuration.helloTimeoutSeconds = 120
        // Many servers share this process; libev lets only one context own its signal watcher (hearthd runs libev).
        configuration.eventLoop = .poll
        configure(&configuration)
        self.configuration = configuration
        logs = LogCapture()
        database = try HearthDatabase(path: configuration.database, synchronous: configuration.synchronous)
        clinic = try TestClinic.seed(database, now: clock.now)
        server = HearthServer(configuration: configuration, database: database, logger: logs.logger,
                              clock: { [clock] in clock.now })
        try server.start()
        client = try HearthClient()
    }

    /// Stops the server and starts a new one on the same database file (a restart).
    func restart() throws {
        server.stop()
        var configuration = self.configuration
        configuration.port = port
        database = try HearthDatabase(path: configuration.database, synchronous: configuration.synchronous)
        server = HearthServer(configuration: configuration, database: database, logger: logs.logger,
                              clock: { [clock] in clock.now })
        try server.start()
    }

    /// Connects and says hello.
    func connect(_ token: String) async throws -> (HearthConnection, ServerFrame.Welcome) {
        let connection = try await client.connect(url)
        return (connection, try await connection.hello(token: token))
    }

    func shutdown() {
        client.shutdown()
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Collects every log line a server writes, to check what never appears in logs.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "hearth.test") { [self] _ in Handler(capture: self) }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all)")
        }
    }
}

extension HearthConnection {
    /// The next frame that is not presence (presence order relative to replies is not what most tests check).
    func nextSkippingPresence(timeout: Duration = .seconds(5)) async throws -> ServerFrame {
        while true {
            let frame = try await next(timeout: timeout)
            if case .presence = frame { continue }
            return frame
        }
    }

    /// Collects `count` live messages of a room, skipping other frames.
    func messages(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [ChatMessage] {
        var result: [ChatMessage] = []
        let deadline = ContinuousClock.now + timeout
        while result.count < count {
            if case .message(let message) = try await next(timeout: deadline - ContinuousClock.now) {
                result.append(message)
            }
        }
        return result
    }

    /// Waits for an error frame and returns it.
    func error(timeout: Duration = .seconds(5)) async throws -> ServerFrame.ErrorFrame {
        let deadline = ContinuousClock.now + timeout
        while true {
            if case .error(let error) = try await next(timeout: deadline - ContinuousClock.now) { return error }
        }
    }

    /// Asserts nothing arrives for a moment (returns the frame if something did).
    func quiet(for duration: Duration = .milliseconds(300)) async -> HearthConnection.Event? {
        await nextEvent(timeout: duration)
    }
}
