import ArgumentParser
import Foundation
import HearthCore
import HearthTransport
import Logging

/// `hearth-bench`: Hearth's release-build benchmarks. A benchmark, not a test: it prints figures and asserts none.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth-bench",
        abstract: "Measure Hearth over real WebSockets (release builds only, please).",
        subcommands: [ThroughputCommand.self, ScenariosCommand.self, CompareCommand.self],
        defaultSubcommand: ThroughputCommand.self)
}

/// `hearth-bench [throughput]`: connects every member of a load-test clinic over real WebSockets (one Swift client
/// thread), has each send N messages, and prints delivery rate, latency percentiles and the server's peak memory.
struct ThroughputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Fan-out: rooms x members, each sending N messages, on one Swift client thread.")

    @Option(help: "Start this hearthd binary with --demo-rooms/--demo-members on a temporary database.")
    var server: String?
    @Option(help: "Or: use the manifest a running `hearthd serve --demo-rooms R --demo-manifest PATH` wrote.")
    var manifest: String?
    @Option(help: "Rooms (when starting a server).") var rooms = 50
    @Option(help: "Members per room (when starting a server).") var members = 12
    @Option(help: "Messages each member sends.") var messages = 20
    @Option(help: "Unacknowledged sends each member may have in flight.") var window = 4
    @Option(help: "Message body size in bytes.") var bodyBytes = 100
    @Option(help: "Port for the server it starts.") var port = 8181
    @Option(help: "Extra HEARTH_*=value settings for the server it starts (repeatable).") var serverEnv: [String] = []
    @Option(help: "Give up after this many seconds.") var timeout = 120

    func validate() throws {
        if (server == nil) == (manifest == nil) { throw ValidationError("Give either --server or --manifest.") }
        if messages < 1 || window < 1 || bodyBytes < 1 { throw ValidationError("--messages, --window and --body-bytes must be at least 1.") }
    }

    func run() throws {
        var started: ServerProcess?
        let manifestPath: String
        if let server {
            let process = try ServerProcess.start(binary: server, rooms: rooms, members: members, port: port,
                                                  environment: serverEnv)
            started = process
            manifestPath = process.manifestPath
        } else {
            manifestPath = manifest!
        }
        defer { started?.stop() }
        let clinic = try LoadManifest.read(manifestPath)
        let members = clinic.participants
        print("hearth-bench: \(clinic.rooms.count) rooms, \(members.count) members, \(messages) messages each, "
              + "window \(window), \(bodyBytes)-byte bodies, target \(clinic.ws)")

        let run = BenchRun(members: members, messagesPerMember: messages, window: window, bodyBytes: bodyBytes)
        let cpuBefore = started.map { ProcessStats.cpuSeconds(pid: $0.pid) } ?? 0
        try run.execute(endpoint: clinic.ws, timeout: Double(timeout))
        let cpuAfter = started.map { ProcessStats.cpuSeconds(pid: $0.pid) } ?? 0
        run.report(serverCPUSeconds: started == nil ? nil : cpuAfter - cpuBefore,
                   serverPeakRSS: started.map { ProcessStats.peakRSSKiB(pid: $0.pid) } ?? nil)
    }
}

/// The parts of `--demo-manifest` the benchmark needs.
struct LoadManifest: Decodable {
    struct Participant: Decodable {
        var token: String
        var rooms: [String]
    }

    struct Room: Decodable { var id: String }

    var ws: String
    var participants: [Participant]
    var rooms: [Room]

    static func read(_ path: String) throws -> LoadManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("Cannot read the manifest \(path).")
        }
        return try JSONDecoder().decode(LoadManifest.self, from: data)
    }
}
