import ArgumentParser
import Foundation
import HearthCore

/// `hearth admit`: lets people in from a session's waiting room.
struct AdmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admit",
        abstract: "Let someone, or everyone, in from a session's waiting room.",
        discussion: """
            NAME is the display name of someone waiting (case-insensitive; its start is enough when only one \
            person's name starts so), or their person id. To read the waiting room, admit joins the room for a \
            moment, as the screen does; --all admits everyone waiting, in order of arrival, without joining. With \
            --json: {"member":MEMBER,"room":…}, or {"room":…} for --all.

            Examples:
              hearth admit "family therapy" "Maria R."
              hearth admit r_cqbw8y548aihk648yrfw --all
            """)

    @Argument(help: roomHelp) var room: String
    @Argument(help: ArgumentHelp("Who to admit: a display name or a person id.", valueName: "name")) var name: String?
    @Flag(help: "Admit everyone waiting.") var all = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    /// What `--json` prints.
    struct Result: Encodable {
        var member: MemberInfo?
        var room: RoomID
    }

    func validate() throws {
        if all && name != nil { throw ValidationError("Give a NAME or --all, not both.") }
        if !all && name == nil { throw ValidationError("Give the NAME of someone waiting, or --all.") }
    }

    func run() async throws {
        let (room, member) = try await connection.withLink { link -> (ResolvedRoom, MemberInfo?) in
            let room = try await link.resolveRoom(self.room)
            guard let name else {
                _ = try await link.request(.admit(room: room.id, member: nil))
                return (room, nil)
            }
            let waiting = try await link.join(room.id).waiting ?? []
            let member = try Self.match(name, in: waiting, room: room.title)
            _ = try await link.request(.admit(room: room.id, member: member.id))
            return (room, member)
        }
        if output.json { return Output.json(Result(member: member, room: room.id)) }
        let title = Output.printable(room.title, newline: " ")
        if let member {
            Output.line(Output.sentence("Admitted \(Output.printable(member.name, newline: " ")) to \(title)"))
        } else {
            Output.line(Output.sentence("Admitted everyone waiting for \(title)"))
        }
    }

    /// The person waiting whom `name` names: their id, their display name, or the unique start of it.
    static func match(_ name: String, in waiting: [MemberInfo], room: String) throws(CLIError) -> MemberInfo {
        let query = name.trimmingCharacters(in: .whitespaces)
        if let member = waiting.first(where: { $0.id.rawValue == query }) { return member }
        func fold(_ text: String) -> String {
            text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        }
        let exact = waiting.filter { fold($0.name) == fold(query) }
        let matches = exact.isEmpty ? waiting.filter { fold($0.name).hasPrefix(fold(query)) } : exact
        guard !query.isEmpty, let first = matches.first else {
            throw .notWaiting(name: query, room: room, waiting: waiting)
        }
        guard matches.count == 1 else { throw .ambiguousName(name: query, matches: matches) }
        return first
    }
}
