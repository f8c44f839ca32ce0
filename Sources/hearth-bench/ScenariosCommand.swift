import ArgumentParser
import Foundation

/// `hearth-bench scenarios`: the connection figures of issue 13, measured with the C load generator `hearth-load`
/// against release `hearthd`s this command starts (send rate limit off; loopback exempt from the per-address caps;
/// the hello timeout at its default 10 s), and printed next to the issue's targets.
///
/// 1. A large clinic (500 rooms x 10): hello -> welcome one at a time; 5,000 members joining at once, with the
///    server's VmRSS before and after; then the reconnect storm: numbered messages, SIGKILL, restart on the same
///    database, every member reconnects at once and resumes with `after_seq`.
/// 2. A small clinic (50 rooms x 12): 600 members joining at once (and their memory); light load, 150 messages a
///    second for 20 s. When the 5,000 did not all join in time, the storm runs here instead, with 600, and says so.
struct ScenariosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Connect, hello latency, 5,000 joined, reconnect storm and light-load latency (issue 13).")

    @Option(help: "The hearthd binary to start (a release build).") var server: String
    @Option(help: "The hearth-load binary (default: the one next to hearth-bench).") var load: String?
    @Option(help: "Port for the servers it starts.") var port = 8181
    @Option(help: "hearth-load worker threads (one lws client context each).") var threads = 2
    @Option(help: "Seconds each phase may take before it is reported unfinished.") var phaseTimeout = 60.0
    @Option(help: "Only these, comma-separated: connect, hello, joined, storm, light.") var only: String?
    @Option(help: "Extra HEARTH_*=value settings for the servers (repeatable).") var serverEnv: [String] = []
    @Option(help: "Rooms of the small clinic (connect, light load).") var smallRooms = 50
    @Option(help: "Members per room of the small clinic.") var smallMembers = 12
    @Option(help: "Rooms of the large clinic (hello latency, joined, storm).") var largeRooms = 500
    @Option(help: "Members per room of the large clinic.") var largeMembers = 10
    @Option(help: "Hellos measured one at a time.") var helloSamples = 200
    @Option(help: "Light load: messages a second, all members together.") var lightRate = 150.0
    @Option(help: "Light load: seconds of sending.") var lightSeconds = 20.0
    @Option(help: "Storm: rooms with a sender of numbered messages.") var stormSenders = 20
    @Option(help: "Storm: numbered messages each sender posts (the kill comes once half are sent).") var stormMessages = 20

    static let allScenarios = ["connect", "hello", "joined", "storm", "light"]

    func validate() throws {
        if let only {
            let unknown = only.split(separator: ",").map(String.init).filter { !Self.allScenarios.contains($0) }
            if !unknown.isEmpty {
                throw ValidationError("Unknown scenario \(unknown.joined(separator: ", ")); pick from \(Self.allScenarios.joined(separator: ", ")).")
            }
        }
        if threads < 1 || helloSamples < 1 || phaseTimeout <= 0 || lightRate <= 0 || lightSeconds <= 0 {
            throw ValidationError("--threads, --hello-samples, --phase-timeout, --light-rate and --light-seconds must be positive.")
        }
        if !FileManager.default.isExecutableFile(atPath: server) { throw ValidationError("No hearthd at \(server).") }
    }

    func run() throws {
        let chosen = Set(only.map { $0.split(separator: ",").map(String.init) } ?? Self.allScenarios)
        let raised = FileLimit.raise()
        let loadBinary = load ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("hearth-load").path
        var report = ScenarioReport()
        print("hearth-bench scenarios: \(server), hearth-load with \(threads) threads, loopback, port \(port); "
              + "HEARTH_SEND_RATE_PER_SECOND=0, exempt_loopback=true, hello timeout default (10 s); "
              + "open files limit \(raised); each phase at most \(Int(phaseTimeout)) s")
        let runner = Runner(command: self, loadBinary: loadBinary)

        var stormRan = false
        if !chosen.isDisjoint(with: ["hello", "joined", "storm"]) {
            let large = try runner.startServer(rooms: largeRooms, members: largeMembers)
            defer { large.server.stop() }
            if chosen.contains("hello") { report.hello = try runner.helloLatency(large) }
            if chosen.contains("joined") || chosen.contains("storm") {
                let (joined, storm) = try runner.joinAndStorm(large, storm: chosen.contains("storm"))
                report.joined = joined
                if let storm {
                    report.storm = storm
                    stormRan = true
                }
            }
        }
        let fallbackStorm = chosen.contains("storm") && !stormRan
        if chosen.contains("connect") || chosen.contains("light") || fallbackStorm {
            let small = try runner.startServer(rooms: smallRooms, members: smallMembers)
            defer { small.server.stop() }
            if chosen.contains("connect") { report.connect = try runner.connect(small) }
            if chosen.contains("light") { report.light = try runner.light(small) }
            if fallbackStorm {
                print("The storm did not run at \(largeRooms * largeMembers) members (they did not all join within "
                      + "\(Int(phaseTimeout)) s); running it with the small clinic instead.")
                report.smallStorm = try runner.joinAndStorm(small, storm: true).storm
            }
        }
        print("")
        print(report.table(command: self))
    }
}

/// A started server and the members file hearth-load reads.
struct StartedServer {
    let server: ServerProcess
    let membersFile: String
    let members: Int
    let rooms: Int

    /// Starts `hearthd` on a fresh load-test clinic (send rate limit off, loopback exempt from the per-address caps,
    /// then `environment`) and writes hearth-load's "token room" file next to its database.
    static func start(binary: String, rooms: Int, members: Int, port: Int, environment: [String]) throws -> StartedServer {
        let started = Date()
        let server = try ServerProcess.start(binary: binary, rooms: rooms, members: members, port: port,
                                             environment: ["HEARTH_EXEMPT_LOOPBACK=true"] + environment, log: true)
        let manifest = try LoadManifest.read(server.manifestPath)
        // hearth-load's input: "token room" per line, private like the manifest (it holds every token).
        let lines = manifest.participants.compactMap { person in person.rooms.first.map { "\(person.token) \($0)\n" } }
        let path = server.folder.appendingPathComponent("members.txt").path
        guard FileManager.default.createFile(atPath: path, contents: Data(lines.joined().utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            server.stop()
            throw ValidationError("Cannot write \(path).")
        }
        print(String(format: "server: %d rooms x %d members seeded and listening in %.1f s (pid %d)", rooms, members,
                     Date().timeIntervalSince(started), server.pid))
        return StartedServer(server: server, membersFile: path, members: lines.count, rooms: rooms)
    }
}

/// Runs each scenario: starts servers, runs hearth-load in the right mode and answers its `wait=` lines.
struct Runner {
    let command: ScenariosCommand
    let loadBinary: String

    func startServer(rooms: Int, members: Int) throws -> StartedServer {
        try StartedServer.start(binary: command.server, rooms: rooms, members: members, port: command.port,
                                environment: command.serverEnv)
    }

    private func arguments(_ target: StartedServer, _ extra: [String]) -> [String] {
        ["--members", target.membersFile, "--port", "\(command.port)", "--threads", "\(command.threads)",
         "--timeout", "\(command.phaseTimeout)"] + extra
    }

    /// Runs one mode to its end, answering each `wait=NAME` with `answer(NAME)` (which may do the waiting work:
    /// read memory, kill and restart the server). Returns the result lines by mode.
    private func runLoad(_ mode: String, _ target: StartedServer, _ extra: [String], phases: Int,
                         answer: (String) throws -> Void = { _ in }) throws -> [String: LoadFigures] {
        let started = Date()
        let serverCPU = target.server.cpuSeconds
        let process = try LoadProcess(binary: loadBinary, mode: mode, arguments: arguments(target, extra),
                                      timeout: command.phaseTimeout * Double(phases) + 120)
        var results: [String: LoadFigures] = [:]
        do {
            while let line = process.nextLine() {
                if line.hasPrefix("wait=") {
                    try answer(String(line.dropFirst(5)))
                    process.reply()
                } else if let figures = LoadFigures(line: line) {
                    print("  " + line)
                    results[figures.mode] = figures
                }
            }
        } catch {
            process.finish()
            throw error
        }
        let status = process.finish()
        if status != 0 { print("  (hearth-load \(mode) exited with status \(status))") }
        // Who was busy: if hearth-load used far less CPU than hearthd, the figures are the server's.
        let loadCPU = results.values.compactMap { $0.double("load_cpu_s") }.max() ?? 0
        print(String(format: "  cpu: hearthd %.2f s, hearth-load %.2f s, in %.1f s", target.server.cpuSeconds - serverCPU,
                     loadCPU, Date().timeIntervalSince(started)))
        return results
    }

    func helloLatency(_ target: StartedServer) throws -> LoadFigures? {
        print("hello latency: \(command.helloSamples) participants, one at a time, \(target.rooms) rooms open")
        return try runLoad("hello-latency", target, ["--samples", "\(command.helloSamples)"], phases: 1)["hello-latency"]
    }

    /// Everyone joins at once (memory read before and after); with `storm`, the reconnect storm follows.
    func joinAndStorm(_ target: StartedServer, storm: Bool) throws -> (joined: JoinedResult?, storm: StormResult?) {
        let pid = target.server.pid
        let before = ProcessStats.rssKiB(pid: pid)
        var after: Int?
        var restartSeconds: Double?
        print("\(storm ? "joined + storm" : "joined"): \(target.members) members of \(target.rooms) rooms at once"
              + (storm ? "; then \(command.stormSenders) senders, SIGKILL, restart, everyone back with after_seq" : ""))
        let mode = storm ? "storm" : "idle"
        let extra = storm ? ["--hold", "--senders", "\(command.stormSenders)", "--messages", "\(command.stormMessages)"] : []
        let results = try runLoad(mode, target, extra, phases: storm ? 3 : 1) { wait in
            switch wait {
            case "rss", "hold":
                after = ProcessStats.rssKiB(pid: pid)
            case "kill":
                restartSeconds = try target.server.killAndRestart(timeout: command.phaseTimeout)
                print(String(format: "  server killed (SIGKILL) and listening again on the same database after %.2f s",
                             restartSeconds ?? 0))
            default:
                break
            }
        }
        let joined = results[storm ? "storm-join" : "idle"].map {
            JoinedResult(figures: $0, members: target.members, rooms: target.rooms, rssBeforeKiB: before, rssAfterKiB: after)
        }
        let stormResult = results["storm"].map {
            StormResult(figures: $0, members: target.members, rooms: target.rooms, restartSeconds: restartSeconds)
        }
        if joined?.figures.complete != true || (storm && stormResult == nil) {
            let tail = target.server.logTail(lines: 5)
            if !tail.isEmpty { print("  server log (last lines):\n" + tail) }
        }
        return (joined, stormResult)
    }

    func connect(_ target: StartedServer) throws -> JoinedResult? {
        try joinAndStorm(target, storm: false).joined
    }

    func light(_ target: StartedServer) throws -> LoadFigures? {
        print("light load: \(target.members) members, \(command.lightRate) messages/s in all for \(command.lightSeconds) s")
        let extra = ["--rate", "\(command.lightRate)", "--seconds", "\(command.lightSeconds)"]
        return try runLoad("paced", target, extra, phases: 2)["paced"]
    }
}

/// Everyone joined at once: how long, and the server's memory.
struct JoinedResult {
    let figures: LoadFigures
    let members: Int
    let rooms: Int
    let rssBeforeKiB: Int?
    let rssAfterKiB: Int?

    /// Server memory per joined connection above the server before they connected, in KiB.
    var perConnectionKiB: Double? {
        guard let before = rssBeforeKiB, let after = rssAfterKiB, let joined = figures.int("joined"), joined > 0 else {
            return nil
        }
        return Double(after - before) / Double(joined)
    }
}

/// The reconnect storm's result line, and the restart time around it.
struct StormResult {
    let figures: LoadFigures
    let members: Int
    let rooms: Int
    let restartSeconds: Double?
}

/// The figures gathered, printed as one Markdown table next to the issue's targets.
struct ScenarioReport {
    var connect: JoinedResult?
    var hello: LoadFigures?
    var joined: JoinedResult?
    var storm: StormResult?
    var smallStorm: StormResult?
    var light: LoadFigures?

    private struct Row {
        var figure: String
        var measured: String
        var target: String
        var met: Bool?
    }

    func table(command: ScenariosCommand) -> String {
        var rows: [Row] = []
        func ms(_ figures: LoadFigures, _ key: String) -> String {
            figures.double(key).map { String(format: $0 < 10 ? "%.2f ms" : "%.0f ms", $0) } ?? "n/a"
        }
        func counts(_ figures: LoadFigures) -> String {
            "\(figures.int("closes_4001") ?? 0) x 4001 (\(figures.int("hello_timeouts") ?? 0) hello timeouts), "
                + "\(figures.int("reconnects") ?? 0) reconnects"
        }
        func joinedRow(_ name: String, _ result: JoinedResult, target: Double) -> Row {
            let f = result.figures
            let seconds = f.double("seconds") ?? 0
            let joined = f.int("joined") ?? 0
            let detail = "hello->welcome p50 \(ms(f, "hello_p50_ms")), p99 \(ms(f, "hello_p99_ms")); \(counts(f))"
            if f.complete {
                return Row(figure: name, measured: String(format: "%.2f s (", seconds) + detail + ")",
                           target: String(format: "< %g s", target), met: seconds < target)
            }
            return Row(figure: name, measured: "unfinished: \(joined) of \(result.members) joined in "
                       + String(format: "%.0f s", seconds) + " (" + detail + ")",
                       target: String(format: "< %g s", target), met: false)
        }
        func memoryRow(_ result: JoinedResult, target: Double?) -> Row? {
            guard let before = result.rssBeforeKiB, let after = result.rssAfterKiB else { return nil }
            let joined = result.figures.int("joined") ?? 0
            let rss = String(format: "VmRSS %.1f -> %.1f MiB, %d of %d joined", Double(before) / 1024,
                             Double(after) / 1024, joined, result.members)
            let complete = result.figures.complete
            let measured = result.perConnectionKiB.map { String(format: "%.1f KiB (", $0) + rss + ")" }
                ?? "n/a (\(rss))"
            return Row(figure: "server memory per connection, \(result.members) members",
                       measured: measured,
                       target: target.map { String(format: "<= %g KiB", $0) } ?? "(for comparison)",
                       met: target.map { complete && (result.perConnectionKiB ?? .infinity) <= $0 })
        }
        func stormRows(_ storm: StormResult, label: String) -> [Row] {
            let f = storm.figures
            let seconds = f.double("seconds") ?? 0
            let restart = storm.restartSeconds.map { String(format: "; restart %.2f s before it", $0) } ?? ""
            let back = f.complete
                ? String(format: "%.2f s", seconds) : "unfinished: \(f.int("back") ?? 0) of \(storm.members) back in "
                    + String(format: "%.0f s", seconds)
            let lost = f.int("lost") ?? -1, repeated = f.int("repeated") ?? -1
            let closes = f.int("closes_4001") ?? -1
            let acked = f.int("acked") ?? 0, unacked = f.int("unacked") ?? 0
            let inFlight = (f.int("sent_before_kill") ?? 0) - (f.int("acked_before_kill") ?? 0)
            return [
                Row(figure: "reconnect storm\(label): all back after the restart",
                    measured: back + " (hello->welcome p50 \(ms(f, "hello_p50_ms")), p99 \(ms(f, "hello_p99_ms"))\(restart))",
                    target: "< 15 s", met: f.complete && seconds < 15),
                Row(figure: "storm\(label): 4001 closes", measured: "\(closes) (\(f.int("hello_timeouts") ?? 0) hello timeouts)",
                    target: "0", met: closes == 0),
                Row(figure: "storm\(label): messages lost / repeated",
                    measured: "\(lost) / \(repeated), over \(acked) acknowledged messages x their \(f.int("watchers") ?? 0) members"
                        + " (\(inFlight) in flight at the kill\(unacked > 0 ? ", \(unacked) never acknowledged" : "")"
                        + (f.int("verified") == 1 ? ")" : "; unfinished)"),
                    target: "0 / 0", met: lost == 0 && repeated == 0 && f.int("verified") == 1),
            ]
        }

        if let connect {
            rows.append(joinedRow("connect: \(connect.members) members of \(connect.rooms) rooms say hello and join",
                                  connect, target: 0.5))
        }
        if let hello {
            let samples = hello.int("hello_samples") ?? 0
            let median = hello.double("hello_p50_ms") ?? .infinity
            rows.append(Row(figure: "hello -> welcome, one at a time, \(command.largeRooms) rooms open",
                            measured: "median \(ms(hello, "hello_p50_ms")), p99 \(ms(hello, "hello_p99_ms")) (\(samples) samples)"
                                + (hello.complete ? "" : "; unfinished"),
                            target: "median < 10 ms", met: hello.complete && median < 10))
        }
        if let joined {
            rows.append(joinedRow("\(joined.members) members of \(joined.rooms) rooms all joined", joined, target: 10))
            if let row = memoryRow(joined, target: 8) { rows.append(row) }
        }
        if let connect, let row = memoryRow(connect, target: nil) { rows.append(row) }
        if let storm { rows += stormRows(storm, label: "") }
        if let smallStorm {
            rows.append(Row(figure: "reconnect storm, \(command.largeRooms * command.largeMembers) members",
                            measured: "not run: they did not all join first", target: "< 15 s", met: false))
            rows += stormRows(smallStorm, label: " with \(smallStorm.members) members instead")
        }
        if let light {
            let deliveries = light.int("deliveries") ?? 0, expected = light.int("expected") ?? 0
            let p999 = light.double("latency_p999_ms") ?? .infinity
            rows.append(Row(figure: "light load: \(light.int("members") ?? 0) members, \(command.lightRate) messages/s for \(command.lightSeconds) s",
                            measured: "p50 \(ms(light, "latency_p50_ms")), p99 \(ms(light, "latency_p99_ms")), "
                                + "p99.9 \(ms(light, "latency_p999_ms")), max \(ms(light, "latency_max_ms")) "
                                + "(\(deliveries) of \(expected) deliveries)",
                            target: "p99.9 < 10 ms", met: light.complete && p999 < 10))
        }
        var lines = ["| figure | measured | target | met |", "| --- | --- | --- | --- |"]
        for row in rows {
            let met = row.met.map { $0 ? "yes" : "no" } ?? ""
            lines.append("| \(row.figure) | \(row.measured) | \(row.target) | \(met) |")
        }
        return lines.joined(separator: "\n")
    }
}

/// The process' open-files limit, raised to its hard limit for thousands of sockets (children inherit it).
enum FileLimit {
    static func raise() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return UInt64(limit.rlim_cur)
    }
}
