import ArgumentParser
import Foundation

/// A server under measurement: its process (for `/proc`) and how to stop it.
protocol MeasuredServer {
    var pid: Int32 { get }
    /// CPU seconds (user + system) it has used so far.
    var cpuSeconds: Double { get }
    func stop()
}

extension ServerProcess: MeasuredServer {}

/// `hearth-reference` (Sources/hearth-reference), started on a fresh database in a temporary folder, serving the
/// members of a "token room" file; stopped with SIGTERM, which ends it at once.
final class ReferenceProcess: MeasuredServer {
    private let process = Process()
    let folder: URL
    var pid: Int32 { process.processIdentifier }
    var cpuSeconds: Double { ProcessStats.cpuSeconds(pid: pid) }

    /// Starts it and waits until it accepts connections on `port`.
    init(binary: String, membersFile: String, port: Int, eventLoop: String) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("No hearth-reference at \(binary): build it with "
                                  + "`swift build -c release --product hearth-reference`.")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-reference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let logPath = folder.appendingPathComponent("reference.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--members", membersFile, "--db", folder.appendingPathComponent("reference.db").path,
                             "--port", "\(port)", "--event-loop", eventLoop]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !ServerProcess.accepts(port: port) {
            guard process.isRunning, Date() < deadline else {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                stop()
                throw ValidationError("hearth-reference did not start on port \(port):\n\(log)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
