import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, with the part of `Foundation.Process`'s interface the tests use.
/// Not `Process` itself: on Linux its `run()` reads `/proc/self/fd` with a buffer over-read that crashes the test
/// process now and then (swift-corelibs-foundation #5472, Swift 6.3), and these suites start hundreds of children
/// from a process holding many descriptors. The child gets only its standard input, output and error: every other
/// descriptor is closed in it (`posix_spawn_file_actions_addclosefrom_np`), so no child keeps another test's pipe
/// or socket open.
final class ChildProcess: @unchecked Sendable {
    var executableURL: URL?
    var arguments: [String] = []
    /// Nil: this process's environment.
    var environment: [String: String]?
    var currentDirectoryURL: URL?
    /// A `Pipe`, a `FileHandle` (`FileHandle.nullDevice` is /dev/null), or nil to share this process's.
    var standardInput: Any?
    var standardOutput: Any?
    var standardError: Any?

    private(set) var processIdentifier: pid_t = 0
    /// The exit status once it has ended (for a signal: the signal's number).
    private let ended = Mutex<Int32?>(nil)

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                                        UnsafePointer<CChar>) -> Int32
    /// glibc 2.34+ and 2.29+ have them; Swift's Glibc module does not declare them.
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let changeDirectory: ChangeDirectory? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: ChangeDirectory.self) }

    func run() throws {
        guard let executableURL else { throw SpawnError(description: "no executable") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        func attach(_ handle: Any?, to target: Int32, childReads: Bool) {
            switch handle {
            case let pipe as Pipe:
                let end = childReads ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, end.fileDescriptor, target)
            case let file as FileHandle where file === FileHandle.nullDevice:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", childReads ? O_RDONLY : O_WRONLY, 0)
            case let file as FileHandle:
                posix_spawn_file_actions_adddup2(&actions, file.fileDescriptor, target)
            default:
                break
            }
        }
        attach(standardInput, to: 0, childReads: true)
        attach(standardOutput, to: 1, childReads: false)
        attach(standardError, to: 2, childReads: false)
        guard let closeFrom = Self.closeFrom else {
            throw SpawnError(description: "posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or newer needed)")
        }
        _ = closeFrom(&actions, 3)
        if let directory = currentDirectoryURL {
            guard let changeDirectory = Self.changeDirectory else {
                throw SpawnError(description: "posix_spawn_file_actions_addchdir_np is missing (glibc 2.29 or newer needed)")
            }
            _ = changeDirectory(&actions, directory.path)
        }

        let path = executableURL.path
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + variables { free(pointer) } }
        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { argvBuffer in
            variables.withUnsafeBufferPointer { envBuffer in
                posix_spawn(&pid, path, &actions, nil,
                            UnsafeMutablePointer(mutating: argvBuffer.baseAddress!),
                            UnsafeMutablePointer(mutating: envBuffer.baseAddress!))
            }
        }
        guard result == 0 else {
            throw SpawnError(description: "cannot start \(path): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
        // The child's ends belong to the child now: close them here, so reading to the end sees its exit.
        if let pipe = standardInput as? Pipe { try? pipe.fileHandleForReading.close() }
        if let pipe = standardOutput as? Pipe { try? pipe.fileHandleForWriting.close() }
        if let pipe = standardError as? Pipe, standardError as AnyObject !== standardOutput as AnyObject {
            try? pipe.fileHandleForWriting.close()
        }
    }

    /// Waits for the child to end (once; later calls return at once).
    func waitUntilExit() {
        _ = reap(blocking: true)
    }

    var isRunning: Bool { processIdentifier != 0 && !reap(blocking: false) }

    var terminationStatus: Int32 {
        waitUntilExit()
        return ended.withLock { $0 } ?? -1
    }

    /// SIGTERM.
    func terminate() {
        guard processIdentifier != 0, ended.withLock({ $0 }) == nil else { return }
        kill(processIdentifier, SIGTERM)
    }

    /// Collects the exit status if the child has ended (or, blocking, once it ends). True once it has ended. The
    /// lock is not held while waiting, so `terminate` from another thread is never held up by a waiter.
    private func reap(blocking: Bool) -> Bool {
        if ended.withLock({ $0 }) != nil { return true }
        guard processIdentifier != 0 else { return false }
        var raw: Int32 = 0
        var pid: pid_t
        repeat { pid = waitpid(processIdentifier, &raw, blocking ? 0 : WNOHANG) } while pid == -1 && errno == EINTR
        if pid == 0 { return false }
        if pid == -1 {
            // Another thread reaped it a moment ago and is storing the status.
            while ended.withLock({ $0 }) == nil { usleep(500) }
            return true
        }
        let signal = raw & 0x7f
        let status = signal == 0 ? (raw >> 8) & 0xff : signal
        ended.withLock { $0 = status }
        return true
    }
}

extension ChildProcess {
    /// A process running `binary` with `arguments`; with `umask000`, the same under `/bin/sh` after `umask 000` (to
    /// show the files it writes are private whatever the umask).
    convenience init(running binary: URL, _ arguments: [String], umask000: Bool) {
        self.init()
        if umask000 {
            executableURL = URL(fileURLWithPath: "/bin/sh")
            self.arguments = ["-c", "umask 000 && exec \"$0\" \"$@\"", binary.path] + arguments
        } else {
            executableURL = binary
            self.arguments = arguments
        }
    }
}

/// `hearthd` run to its end as an operator runs it: arguments, an optional standard input (never the test runner's
/// own: a terminal there would wait for a person), extra environment, and optionally under umask 000 (to show files
/// are private whatever the umask). Returns its exit status and its standard output and error together.
enum Hearthd {
    static func run(_ arguments: [String], input: String? = nil, environment extra: [String: String] = [:],
                    umask000: Bool = false) throws -> (status: Int32, output: String) {
        let process = ChildProcess(running: LiveServer.binary, arguments, umask000: umask000)
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
