import ArgumentParser
import Foundation
import HearthCore

extension ConnectionOptions {
    /// Resolves the settings, signs in, runs `body` and closes the connection.
    func withLink<T>(_ body: (CounselorLink) async throws -> T) async throws -> T {
        let link = try await CounselorLink.open(try resolve())
        defer { link.close() }
        return try await body(link)
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// The help text for a ROOM argument.
let roomHelp = ArgumentHelp(
    "The session: its room id, or the start of its title (case-insensitive; the one open now, else today's, when a "
        + "series lists several).",
    valueName: "room")

/// `hearth rooms`: the counselor's sessions.
struct RoomsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rooms",
        abstract: "List your sessions: today's, and the next of each series.",
        discussion: """
            Columns: start (in the session's own time zone), state (upcoming, open or ended: whether its chat window \
            is open now), title and room id. With --json: one JSON array of the protocol's ROOM objects, as \
            `welcome` (or `schedule`, with --days) lists them.

            Examples:
              hearth rooms
              hearth rooms --days 7 --json | jq -r '.[] | select(.kind == "group") | .id'
            """)

    @Option(help: ArgumentHelp("List every session from the start of today through this many days (1 to 62) instead.",
                               valueName: "days"))
    var days: Int?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let days, !(1...62).contains(days) { throw ValidationError("--days must be 1 to 62.") }
    }

    func run() async throws {
        let rooms = try await connection.withLink { link -> [RoomSummary] in
            guard let days else { return link.welcome.rooms }
            let from = Calendar.gregorian(in: .current).startOfDay(for: Date())
            let reply = try await link.request(.schedule(from: from, to: from.addingTimeInterval(Double(days) * 86400)))
            guard case .schedule(let schedule) = reply else { throw CLIError.unexpected(reply.type) }
            return schedule.rooms
        }
        if output.json { return Output.json(rooms) }
        guard !rooms.isEmpty else { return Output.line(days == nil ? "No sessions today." : "No sessions.") }
        let now = Date()
        let rows = [["START", "STATE", "TITLE", "ID"]] + rooms.map {
            [RoomTable.startText($0.starts), RoomTable.state($0, now: now), Output.printable($0.title, newline: " "),
             $0.id.rawValue]
        }
        RoomTable.columns(rows).forEach(Output.line)
    }
}

/// `hearth send`: one message to a room.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Post one message to a session.",
        discussion: """
            Joins the room (as staff: this is recorded, and un-pauses a room that waits for a counselor), posts the \
            message once it is stored, and prints where it landed. With --json: {"id":…,"room":…,"seq":…}. Sending \
            again with the same --client-id never posts twice: the server answers with the first message's seq.

            Examples:
              hearth send group "We start in five minutes."
              echo "Back in ten." | hearth send r_ftmf2fs8svhqjzk9d9yk - --json
            """)

    @Argument(help: roomHelp) var room: String
    @Argument(help: ArgumentHelp("The message (at most 4000 characters); - reads it from standard input.",
                                 valueName: "text"))
    var text: String
    @Flag(help: "Send it as an announcement, highlighted for everyone in the room.") var announce = false
    @Option(name: .customLong("client-id"),
            help: ArgumentHelp("The message's idempotency key (default: a new UUID); reuse it to retry safely.",
                               valueName: "key"))
    var clientID: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    /// What `--json` prints.
    struct Result: Encodable {
        var id: MessageID
        var room: RoomID
        var seq: Int64
    }

    func run() async throws {
        var body = text
        if text == "-" {
            body = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if body.hasSuffix("\n") { body.removeLast() }
        }
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("The message is empty.")
        }
        let clientID = self.clientID ?? UUID().uuidString.lowercased()
        let (room, ack) = try await connection.withLink { link in
            let room = try await link.resolveRoom(self.room)
            _ = try await link.join(room.id)
            let reply = try await link.request(.send(room: room.id, body: body, clientID: clientID, announce: announce))
            guard case .ack(let ack) = reply else { throw CLIError.unexpected(reply.type) }
            return (room, ack)
        }
        if output.json { return Output.json(Result(id: ack.id, room: ack.room, seq: ack.seq)) }
        Output.line("Sent to \(Output.printable(room.title, newline: " ")) as message \(ack.seq) (\(ack.id)).")
    }
}
