import ArgumentParser
import Foundation

/// A `hearthd` the benchmark started on a temporary database, stopped with SIGTERM at the end. The reconnect
/// storm kills it with SIGKILL and starts it again on the same database and port (`killAndRestart`).
final class ServerProcess {
    private(set) var process: Process
    let folder: URL
    let binary: String
    let port: Int
    let environment: [String: String]
    let logPath: String?
    var manifestPath: String { folder.appendingPathComponent("manifest.json").path }
    var databasePath: String { folder.appendingPathComponent("bench.db").path }
    var pid: Int32 { process.processIdentifier }
    /// CPU seconds of the processes killed by `killAndRestart`.
    private var retiredCPUSeconds = 0.0
    /// CPU seconds the server has used since it started, the killed processes' included.
    var cpuSeconds: Double { retiredCPUSeconds + ProcessStats.cpuSeconds(pid: pid) }

    private init(process: Process, folder: URL, binary: String, port: Int, environment: [String: String],
                 logPath: String?) {
        self.process = process
        self.folder = folder
        self.binary = binary
        self.port = port
        self.environment = environment
        self.logPath = logPath
    }

    /// Starts `hearthd serve --demo-rooms R --demo-members M` and waits for its manifest. `log`: the server's
    /// stderr goes to `server.log` in its folder (see `logTail`) instead of this process' stderr.
    static func start(binary: String, rooms: Int, members: Int, port: Int, environment: [String],
                      log: Bool = false) throws -> ServerProcess {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        env["HEARTH_SEND_RATE_PER_SECOND"] = "0"
        for setting in environment {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--server-env takes NAME=value, not \(setting).") }
            env[parts[0]] = parts[1]
        }
        let logPath = log ? folder.appendingPathComponent("server.log").path : nil
        let arguments = ["--demo-rooms", "\(rooms)", "--demo-members", "\(members)",
                         "--demo-manifest", folder.appendingPathComponent("manifest.json").path]
        let process = try launch(binary: binary, port: port, database: folder.appendingPathComponent("bench.db").path,
                                 extra: arguments, environment: env, logPath: logPath)
        let server = ServerProcess(process: process, folder: folder, binary: binary, port: port, environment: env,
                                   logPath: logPath)
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: server.manifestPath) {
            guard process.isRunning, Date() < deadline else {
                let tail = server.logTail()
                server.stop()
                throw ValidationError("hearthd did not start (is port \(port) free?)\(tail.isEmpty ? "" : ":\n" + tail)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.2)
        return server
    }

    private static func launch(binary: String, port: Int, database: String, extra: [String],
                               environment: [String: String], logPath: String?) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "\(port)", "--db", database, "--web", "", "--log-level", "warning"] + extra
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        if let logPath {
            if !FileManager.default.fileExists(atPath: logPath) {
                _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            }
            guard let handle = FileHandle(forWritingAtPath: logPath) else {
                throw ValidationError("Cannot write the server log \(logPath).")
            }
            handle.seekToEndOfFile()
            process.standardError = handle
        }
        try process.run()
        return process
    }

    /// SIGKILL (no shutdown: no close frames, nothing flushed but what SQLite committed), then the same command on
    /// the same database and port, without seeding. Returns the seconds from the kill until the port accepts.
    func killAndRestart(timeout: Double = 60) throws -> Double {
        let killed = Date()
        if process.isRunning {
            retiredCPUSeconds += ProcessStats.cpuSeconds(pid: pid)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process = try Self.launch(binary: binary, port: port, database: databasePath, extra: [],
                                  environment: environment, logPath: logPath)
        let deadline = killed.addingTimeInterval(timeout)
        while !Self.accepts(port: port) {
            guard process.isRunning, Date() < deadline else {
                throw ValidationError("hearthd did not come back on port \(port) after the kill.\n\(logTail())")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return Date().timeIntervalSince(killed)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// The last lines the server logged (with `log: true`).
    func logTail(lines: Int = 10) -> String {
        guard let logPath, let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// SIGTERM, and SIGKILL if it has not exited 10 s later (a service thread stuck in a long loop turn does not
    /// get to its shutdown); then the temporary folder goes.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                FileHandle.standardError.write(Data("hearth-bench: hearthd did not stop within 10 s of SIGTERM; SIGKILL\n".utf8))
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Reads a process' CPU time and memory from /proc.
enum ProcessStats {
    /// Resident memory now (VmRSS), in KiB.
    static func rssKiB(pid: Int32) -> Int? { statusKiB(pid: pid, field: "VmRSS:") }

    static func statusKiB(pid: Int32, field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// Peak resident memory (VmHWM), in KiB.
    static func peakRSSKiB(pid: Int32) -> Int? { statusKiB(pid: pid, field: "VmHWM:") }

    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
