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
}

// MARK: - Client helpers (`hello` and `join` as on HearthConnection; the frame helpers are on TestConnection)

extension InMemoryConnection {
    /// `hello`; returns the welcome or throws the refusal.
    func hello(token: String) async throws -> ServerFrame.Welcome {
        try await reply(to: .hello(token: token)) { frame in
            if case .welcome(let welcome) = frame { welcome } else { nil }
        }
    }

    /// `join`; returns `joined` or throws the refusal.
    func join(_ room: RoomID, afterSeq: Int64? = nil) async throws -> ServerFrame.Joined {
        try await reply(to: .join(room: room, afterSeq: afterSeq)) { frame in
            if case .joined(let joined) = frame { joined } else { nil }
        }
    }

    /// The live messages among the frames received so far (call after `settle()`).
    func drainMessages() -> [ChatMessage] {
        drainFrames().compactMap { if case .message(let message) = $0 { message } else { nil } }
    }
}
