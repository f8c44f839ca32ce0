import Foundation
import HearthCore
import HearthStore
import HearthTransport
import Logging

/// A running Hearth server: the transport, the hub and the writer thread, wired together.
///
/// ```swift
/// let server = try HearthServer(configuration: configuration, database: database, logger: logger)
/// try server.start()          // binds the port; `server.port` is the real one
/// server.stop()               // 1001 to every client, commits what is queued
/// ```
public final class HearthServer: Sendable {
    public static let version = "0.1.0"

    private let transport: WebSocketServer
    private let hub: Hub
    private let writer: MessageWriter<SendOrigin>
    public let configuration: ServerConfiguration

    public init(configuration: ServerConfiguration, database: HearthDatabase, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        var transportConfiguration = WebSocketServerConfiguration()
        transportConfiguration.host = configuration.host
        transportConfiguration.port = configuration.port
        transportConfiguration.webRoot = configuration.web
        transportConfiguration.allowedOrigins = configuration.allowedOrigins
        transportConfiguration.maxMessageBytes = configuration.maxFrameBytes
        transportConfiguration.maxQueuedFrames = configuration.sendQueueMessages
        transportConfiguration.maxQueuedBytes = configuration.sendQueueBytes
        transportConfiguration.pingSeconds = configuration.pingSeconds
        transportConfiguration.hangupSeconds = configuration.idleHangupSeconds
        transportConfiguration.eventLoop = configuration.eventLoop
        let transport = WebSocketServer(configuration: transportConfiguration, logger: logger)
        let hub = Hub(configuration: configuration, database: database, transport: transport, version: Self.version,
                      logger: logger, clock: clock)
        writer = MessageWriter(database: database, maxBatch: configuration.writerBatch, logger: logger) {
            [transport, hub] outcomes in
            transport.execute { hub.committed(outcomes) }
        }
        hub.writer = writer
        transport.delegate = hub
        self.transport = transport
        self.hub = hub
    }

    /// Creates this fortnight's rooms, binds the port and starts serving.
    public func start() throws {
        Hub.materialize(ScheduleStore(hub.database), now: hub.clock(), window: configuration.window, logger: hub.logger)
        try transport.start()
    }

    /// The port being listened on.
    public var port: Int { transport.port }

    /// Closes every connection with 1001, stops the loop and commits what was queued.
    public func stop() {
        transport.stop()
        writer.stop()
    }

    /// Transactions and messages the writer committed (for the benchmark and logs).
    public var committed: (batches: Int, messages: Int) { writer.committed }
}
