import Foundation
import HearthClient
import HearthCore
@testable import HearthServer
import HearthStore
import HearthTransport
import Testing

/// The server as `hearthd` assembles it (`HearthServer`: hub, message writer, records queue, a fresh database file),
/// over an `InMemoryTransport` instead of libwebsockets: rule tests without sockets.
///
/// Tests wait on events, never on time: `next` and `request` end when the frame arrives, `tick()` runs one
/// housekeeping tick, and `settle()` returns once nothing is left to happen (no job waiting on the service thread,
/// no message on its way through the writer, nothing on the records queue), so "nobody else got anything" is
/// `connection.drain().isEmpty` after it.
final class InMemoryHub: @unchecked Sendable {
    let folder: URL
    let clock: TestClock
    let configuration: ServerConfiguration
    let logs: LogCapture
    private(set) var database: HearthDatabase
    private(set) var transport: InMemoryTransport
    private(set) var server: HearthServer
    let clinic: TestClinic

    init(clock: TestClock = TestClock(), configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-memory-\(UUID().uuidString)")
        self.clock = clock
        var configuration = ServerConfiguration()
        configuration.database = folder.appendingPathComponent("hearth.db").path
        configuration.web = nil
        configuration.sendRatePerSecond = 0
        configure(&configuration)
        self.configuration = configuration
        logs = LogCapture()
        database = try HearthDatabase(path: configuration.database, synchronous: configuration.synchronous)
        clinic = try TestClinic.seed(database, now: clock.now)
        (transport, server) = try Self.start(configuration, database, logs, clock)
    }

    private static func start(_ configuration: ServerConfiguration, _ database: HearthDatabase, _ logs: LogCapture,
                              _ clock: TestClock) throws -> (InMemoryTransport, HearthServer) {
        let transport = InMemoryTransport()
        let server = HearthServer(configuration: configuration, database: database, transport: transport,
                                  logger: logs.logger, clock: { [clock] in clock.now })
        try server.start()
        return (transport, server)
    }

    /// Stops the server (1001 to everyone) and starts a new one on the same database file.
    func restart() throws {
        server.stop()
        database = try HearthDatabase(path: configuration.database, synchronous: configuration.synchronous)
        (transport, server) = try Self.start(configuration, database, logs, clock)
    }

    func shutdown() {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: Connections

    /// Opens a connection (no hello yet).
    func open() -> InMemoryConnection { transport.connect() }

    /// Opens a connection and says hello.
    func connect(_ token: String) async throws -> (InMemoryConnection, ServerFrame.Welcome) {
        let connection = open()
        return (connection, try await connection.hello(token: token))
    }

    /// Opens a connection, says hello and joins a room.
    func joined(_ token: String, _ room: RoomDescriptor, afterSeq: Int64? = nil) async throws
        -> (InMemoryConnection, ServerFrame.Joined) {
        let (connection, _) = try await connect(token)
        return (connection, try await connection.join(room.id, afterSeq: afterSeq))
    }

    /// Dana (counselor), Alex and Sam joined to the group session in that order, every frame so far drained.
    func groupSession() async throws -> (dana: InMemoryConnection, alex: InMemoryConnection, sam: InMemoryConnection) {
        let (dana, _) = try await joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await joined(clinic.alex.token, clinic.group)
        let (sam, _) = try await joined(clinic.sam.token, clinic.group)
        try await settle()
        for connection in [dana, alex, sam] { _ = connection.drain() }
        return (dana, alex, sam)
    }

    // MARK: Time and quiet

    /// One housekeeping tick, as the real transport's 1 s timer runs it (move `clock` first to let time pass).
    func tick() async { await transport.tick() }

    /// Returns once the hub has nothing left to do. First every store read asked for so far has handed its result
    /// on (a no-op lookup, behind them on the serial lookups queue, has finished); then one job on the service
    /// thread, where nothing else runs meanwhile, finds all of these at once: no message waits for the group commit
    /// or the writer (the hub counts them in flight until their outcome is back), no lookup and no records-queue item
    /// is queued or running (a finished records item has already queued its result), and no job waits behind this
    /// one (the results handed on before it have run). Otherwise it tries again.
    func settle(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        let transport = self.transport
        guard let hub = await transport.perform({ [transport] in transport.delegate as? Hub }) else { return }
        while true {
            await withCheckedContinuation { (flushed: CheckedContinuation<Void, Never>) in
                hub.lookups.run({ () }) { _ in flushed.resume() }
            }
            let quiet = await transport.perform { [transport] in
                hub.pendingWrites.isEmpty && hub.rooms.values.allSatisfy { $0.inFlight == 0 }
                    && hub.lookups.depth == 0 && hub.keeper.depth(.crisis) == 0 && hub.keeper.depth(.ordinary) == 0
                    && transport.isIdle
            }
            if quiet { return }
            guard ContinuousClock.now < deadline else { throw HearthClientError.timedOut(waitingFor: "the hub to settle") }
            // Something is still under way (a commit, a record): look again in a moment. Only how often it looks
            // depends on time, never whether it returns.
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    // MARK: The store

    /// Audit rows matching a filter, once everything queued has been written.
    func auditRows(actor: PersonID? = nil, room: RoomID? = nil, actions: [AuditAction]) async throws -> [AuditEntry] {
        try await settle()
        return try AuditLog(database).list(AuditFilter(actor: actor, room: room, actions: actions.map(\.rawValue)))
    }

    /// Adds a one-off session running now (by default started 30 minutes ago, 3 hours long) and returns its room.
    func addRoom(_ key: String, title: String = "Session", kind: SessionKind = .group, roster: Roster,
                 admission: Admission = .auto, requiresStaff: Bool = false, agreement: String? = nil,
                 facilitators: [PersonID] = []) throws -> RoomDescriptor {
        let now = clock.now, zone = TestClinic.zone
        let starts = now.addingTimeInterval(-30 * 60)
        let local = Calendar.gregorian(in: zone).dateComponents([.hour, .minute], from: starts)
        let schedule = SessionSchedule(recurrence: .once(LocalDate(starts, in: zone)),
                                       start: LocalTime(hour: local.hour!, minute: local.minute!)!,
                                       durationMinutes: 180, timeZone: zone)
        let store = ScheduleStore(database)
        let series = try store.upsertSeries(.init(key: key, title: title, kind: kind, schedule: schedule, roster: roster,
                                                  facilitators: facilitators, admission: admission,
                                                  requiresStaff: requiresStaff, agreement: agreement), now: now)
        try store.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(2 * 86400), now: now)
        return try #require(try store.rooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(2 * 86400),
                                            defaultWindow: .standard).first { $0.series == series.id })
    }
}

// MARK: - Client helpers (the same names as the socket tests' helpers on HearthConnection)

extension InMemoryConnection {
    /// `hello`; returns the welcome or throws the refusal.
    func hello(token: String) async throws -> ServerFrame.Welcome {
        switch try await request(.hello(token: token)) {
        case .welcome(let welcome): return welcome
        case .error(let error): throw HearthClientError.refused(error.code, error.message)
        case let other: throw HearthClientError.unexpected(other.type)
        }
    }

    /// `join`; returns `joined` or throws the refusal.
    func join(_ room: RoomID, afterSeq: Int64? = nil) async throws -> ServerFrame.Joined {
        switch try await request(.join(room: room, afterSeq: afterSeq)) {
        case .joined(let joined): return joined
        case .error(let error): throw HearthClientError.refused(error.code, error.message)
        case let other: throw HearthClientError.unexpected(other.type)
        }
    }

    /// Sends a message and returns its ack, throwing the refusal.
    @discardableResult
    func say(_ body: String, in room: RoomID, clientID: String = UUID().uuidString, to: Recipient? = nil,
             announce: Bool = false) async throws -> ServerFrame.Ack {
        switch try await request(.send(room: room, body: body, clientID: clientID, to: to, announce: announce)) {
        case .ack(let ack): return ack
        case .error(let error): throw HearthClientError.refused(error.code, error.message)
        case let other: throw HearthClientError.unexpected(other.type)
        }
    }

    /// The error code of a request's reply, or nil when it succeeded.
    func refusalCode(_ command: ClientCommand) async throws -> ErrorCode? {
        if case .error(let error) = try await request(command) { return error.code }
        return nil
    }

    /// A moderation request's refusal code, or nil when it was answered `ok`.
    func moderate(_ room: RoomID, _ action: ModerationRequest) async throws -> ErrorCode? {
        try await refusalCode(.moderate(room: room, action: action))
    }

    /// Waits for the first frame `match` accepts, skipping others.
    func expect<T>(_ what: String, timeout: Duration = .seconds(10), _ match: (ServerFrame) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw HearthClientError.timedOut(waitingFor: what) }
            if let found = match(try await next(timeout: remaining)) { return found }
        }
    }

    /// Waits for a `moderation` frame with this action.
    func moderation(_ action: String) async throws -> ServerFrame.Moderation {
        try await expect("moderation \(action)") { frame in
            if case .moderation(let moderation) = frame, moderation.action == action { return moderation }
            return nil
        }
    }

    /// Waits for the next live message.
    func message() async throws -> ChatMessage {
        try await expect("message") { frame in
            if case .message(let message) = frame { return message }
            return nil
        }
    }

    func knock(_ state: ServerFrame.KnockState) async throws -> ServerFrame.Knock {
        try await expect("knock \(state.rawValue)") { frame in
            if case .knock(let knock) = frame, knock.state == state { return knock }
            return nil
        }
    }

    func joinedFrame() async throws -> ServerFrame.Joined {
        try await expect("joined") { frame in
            if case .joined(let joined) = frame { return joined }
            return nil
        }
    }

    func roomState() async throws -> ServerFrame.RoomState {
        try await expect("room_state") { frame in
            if case .roomState(let state) = frame { return state }
            return nil
        }
    }

    /// Sends a request and returns every frame up to and including its reply.
    func requestKeepingFrames(_ command: ClientCommand, timeout: Duration = .seconds(10)) async throws -> [ServerFrame] {
        let ref = makeRef()
        send(ClientRequest(command, ref: ref))
        var frames: [ServerFrame] = []
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame = try await next(timeout: deadline - ContinuousClock.now)
            frames.append(frame)
            if frame.ref == ref { return frames }
        }
    }

    /// The live messages among the frames received so far (call after `settle()`).
    func drainMessages() -> [ChatMessage] {
        drainFrames().compactMap { if case .message(let message) = $0 { message } else { nil } }
    }
}
