import ArgumentParser
import Dispatch
import Foundation
import HearthTransport
import Logging

/// `hearth-echo`: a test-only WebSocket echo endpoint on HearthTransport, configured exactly like `hearthd serve`'s
/// transport, so the Autobahn|Testsuite cases (run by `kosoku`, docs/CONFORMANCE.md) test the server's WebSocket
/// layer. Not a product: nothing ships it.
@main
struct EchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth-echo",
        abstract: "Echo every text message back over HearthTransport (for the WebSocket conformance suite).")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one. The port is printed on stdout.") var port = 0
    @Option(help: "Event loop under libwebsockets (hearthd's default: libev).") var eventLoop = "libev"
    @Option(help: "Log level for the transport's and lws' own logs (on stderr).") var logLevel = "warning"
    @Flag(help: "Print the transport settings under hearthd's configuration keys as JSON, and exit.")
    var printConfig = false

    func validate() throws {
        if EventLoop(rawValue: eventLoop) == nil {
            let loops = EventLoop.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--event-loop must be one of: \(loops).")
        }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("Unknown --log-level \(logLevel).") }
    }

    func run() throws {
        let configuration = Self.transportConfiguration(host: host, port: port,
                                                        eventLoop: EventLoop(rawValue: eventLoop)!)
        if printConfig { return print(Self.settingsJSON(configuration)) }
        var logger = Logger(label: "hearth-echo") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let server = WebSocketServer(configuration: configuration, logger: logger)
        let echo = Echo(server: server)
        server.delegate = echo
        try server.start()
        // Unbuffered, so a test reading the pipe sees the port at once.
        let address = "ws://\(host):\(server.port)\(configuration.path)"
        FileHandle.standardOutput.write(Data("hearth-echo listening on \(address)\n".utf8))

        let done = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        server.stop()
        withExtendedLifetime((echo, sources)) {}
    }

    /// The transport settings `HearthServer` derives from `ServerConfiguration()`'s defaults (see HearthServer.init),
    /// with the differences docs/CONFORMANCE.md lists: no web root or HTTP paths, and no subprotocol required
    /// (Autobahn's client offers none). `Tests/Conformance/run_autobahn.py` checks these values against
    /// `hearthd print-default-config`.
    static func transportConfiguration(host: String, port: Int, eventLoop: EventLoop) -> WebSocketServerConfiguration {
        var configuration = WebSocketServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.webRoot = nil
        configuration.dynamicPaths = []
        configuration.requiresSubprotocol = false
        configuration.allowedOrigins = []                 // allowed_origins: [] (the server's own origins)
        configuration.maxMessageBytes = 64 * 1024         // max_frame_bytes
        configuration.maxQueuedFrames = 256               // send_queue_messages
        configuration.maxQueuedBytes = 96 * 1024          // send_queue_bytes
        configuration.pingSeconds = 30                    // ping_seconds
        configuration.hangupSeconds = 75                  // idle_hangup_seconds
        configuration.eventLoop = eventLoop               // event_loop
        configuration.addressCaps = AddressCaps(maxConnections: 200,      // max_connections_per_address
                                                maxUnauthenticated: 20,   // max_unauthenticated_per_address
                                                exemptLoopback: true)     // exempt_loopback
        return configuration
    }

    /// The settings hearthd also has, under its `print-default-config` keys (for the drift check).
    static func settingsJSON(_ configuration: WebSocketServerConfiguration) -> String {
        let settings: [String: Any] = [
            "allowed_origins": configuration.allowedOrigins,
            "max_frame_bytes": configuration.maxMessageBytes,
            "send_queue_messages": configuration.maxQueuedFrames,
            "send_queue_bytes": configuration.maxQueuedBytes,
            "ping_seconds": configuration.pingSeconds,
            "idle_hangup_seconds": configuration.hangupSeconds,
            "event_loop": configuration.eventLoop.rawValue,
            "max_connections_per_address": configuration.addressCaps.maxConnections,
            "max_unauthenticated_per_address": configuration.addressCaps.maxUnauthenticated,
            "exempt_loopback": configuration.addressCaps.exemptLoopback,
        ]
        let data = try! JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

/// Sends every text message back as it came; refuses binary ones with 1003 (HearthTransport delivers text only:
/// Hearth's protocol is UTF-8 JSON, and the transport neither hands binary payloads on nor sends binary frames).
final class Echo: WebSocketServerDelegate {
    let server: WebSocketServer
    init(server: WebSocketServer) { self.server = server }

    func connectionOpened(_ connection: ConnectionID) {}
    func received(text: [UInt8], on connection: ConnectionID) { server.send(text, to: connection) }
    func receivedBinary(on connection: ConnectionID) {
        server.close(connection, code: CloseCode(rawValue: 1003), reason: "binary messages are not accepted")
    }
    func connectionClosed(_ connection: ConnectionID) {}
    func loopTurnEnded() {}
    func tick() {}
    func httpResponse(path: String) -> HTTPResponse? { nil }
}
