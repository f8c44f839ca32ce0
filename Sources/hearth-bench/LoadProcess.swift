import ArgumentParser
import Foundation

/// One run of the C load generator, `hearth-load MODE …` (Sources/hearth-load): the lines it prints, and the
/// `wait=NAME` lines at which it stops until it reads a line on its stdin. Its stderr (progress notes, refused
/// frames) is this process' stderr. A watchdog terminates it after `timeout` seconds, so a run is always bounded.
final class LoadProcess {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()

    init(binary: String, mode: String, arguments: [String], timeout: Double) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("No hearth-load at \(binary): build it with `swift build -c release --product hearth-load`.")
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [mode] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let watched = process
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if watched.isRunning {
                FileHandle.standardError.write(Data("hearth-bench: hearth-load \(mode) ran past \(Int(timeout)) s; stopping it\n".utf8))
                watched.terminate()
            }
        }
    }

    /// The next line it prints, or nil once it has closed its output (exited).
    func nextLine() -> String? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered.removeSubrange(buffered.startIndex...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                guard !buffered.isEmpty else { return nil }
                defer { buffered.removeAll() }
                return String(decoding: buffered, as: UTF8.self)
            }
            buffered.append(chunk)
        }
    }

    /// Answers a `wait=` line.
    func reply(_ line: String = "go") {
        try? input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Waits for it to exit; its exit status.
    @discardableResult
    func finish() -> Int32 {
        try? input.fileHandleForWriting.close()
        while nextLine() != nil {}
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// One `mode=… key=value …` result line of hearth-load.
struct LoadFigures {
    let line: String
    private let values: [String: String]

    init?(line: String) {
        guard line.hasPrefix("mode=") else { return nil }
        self.line = line
        var values: [String: String] = [:]
        for pair in line.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        self.values = values
    }

    var mode: String { values["mode"] ?? "" }
    subscript(key: String) -> String? { values[key] }
    func double(_ key: String) -> Double? { values[key].flatMap(Double.init) }
    func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
    /// Whether the phase finished (rather than running out of time).
    var complete: Bool { int("complete") == 1 }
}
