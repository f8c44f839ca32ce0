import ArgumentParser
import Dispatch
import Foundation
import HearthAdmin
import HearthServer
import HearthStore
import Logging

/// `hearthd serve`: runs the server until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the WebSocket at /ws, the browser client at / and /healthz on one port.")

    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on (0 picks a free one).") var port: Int?
    @Option(name: .customLong("db"), help: "SQLite database file (default ./data/hearth.db).") var database: String?
    @Option(help: "Folder of the browser client served at / (default ./Web).") var web: String?
    @Option(help: "JSON configuration file (see print-default-config).") var config: String?
    @Option(help: "Log level.") var logLevel: LogLevel = .info
    @Flag(help: "Seed the demo clinic (idempotent) and print its tokens and links.") var demo = false
    @Option(help: "Instead of the demo clinic, seed this many load-test rooms open now.") var demoRooms: Int?
    @Option(help: "Participants per load-test room.") var demoMembers = 12
    @Option(help: "Write the demo's tokens, links and rooms to this JSON file.") var demoManifest: String?
    @Flag(help: "Check the configuration and database, then exit.") var check = false
    @Option(help: "Serve https:// and wss:// with this certificate chain (PEM); needs --tls-key.") var tlsCert: String?
    @Option(help: "The certificate's private key (PEM, readable only by hearthd's user).") var tlsKey: String?
    @Flag(help: "A TLS-terminating reverse proxy is in front: allow plain HTTP on a public address, take client addresses from X-Forwarded-For (needs https --allowed-origin).")
    var behindProxy = false
    @Option(help: "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics (PORT, or a loopback HOST:PORT); off by default.")
    var metricsAddress: String?
    @Option(name: .customLong("allowed-origin"), help: "A browser origin allowed to connect, e.g. https://chat.clinic.example (repeatable; replaces allowed_origins).")
    var allowedOrigins: [String] = []

    func validate() throws {
        if demoRooms != nil && demo { throw ValidationError("Use either --demo or --demo-rooms, not both.") }
        if demoManifest != nil && !demo && demoRooms == nil {
            throw ValidationError("--demo-manifest needs --demo or --demo-rooms.")
        }
    }

    func run() async throws {
        Logs.bootstrap(logLevel)
        let logger = Logger(label: "hearthd")
        var configuration = try ServerConfiguration.resolve(file: config, environment: ProcessInfo.processInfo.environment,
                                                            validating: false)
        if let tlsCert { configuration.tlsCert = tlsCert }
        if let tlsKey { configuration.tlsKey = tlsKey }
        if behindProxy { configuration.behindProxy = true }
        if let metricsAddress { configuration.metricsAddress = metricsAddress }
        if !allowedOrigins.isEmpty { configuration.allowedOrigins = allowedOrigins }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let database { configuration.database = database }
        if let web { configuration.web = web.isEmpty ? nil : web }
        try configuration.validate()
        if let webRoot = configuration.web, !FileManager.default.fileExists(atPath: webRoot + "/index.html") {
            logger.warning("no index.html in the web folder; / will answer 404", metadata: ["hearth.web": "\(webRoot)"])
        }

        let lexicon = try configuration.loadCrisisLexicon()
        let store = try HearthDatabase(path: configuration.database, synchronous: configuration.synchronous, logger: logger)
        if check {
            print("configuration ok; database \(configuration.database) ok (synchronous=\(store.synchronous.rawValue)); crisis lexicon: \(lexicon.entryCount) phrases")
            return
        }
        let server = HearthServer(configuration: configuration, database: store, logger: logger, lexicon: lexicon)
        if (demo || demoRooms != nil) && configuration.port == 0 {
            throw ValidationError("--demo needs a fixed --port: its links name it.")
        }
        // Bind first: if the port is taken, nothing is seeded and no token is re-issued.
        try server.start()
        let baseURL = "\(configuration.httpScheme)://\(configuration.host):\(server.port)"
        var manifest: DemoManifest?
        if demo {
            manifest = try DemoClinic(store).seed(baseURL: baseURL, window: configuration.window)
        } else if let demoRooms {
            manifest = try LoadTestClinic(store).seed(rooms: demoRooms, membersPerRoom: demoMembers, baseURL: baseURL,
                                                      window: configuration.window)
        }
        logger.info("serving", metadata: [
            "hearth.url": "\(baseURL)", "hearth.version": "\(HearthServer.version)",
            "hearth.db.synchronous": "\(store.synchronous.rawValue)",
        ])
        if let manifest {
            if let path = demoManifest {
                try manifest.write(to: path)
            }
            if demo { DemoPrinter.print(manifest) } else {
                Console.say("Load-test clinic: \(manifest.rooms.count) rooms, \(manifest.participants.count) participants at \(baseURL)")
            }
        } else {
            Console.say("Hearth is serving \(baseURL) (WebSocket \(baseURL.replacingOccurrences(of: "http", with: "ws"))/ws). Ctrl-C stops it.")
        }
        await SignalWaiter.waitForTermination()
        logger.info("stopping")
        server.stop()
        logger.info("stopped")
    }
}

/// Suspends until SIGINT or SIGTERM arrives.
enum SignalWaiter {
    static func waitForTermination() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = Once(continuation)
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { @Sendable in once.fire() }
                source.resume()
                Retainer.keep(source)
            }
        }
    }

    final class Once: @unchecked Sendable {
        private var continuation: CheckedContinuation<Void, Never>?
        private let lock = NSLock()
        init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
        func fire() {
            lock.lock()
            let pending = continuation
            continuation = nil
            lock.unlock()
            pending?.resume()
        }
    }

    /// Keeps signal sources alive for the life of the process.
    enum Retainer {
        nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
        private static let lock = NSLock()
        static func keep(_ source: any DispatchSourceSignal) {
            lock.lock(); defer { lock.unlock() }
            sources.append(source)
        }
    }
}

/// Writes a line to stdout at once (a long-running server's stdout may be a pipe).
enum Console {
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
}

/// Prints the demo's links for a person at a terminal.
enum DemoPrinter {
    static func print(_ manifest: DemoManifest) {
        var lines = ["", "Hearth demo clinic (Foothill Recovery Center, America/Los_Angeles) at \(manifest.url)", ""]
        lines.append("Rooms today and next:")
        for room in manifest.rooms {
            var notes: [String] = []
            if room.admission == .waiting { notes.append("waiting room") }
            if room.requiresStaff { notes.append("needs a counselor present") }
            if room.agreement { notes.append("agreement") }
            let policies = notes.isEmpty ? "" : "  (" + notes.joined(separator: ", ") + ")"
            lines.append("  \(room.open ? "OPEN  " : "      ") \(room.starts)  \(room.title) [\(room.kind.rawValue)]  id \(room.id)\(policies)")
        }
        lines.append("")
        lines.append("Staff tokens (for the counselor terminal client; shown once, re-issued at every --demo start):")
        for person in manifest.counselors { lines.append("  \(person.name) (\(person.role.rawValue)): \(person.token)") }
        if let dana = manifest.counselors.first(where: { $0.role == .counselor }) {
            lines.append("")
            lines.append("Counselor's screen (\(dana.name)), in another terminal:")
            lines.append("  HEARTH_URL=\(manifest.ws) HEARTH_TOKEN=\(dana.token) .build/release/hearth")
        }
        lines.append("")
        lines.append("Participant invite links:")
        for person in manifest.participants { lines.append("  \(person.name): \(person.link)") }
        lines.append("")
        lines.append("Family invite links (family sessions only):")
        for person in manifest.families { lines.append("  \(person.name): \(person.link)") }
        lines.append("")
        lines.append("Attendance so far this week:  hearthd report attendance --db <database>")
        lines.append("")
        lines.append("Ctrl-C stops the server.")
        // Unbuffered, so the links show even when stdout is a pipe or a file.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
