import Foundation
import HearthCore
import HearthStore
import HearthTransport
import Logging

/// A running Hearth server: the transport, the hub and the writer thread, wired together. It owns all three (the
/// transport holds the hub weakly as its delegate, the hub holds the transport `unowned`).
///
/// ```swift
/// let server = try HearthServer(configuration: configuration, database: database, logger: logger)
/// try server.start()          // binds the port; `server.port` is the real one
/// server.stop()               // 1001 to every client, commits what is queued
/// ```
public final class HearthServer: Sendable {
    public static let version = "0.1.0"

    private let transport: any ServerTransport
    private let hub: Hub
    private let writer: MessageWriter<SendOrigin>
    private let auditHead: AuditHeadReporter
    /// Serves `/metrics` on `metrics_address`, when set.
    private let metricsListener: MetricsListener?
    public let configuration: ServerConfiguration

    /// - Parameters:
    ///   - lexicon: the crisis lexicon to scan participant messages with (`configuration.loadCrisisLexicon()`).
    ///   - auditHeadInterval: how often the audit chain's head is logged (`audit head`; also at start and stop).
    public convenience init(configuration: ServerConfiguration, database: HearthDatabase, logger: Logger,
                            lexicon: CrisisLexicon = .standard, clock: @escaping @Sendable () -> Date = { Date() },
                            auditHeadInterval: Duration = .seconds(3600)) {
        let transport = WebSocketServer(configuration: Self.transportConfiguration(configuration), logger: logger)
        self.init(configuration: configuration, database: database, transport: transport, logger: logger,
                  lexicon: lexicon, clock: clock, auditHeadInterval: auditHeadInterval)
    }

    /// Wires the hub and the writer to `transport`, which the server then owns: the libwebsockets server above, or
    /// an in-memory one in tests (everything else is the same).
    init(configuration: ServerConfiguration, database: HearthDatabase, transport: any ServerTransport, logger: Logger,
         lexicon: CrisisLexicon = .standard, clock: @escaping @Sendable () -> Date = { Date() },
         auditHeadInterval: Duration = .seconds(3600)) {
        self.configuration = configuration
        auditHead = AuditHeadReporter(database: database, logger: logger, interval: auditHeadInterval)
        let hub = Hub(configuration: configuration, database: database, transport: transport, version: Self.version,
                      lexicon: lexicon, logger: logger, clock: clock)
        writer = MessageWriter(database: database, maxBatch: configuration.writerBatch,
                               maxQueued: configuration.writerQueueLimit, logger: logger,
                               observeCommit: { [metrics = hub.metrics] _, duration in metrics.commitDuration.record(duration) }) {
            [transport, hub] outcomes in
            transport.execute { hub.committed(outcomes) }
        }
        hub.writer = writer
        metricsListener = configuration.metricsEndpoint.map { endpoint in
            MetricsListener(host: endpoint.host, port: endpoint.port, logger: logger) { [metrics = hub.metrics] in
                metrics.exposition()
            }
        }
        transport.delegate = hub
        self.transport = transport
        self.hub = hub
    }

    /// The libwebsockets server's settings from the server configuration.
    static func transportConfiguration(_ configuration: ServerConfiguration) -> WebSocketServerConfiguration {
        var transportConfiguration = WebSocketServerConfiguration()
        transportConfiguration.host = configuration.host
        transportConfiguration.port = configuration.port
        transportConfiguration.webRoot = configuration.web
        transportConfiguration.dynamicPaths = ["/healthz", "/client.json"]
        transportConfiguration.allowedOrigins = configuration.allowedOrigins
        transportConfiguration.maxMessageBytes = configuration.maxFrameBytes
        transportConfiguration.maxQueuedFrames = configuration.sendQueueMessages
        transportConfiguration.maxQueuedBytes = configuration.sendQueueBytes
        transportConfiguration.pingSeconds = configuration.pingSeconds
        transportConfiguration.hangupSeconds = configuration.idleHangupSeconds
        transportConfiguration.eventLoop = configuration.eventLoop
        transportConfiguration.tls = configuration.tls
        transportConfiguration.trustForwardedFor = configuration.behindProxy
        transportConfiguration.addressCaps = AddressCaps(maxConnections: configuration.maxConnectionsPerAddress,
                                                         maxUnauthenticated: configuration.maxUnauthenticatedPerAddress,
                                                         exemptLoopback: configuration.exemptLoopback)
        return transportConfiguration
    }

    /// Closes attendance intervals a crash left open (at the last moment each person was known to be there),
    /// creates this fortnight's rooms, binds the port and starts serving; logs the audit head now and hourly.
    public func start() throws {
        do {
            let recovered = try hub.keeper.attendance.closeAll(at: nil)
            if recovered > 0 {
                hub.logger.notice("closed attendance left open by an unclean stop", metadata: ["hearth.intervals": "\(recovered)"])
            }
        } catch {
            hub.logger.error("could not close attendance left open", metadata: ["hearth.error": "\(type(of: error))"])
        }
        Hub.materialize(ScheduleStore(hub.database), now: hub.clock(), window: configuration.window, logger: hub.logger)
        hub.loadOpenAlerts()
        try transport.start()
        do {
            try metricsListener?.start()
        } catch {
            transport.stop()
            throw error
        }
        auditHead.start()
    }

    /// The port being listened on.
    public var port: Int { transport.port }

    /// Closes every connection with 1001, stops the loop, commits what was queued and logs the audit head.
    public func stop() {
        metricsListener?.stop()
        transport.stop()
        writer.stop()
        // The loop has stopped: the refusals counted in minutes still open are audited now, not lost.
        hub.closeRefusalMinutes()
        hub.keeper.drain()
        do {
            try hub.keeper.attendance.closeAll(at: hub.clock())
        } catch {
            hub.logger.error("could not close attendance at shutdown", metadata: ["hearth.error": "\(type(of: error))"])
        }
        // Last: after every audit row the hub had queued.
        auditHead.stop()
    }

    /// The records queue (for tests: its lanes' depths, bounds and pause).
    var keeper: RecordKeeper { hub.keeper }

    /// The lookups queue (for tests: pause it to hold every store read of the hub in place).
    var lookups: Lookups { hub.lookups }

    /// Runs `body` on the service thread with the hub and returns what it returns (for tests that look at the hub's
    /// state without racing its thread).
    func onServiceThread<T: Sendable>(_ body: @escaping @Sendable (Hub) -> T) async -> T {
        await withCheckedContinuation { continuation in
            transport.execute { [hub] in continuation.resume(returning: body(hub)) }
        }
    }

    /// Transactions and messages the writer committed (for the benchmark and logs).
    public var committed: (batches: Int, messages: Int) { writer.committed }
}
