import Foundation
import HearthClient
import HearthCore

/// Why a `hearth` command failed, each case with the sentence that tells the counselor what to do and the exit code a
/// script can test. Descriptions never contain a token or the text of a message.
enum CLIError: Error, CustomStringConvertible, Equatable {
    /// No server URL or no token from the configuration file, `HEARTH_URL`/`HEARTH_TOKEN` or `--url`.
    case notConfigured(missing: String, configPath: String)
    /// The configuration file exists but cannot be read as one.
    case badConfig(path: String, reason: String)
    /// Not a `ws://HOST:PORT/ws` address.
    case badURL(String)
    /// Nothing answers at the URL.
    case unreachable(url: String)
    /// A `wss://` server's certificate did not verify against the trusted CAs.
    case untrustedCertificate(url: String)
    /// The server refused the token (`unauthorized`); `message` is the server's own sentence.
    case unauthorized(message: String)
    /// The server refused a request; `message` is the server's own sentence.
    case refused(code: String, message: String)
    /// The server closed the connection (other than for a refused token).
    case closed(url: String, code: UInt16, reason: String)
    /// The server did not answer in time.
    case noReply(url: String, waitingFor: String)
    /// The server answered with a frame the command did not expect.
    case unexpected(String)
    /// ROOM names no room this counselor may access.
    case noSuchRoom(query: String, known: [RoomSummary])
    /// ROOM is a prefix of several titles.
    case ambiguousRoom(query: String, matches: [RoomSummary])
    /// NAME is not in the room's waiting room.
    case notWaiting(name: String, room: String, waiting: [MemberInfo])
    /// NAME matches several people waiting.
    case ambiguousName(name: String, matches: [MemberInfo])
    /// `login` read no token.
    case noToken
    /// A file could not be created or written.
    case cannotWrite(path: String, reason: String)
    /// A file could not be read.
    case cannotRead(path: String, reason: String)
    /// The server cut the room off for this connection (`denied`) or ended it.
    case leftRoom(room: String, message: String)
    /// The counselors' screen is not in this build yet.
    case notYet

    var description: String {
        switch self {
        case .notConfigured(let missing, let path):
            return "No \(missing) configured. Run `hearth login --url ws://HOST:PORT/ws` (it asks for your token "
                + "and saves both in \(path)), or set HEARTH_URL and HEARTH_TOKEN."
        case .badConfig(let path, let reason):
            return "\(path) is not a hearth configuration (\(reason)). Run `hearth login --url ws://HOST:PORT/ws` "
                + "to write it again."
        case .badURL(let url):
            return "\"\(url)\" is not a server address like ws://HOST:PORT/ws or wss://HOST/ws. Check --url, HEARTH_URL or "
                + "`hearth login`."
        case .unreachable(let url):
            return "The server is not reachable at \(url). Check that hearthd is running there and that the address "
                + "is right (hearth login --url …, or HEARTH_URL)."
        case .untrustedCertificate(let url):
            return "The certificate of \(url) could not be verified, so nothing was sent. If the clinic uses its own "
                + "certificate authority, give its certificate with --ca-file FILE (or HEARTH_CA_FILE); otherwise "
                + "check the address, and tell the clinic's administrator."
        case .unauthorized(let message):
            return "The server refused the token: \(message) Run `hearth login` with a new token, or fix HEARTH_TOKEN."
        case .refused(_, let message):
            return "The server refused: \(message)"
        case .closed(let url, let code, let reason):
            return "The server at \(url) closed the connection (\(code)\(reason.isEmpty ? "" : " \(reason)")). "
                + "Try again in a moment."
        case .noReply(let url, let what):
            return "The server at \(url) did not answer in time (waiting for \(what)). Try again in a moment."
        case .unexpected(let what):
            return "The server sent an unexpected reply (\(what)). Is it a Hearth server of the same version?"
        case .noSuchRoom(let query, let known):
            let list = known.isEmpty ? " You have no sessions today." : " Your sessions:\n" + Self.list(known)
            return "No session of yours matches \"\(query)\". Give a room id or the start of a title.\(list)"
        case .ambiguousRoom(let query, let matches):
            return "\"\(query)\" matches \(matches.count) sessions; give more of the title, or the room id:\n"
                + Self.list(matches)
        case .notWaiting(let name, let room, let waiting):
            let who = waiting.isEmpty ? "Nobody is waiting."
                : "Waiting: " + waiting.map { "\(Output.printable($0.name, newline: " ")) (\($0.id))" }.joined(separator: ", ") + "."
            return Output.sentence("\(name) is not in the waiting room of \(room)") + " " + who
        case .ambiguousName(let name, let matches):
            return "\"\(name)\" matches \(matches.count) people waiting: "
                + matches.map { "\(Output.printable($0.name, newline: " ")) (\($0.id))" }.joined(separator: ", ") + ". Give the person id."
        case .noToken:
            return "No token was given. Paste the token from `hearthd staff add` (it starts with hth_)."
        case .cannotWrite(let path, let reason):
            return "Cannot write \(path): \(reason)."
        case .cannotRead(let path, let reason):
            return "Cannot read \(path): \(reason)."
        case .leftRoom(let room, let message):
            return "No longer in \(room): \(message)"
        case .notYet:
            return "The counselors' screen is not part of this build yet. The commands for scripts work: see "
                + "`hearth --help`."
        }
    }

    /// sysexits(3) codes, so a script can tell a configuration problem from an unreachable server.
    var exitCode: Int32 {
        switch self {
        case .notConfigured, .badConfig, .badURL: 78            // EX_CONFIG
        case .unreachable, .untrustedCertificate, .closed, .noReply: 69                // EX_UNAVAILABLE
        case .unauthorized: 77                                  // EX_NOPERM
        case .cannotWrite: 73                                   // EX_CANTCREAT
        case .cannotRead: 66                                    // EX_NOINPUT
        case .unexpected: 76                                    // EX_PROTOCOL
        case .notYet: 70                                        // EX_SOFTWARE
        case .refused, .noSuchRoom, .ambiguousRoom, .notWaiting, .ambiguousName, .noToken, .leftRoom: 1
        }
    }

    /// The exit codes, for `hearth --help`.
    static let exitCodes = """
        Exit codes: 0 done; 1 the server refused the request, or ROOM or NAME did not match; 64 bad command line; \
        66 cannot read a file; 69 the server is not reachable; 73 cannot write a file; 76 unexpected reply; \
        77 the token was refused; 78 no or bad configuration.
        """

    private static func list(_ rooms: [RoomSummary]) -> String {
        rooms.map { "  \(RoomTable.startText($0.starts))  \(Output.printable($0.title, newline: " "))  \($0.id)" }.joined(separator: "\n")
    }

    /// The `CLIError` for a failure of the client library while talking to `url`.
    static func from(_ error: any Error, url: String) -> any Error {
        guard let error = error as? HearthClientError else { return error }
        switch error {
        case .badURL: return CLIError.badURL(url)
        case .connectFailed(let reason):
            // lws reports a failed verification as "connect SSL err …" / "…certificate…".
            let lowered = reason.lowercased()
            if url.lowercased().hasPrefix("wss:"), lowered.contains("ssl") || lowered.contains("certificate") {
                return CLIError.untrustedCertificate(url: url)
            }
            return CLIError.unreachable(url: url)
        case .timedOut(let what): return CLIError.noReply(url: url, waitingFor: what)
        case .closed(let code, let reason): return CLIError.closed(url: url, code: code, reason: reason)
        case .unexpected(let what): return CLIError.unexpected(what)
        case .refused(let code, let message):
            return code == .unauthorized ? CLIError.unauthorized(message: message)
                : CLIError.refused(code: code.rawValue, message: message)
        }
    }
}
