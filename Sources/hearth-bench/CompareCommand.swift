import ArgumentParser
import Foundation

/// `hearth-bench compare` (issue 14): release `hearthd` against `hearth-reference`, the bare libwebsockets server in
/// C with the same durability (Sources/hearth-reference), on the same load generator and the same clinic, each on a
/// fresh database for every run:
///
/// - saturating: 50 rooms x 12 members, every member sends 200 messages as fast as a window of 2 unacknowledged
///   sends allows (`hearth-load throughput`); `--runs` (3) interleaved runs, Hearth then the reference, medians;
/// - paced: the same 600 members, 150 messages a second in all for 20 s (`hearth-load paced`).
///
/// Server CPU is utime + stime from /proc/PID/stat between hearth-load's `wait=send` and `wait=sent` (the sending
/// phase and its last deliveries; the connect phase is left out); VmRSS is read at `wait=sent`, all still joined.
/// hearthd runs as in `scenarios`: HEARTH_SEND_RATE_PER_SECOND=0 and loopback exempt from the per-address caps.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Hearth next to the bare-libwebsockets reference server: saturating and paced workloads (issue 14).")

    @Option(help: "The hearthd binary to start (a release build).") var server: String
    @Option(help: "The hearth-reference binary (default: the one next to hearth-bench).") var reference: String?
    @Option(help: "The hearth-load binary (default: the one next to hearth-bench).") var load: String?
    @Option(help: "Port for the servers it starts (one at a time).") var port = 8181
    @Option(help: "hearth-load worker threads (one lws client context each).") var threads = 2
    @Option(help: "Seconds each phase may take before it is reported unfinished.") var phaseTimeout = 120.0
    @Option(help: "Rooms of the clinic.") var rooms = 50
    @Option(help: "Members per room.") var members = 12
    @Option(help: "Saturating: messages each member sends.") var messages = 200
    @Option(help: "Saturating: unacknowledged sends each member may have.") var window = 2
    @Option(help: "Message body size in bytes.") var bodyBytes = 100
    @Option(help: "Saturating: interleaved runs on each server (the table gives medians).") var runs = 3
    @Option(help: "Paced: messages a second, all members together.") var pacedRate = 150.0
    @Option(help: "Paced: seconds of sending.") var pacedSeconds = 20.0
    @Option(help: "Only these, comma-separated: saturating, paced.") var only: String?
    @Option(help: "Event loop of hearth-reference: libev (hearthd's default), libuv or poll.") var referenceEventLoop = "libev"
    @Option(help: "Extra HEARTH_*=value settings for hearthd (repeatable).") var serverEnv: [String] = []

    func validate() throws {
        if let only, !Set(only.split(separator: ",").map(String.init)).isSubset(of: ["saturating", "paced"]) {
            throw ValidationError("--only takes saturating, paced or both.")
        }
        if runs < 1 || messages < 1 || window < 1 || threads < 1 || phaseTimeout <= 0 || pacedRate <= 0 || pacedSeconds <= 0 {
            throw ValidationError("--runs, --messages, --window, --threads, --phase-timeout, --paced-rate and --paced-seconds must be positive.")
        }
        if !FileManager.default.isExecutableFile(atPath: server) { throw ValidationError("No hearthd at \(server).") }
    }

    func run() throws {
        let chosen = Set(only.map { $0.split(separator: ",").map(String.init) } ?? ["saturating", "paced"])
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let comparison = Comparison(command: self,
                                    referenceBinary: reference ?? here.appendingPathComponent("hearth-reference").path,
                                    loadBinary: load ?? here.appendingPathComponent("hearth-load").path)
        print("hearth-bench compare: \(server) (HEARTH_SEND_RATE_PER_SECOND=0, exempt_loopback=true) and "
              + "\(comparison.referenceBinary) (event loop \(referenceEventLoop)), each on a fresh database per run; "
              + "hearth-load with \(threads) threads; \(rooms) rooms x \(members) members; loopback, port \(port); "
              + "open files limit \(FileLimit.raise())")
        defer { comparison.cleanUp() }
        var report = CompareReport(command: self)
        if chosen.contains("saturating") {
            let extra = ["--messages", "\(messages)", "--window", "\(window)", "--body-bytes", "\(bodyBytes)"]
            for run in 1...runs {
                print("saturating, run \(run) of \(runs): every member sends \(messages) messages, window \(window)")
                report.saturating.hearth.append(try comparison.onHearth("throughput", extra))
                report.saturating.reference.append(try comparison.onReference("throughput", extra))
            }
        }
        if chosen.contains("paced") {
            let extra = ["--rate", "\(pacedRate)", "--seconds", "\(pacedSeconds)", "--body-bytes", "\(bodyBytes)"]
            print("paced: \(pacedRate) messages/s in all for \(pacedSeconds) s")
            report.paced.hearth.append(try comparison.onHearth("paced", extra))
            report.paced.reference.append(try comparison.onReference("paced", extra))
        }
        print("")
        print(report.table())
    }
}

/// Starts each server fresh, runs hearth-load on it, reads the server's CPU and memory at hearth-load's waits.
final class Comparison {
    let command: CompareCommand
    let referenceBinary: String
    let loadBinary: String
    /// The members file the reference serves: a copy of the first hearthd's (same tokens and room ids).
    private var referenceMembers: String?
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-compare-\(UUID().uuidString)")

    init(command: CompareCommand, referenceBinary: String, loadBinary: String) {
        self.command = command
        self.referenceBinary = referenceBinary
        self.loadBinary = loadBinary
    }

    func cleanUp() { try? FileManager.default.removeItem(at: folder) }

    func onHearth(_ mode: String, _ extra: [String]) throws -> Measurement? {
        let started = try StartedServer.start(binary: command.server, rooms: command.rooms, members: command.members,
                                              port: command.port, environment: command.serverEnv)
        defer { started.server.stop() }
        if referenceMembers == nil {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let copy = folder.appendingPathComponent("members.txt").path
            guard let data = FileManager.default.contents(atPath: started.membersFile),
                  FileManager.default.createFile(atPath: copy, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw ValidationError("Cannot copy the members file to \(copy).") }
            referenceMembers = copy
        }
        let result = try measure(started.server, name: "hearthd", membersFile: started.membersFile, mode: mode, extra)
        if result == nil || result?.figures.complete != true {
            let tail = started.server.logTail(lines: 5)
            if !tail.isEmpty { print("  server log (last lines):\n" + tail) }
        }
        return result
    }

    func onReference(_ mode: String, _ extra: [String]) throws -> Measurement? {
        guard let members = referenceMembers else { throw ValidationError("hearthd must run first (it makes the clinic).") }
        let server = try ReferenceProcess(binary: referenceBinary, membersFile: members, port: command.port,
                                          eventLoop: command.referenceEventLoop)
        defer { server.stop() }
        print(String(format: "server: hearth-reference listening (pid %d)", server.pid))
        return try measure(server, name: "hearth-reference", membersFile: members, mode: mode, extra)
    }

    /// Runs `hearth-load MODE --hold …` to its end: CPU read at `wait=send` and `wait=sent`, VmRSS at `wait=sent`.
    private func measure(_ server: MeasuredServer, name: String, membersFile: String, mode: String,
                         _ extra: [String]) throws -> Measurement? {
        let arguments = ["--members", membersFile, "--port", "\(command.port)", "--threads", "\(command.threads)",
                         "--timeout", "\(command.phaseTimeout)", "--hold"] + extra
        let started = Date()
        let process = try LoadProcess(binary: loadBinary, mode: mode, arguments: arguments,
                                      timeout: command.phaseTimeout * 2 + command.pacedSeconds + 60)
        var cpuAtSend: Double?, cpuAtSent: Double?, rss: Int?
        var figures: LoadFigures?
        while let line = process.nextLine() {
            switch line {
            case "wait=send":
                cpuAtSend = server.cpuSeconds
                process.reply()
            case "wait=sent":
                cpuAtSent = server.cpuSeconds
                rss = ProcessStats.rssKiB(pid: server.pid)
                process.reply()
            default:
                guard let result = LoadFigures(line: line) else { continue }
                print("  " + line)
                if result.mode == mode { figures = result }
            }
        }
        let status = process.finish()
        if status != 0 { print("  (hearth-load \(mode) exited with status \(status))") }
        guard let figures, let cpuAtSend, let cpuAtSent else {
            print("  \(name): no result (the connect phase did not finish?)")
            return nil
        }
        let measurement = Measurement(figures: figures, serverCPUSeconds: cpuAtSent - cpuAtSend, rssKiB: rss)
        let memory = rss.map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "n/a"
        print("  \(name): " + String(format: "%.0f deliveries/s, %.2f us server CPU per delivery (%.2f s in the phase)",
                                     measurement.deliveriesPerSecond ?? 0, measurement.cpuPerDeliveryMicros ?? 0,
                                     measurement.serverCPUSeconds)
              + ", VmRSS \(memory); " + String(format: "hearth-load %.2f s CPU; %.1f s in all",
                                                figures.double("load_cpu_s") ?? 0, Date().timeIntervalSince(started)))
        return measurement
    }
}
