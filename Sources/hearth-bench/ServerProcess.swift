import ArgumentParser
import Foundation

/// A `hearthd` the benchmark started on a temporary database, stopped with SIGTERM at the end.
final class ServerProcess {
    let process: Process
    let folder: URL
    var manifestPath: String { folder.appendingPathComponent("manifest.json").path }
    var pid: Int32 { process.processIdentifier }

    private init(process: Process, folder: URL) {
        self.process = process
        self.folder = folder
    }

    static func start(binary: String, rooms: Int, members: Int, port: Int, environment: [String]) throws -> ServerProcess {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "\(port)", "--db", folder.appendingPathComponent("bench.db").path,
                             "--web", "", "--demo-rooms", "\(rooms)", "--demo-members", "\(members)",
                             "--demo-manifest", folder.appendingPathComponent("manifest.json").path,
                             "--log-level", "warning"]
        var env = ProcessInfo.processInfo.environment
        env["HEARTH_SEND_RATE_PER_SECOND"] = "0"
        for setting in environment {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--server-env takes NAME=value, not \(setting).") }
            env[parts[0]] = parts[1]
        }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let server = ServerProcess(process: process, folder: folder)
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: server.manifestPath) {
            guard process.isRunning, Date() < deadline else {
                server.stop()
                throw ValidationError("hearthd did not start (is port \(port) free?).")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.2)
        return server
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Reads a process' CPU time and peak memory from /proc.
enum ProcessStats {
    static func peakRSSKiB(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
