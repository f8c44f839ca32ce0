import ArgumentParser
import Foundation
import HearthClient
import HearthCore

/// `hearth tail`: a room's messages as they come.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print a session's recent messages, then each new one as it arrives, until interrupted.",
        discussion: """
            Plain lines read "HH:mm Name: text" (this computer's time zone; announcements, whispers, private \
            questions, held, hidden and pinned messages are marked). With --json each line is one MSG object as the \
            protocol defines it. Joining a room as staff is recorded and un-pauses a room that waits for a \
            counselor, as on the screen. When the connection drops, tail reconnects and resumes where it was, \
            without repeating or skipping a message. It stops on Ctrl-C, or when the session is ended.

            Examples:
              hearth tail group
              hearth tail r_ftmf2fs8svhqjzk9d9yk --json --from-start | jq -r .body
            """)

    @Argument(help: roomHelp) var room: String
    @Flag(name: .customLong("from-start"), help: "Print the room's whole history first, not only its latest page (50 messages).")
    var fromStart = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    /// How following a room on one connection stopped.
    private enum Stop {
        case closed(code: UInt16, reason: String)
        case ended
    }

    func run() async throws {
        let settings = try connection.resolve()
        var link = try await CounselorLink.open(settings)
        let room = try await link.resolveRoom(self.room)
        // The highest seq up to which every message has been printed (or, for the first plain join, passed over).
        var have: Int64? = fromStart ? 0 : nil
        while true {
            let stop = try await follow(room, on: link, have: &have)
            link.close()
            guard case .closed(let code, let reason) = stop else { return }
            if code == 4001 { throw CLIError.unauthorized(message: reason) }
            Output.note("the connection to \(settings.url) was lost (\(code)); reconnecting…")
            link = try await reconnect(settings)
            Output.note("reconnected")
        }
    }

    /// Opens a new connection with backoff and jitter; gives up only when the token is refused.
    private func reconnect(_ settings: ClientSettingsFile) async throws -> CounselorLink {
        let backoff = Backoff()
        var attempt = 0
        while true {
            try await Task.sleep(for: backoff.delay(attempt: attempt, random: Double.random(in: 0..<1)))
            attempt += 1
            do {
                return try await CounselorLink.open(settings)
            } catch let error as CLIError {
                switch error {
                case .unreachable, .noReply, .closed: continue
                default: throw error
                }
            }
        }
    }

    /// Joins (resuming after `have`), prints the pages, then the live messages until the connection closes.
    private func follow(_ room: ResolvedRoom, on link: CounselorLink, have: inout Int64?) async throws -> Stop {
        do {
            var page = try await link.join(room.id, afterSeq: have)
            let resuming = have != nil
            emit(page.messages, have: &have)
            // A plain join's page holds the newest messages: everything up to its boundary is now behind us.
            if !resuming { have = max(have ?? 0, page.seq) }
            while resuming, page.more, !page.messages.isEmpty {
                page = try await link.join(room.id, afterSeq: have)
                emit(page.messages, have: &have)
            }
            if resuming, !page.more { have = max(have ?? 0, page.seq) }
        } catch CLIError.closed(_, let code, let reason) {
            return .closed(code: code, reason: reason)
        }
        for await event in link.connection.events {
            switch event {
            case .frame(.message(let message)) where message.room == room.id:
                emit([message], have: &have)
            case .frame(.denied(let denied)) where denied.room == room.id:
                throw CLIError.leftRoom(room: room.title, message: denied.message)
            case .frame(.ended(let ended)) where ended.room == room.id:
                Output.note("\(room.title) was ended\(ended.by.map { " by \($0.name)" } ?? ""): nothing more will be sent.")
                return .ended
            case .frame(.error(let error)) where error.code == .unauthorized:
                throw CLIError.unauthorized(message: error.message)
            case .closed(let code, let reason):
                return .closed(code: code, reason: reason)
            default:
                continue
            }
        }
        return .closed(code: 1006, reason: "")
    }

    /// Prints the messages after `have`, in seq order, and moves `have` on.
    private func emit(_ messages: [ChatMessage], have: inout Int64?) {
        for message in messages.sorted(by: { $0.seq < $1.seq }) where message.seq > (have ?? 0) {
            if output.json { Output.json(message) } else { Output.line(Self.plain(message)) }
            have = message.seq
        }
    }

    /// `HH:mm Name: text`, with the message's marks in brackets before the text.
    static func plain(_ message: ChatMessage) -> String {
        var marks: [String] = []
        switch message.kind {
        case .announcement?: marks.append("announcement")
        case .private?: marks.append("to staff")
        case .whisper?: marks.append("whisper" + (message.to.map { " to \(Output.printable($0.name, newline: " "))" } ?? ""))
        case .chat?, nil: break
        }
        if message.held == true { marks.append("held for review") }
        if message.hidden == true {
            marks.append("hidden" + (message.hiddenReason.map { ": \(Output.printable($0, newline: " "))" } ?? ""))
        }
        if message.pinned == true { marks.append("pinned") }
        let prefix = marks.isEmpty ? "" : "[" + marks.joined(separator: "; ") + "] "
        return "\(RoomTable.clock(message.ts)) \(Output.printable(message.from.name, newline: " ")): "
            + prefix + Output.printable(message.body)
    }
}
