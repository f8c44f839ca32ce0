import ArgumentParser
import Foundation
import HearthCore
#if canImport(Glibc)
import Glibc
#endif

/// `hearth export`: a session's transcript, disclosed to a recipient for a purpose, into a private file.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a session's transcript to a file readable by you only (a disclosure: recorded and audited).",
        discussion: """
            The transcript starts with the 42 CFR Part 2 redisclosure notice and shows display names only. A \
            recipient that is a staff member's id or key gets every message (a copy inside the program); anyone \
            else is outside the program, and a participant's messages are included only under their written \
            consent for that recipient and purpose (the others are withheld). Every export is entered in the \
            accounting of disclosures.

            The file is new (mode 0600; an existing file is never replaced), by default \
            TITLE-YYYY-MM-DD.txt (or .json) in the current folder. Prints its path; with --json, \
            {"disclosure":…,"format":…,"path":…,"room":…,"withheld":…}.

            Example:
              hearth export group --recipient dana --purpose "Treatment planning"
              hearth export r_ftmf2fs8svhqjzk9d9yk --recipient "County court" \\
                --purpose "Court order 24-117" --format json --output group.json
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case txt, json
        init?(argument: String) {
            switch argument.lowercased() {
            case "txt", "text": self = .txt
            case "json": self = .json
            default: return nil
            }
        }
    }

    @Argument(help: roomHelp) var room: String
    @Option(help: ArgumentHelp("Who receives it: a staff member's id or key, or the outside person or organization as the consent forms name them.",
                               valueName: "recipient"))
    var recipient: String
    @Option(help: ArgumentHelp("Why it is disclosed (for an outside recipient, as the consent forms state it).",
                               valueName: "purpose"))
    var purpose: String
    @Option(help: "txt or json.") var format: Format = .txt
    @Option(help: ArgumentHelp("The new file to write (default: TITLE-YYYY-MM-DD.txt in the current folder).", valueName: "file"))
    var output: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: OutputOptions

    /// What `--json` prints.
    struct Result: Encodable {
        var disclosure: Int64
        var format: ServerFrame.Transcript.Format
        var path: String
        var room: RoomID
        var withheld: Int
    }

    func validate() throws {
        if recipient.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--recipient cannot be empty.") }
        if purpose.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--purpose cannot be empty.") }
    }

    func run() async throws {
        let (path, export) = try await connection.withLink { link -> (String, ServerFrame.Transcript) in
            let room = try await link.resolveRoom(self.room)
            let path = output ?? Self.defaultName(room, format: format)
            // The file is created first, so that a disclosure is recorded only when it can be delivered.
            let file = try Self.createPrivately(path)
            do {
                let reply = try await link.request(.transcript(room: room.id, recipient: recipient, purpose: purpose,
                                                               json: format == .json))
                guard case .transcript(let export) = reply else { throw CLIError.unexpected(reply.type) }
                do {
                    try file.write(contentsOf: Data(export.content.utf8))
                    try file.synchronize()
                    try file.close()
                } catch {
                    throw CLIError.cannotWrite(path: path, reason: "\(error.localizedDescription); the disclosure "
                        + "\(export.disclosure) was recorded, export again to a folder you can write to")
                }
                return (path, export)
            } catch {
                try? file.close()
                unlink(path)
                throw error
            }
        }
        if options.json {
            return Output.json(Result(disclosure: export.disclosure, format: export.format, path: path, room: export.room,
                                      withheld: export.withheld))
        }
        Output.line(path)
        if export.withheld > 0 {
            Output.note("\(export.withheld) message(s) withheld for want of a consent covering this recipient and purpose.")
        }
    }

    /// `group-therapy-2026-11-23.txt`: the title made safe for a file name, and the session's date.
    static func defaultName(_ room: ResolvedRoom, format: Format) -> String {
        let date = room.summary.map { String($0.starts.prefix(10)) } ?? {
            let parts = Calendar.gregorian(in: .current).dateComponents([.year, .month, .day], from: Date())
            return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        }()
        var slug = ""
        for character in room.title.lowercased() {
            if character.isLetter || character.isNumber { slug.append(character) }
            else if !slug.isEmpty && !slug.hasSuffix("-") { slug.append("-") }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return "\(slug.isEmpty ? "transcript" : String(slug.prefix(60)))-\(date).\(format.rawValue)"
    }

    /// Creates `path` readable and writable by its owner only (0600 whatever the umask); never replaces a file.
    static func createPrivately(_ path: String) throws -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it already exists (an export never replaces a file); choose another with --output"
                : String(cString: strerror(errno))
            throw CLIError.cannotWrite(path: path, reason: reason)
        }
        fchmod(descriptor, 0o600)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
