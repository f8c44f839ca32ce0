import ArgumentParser
import Foundation
import HearthCore

/// `hearth alerts`: every alert no one has acknowledged yet.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List the open alerts (not yet acknowledged) of the sessions you may access.",
        discussion: """
            One line per alert, oldest first: id, time raised, severity, category, session, member, and whether it \
            was escalated. With --json: one JSON array of the protocol's ALERT objects (the `alerts` request's \
            reply), [] when there are none. Acknowledge one with `hearth ack ID`.

            Examples:
              hearth alerts
              hearth alerts --json | jq '.[] | select(.severity == "high") | .id'
            """)

    @Option(help: ArgumentHelp("Only this session's alerts (a room id or the start of its title).", valueName: "room"))
    var room: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (alerts, rooms) = try await connection.withLink { link -> ([Alert], [RoomSummary]) in
            let room = try await self.room.asyncMap { try await link.resolveRoom($0).id }
            let reply = try await link.request(.alerts(room: room))
            guard case .alerts(let list) = reply else { throw CLIError.unexpected(reply.type) }
            return (list.alerts, link.welcome.rooms)
        }
        if output.json { return Output.json(alerts) }
        guard !alerts.isEmpty else { return Output.line("No open alerts.") }
        let titles = Dictionary(rooms.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
        let rows = [["ID", "RAISED", "SEVERITY", "CATEGORY", "SESSION", "MEMBER", ""]] + alerts.map { alert in
            ["\(alert.id)", RoomTable.clock(alert.ts), Output.printable(alert.severity.rawValue, newline: " "),
             Output.printable(alert.category.rawValue, newline: " ") + (alert.seq.map { " (message \($0))" } ?? ""),
             Output.printable(titles[alert.room] ?? alert.room.rawValue, newline: " "),
             Output.printable(alert.member.name, newline: " "), alert.escalated == true ? "ESCALATED" : ""]
        }
        RoomTable.columns(rows).forEach { Output.line($0.trimmingCharacters(in: .whitespaces)) }
    }
}

/// `hearth ack`: acknowledges an alert.
struct AckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge an alert, with a note of what was done.",
        discussion: """
            The first acknowledgement stands: acknowledging an alert someone already acknowledged changes nothing \
            and says who did. With --json: the ALERT object as the server now holds it (with acknowledged_by, \
            acknowledged_at and outcome).

            Example:
              hearth ack 4 --outcome "Called Sam after group; safety plan reviewed, no immediate risk."
            """)

    @Argument(help: ArgumentHelp("The alert's id (see `hearth alerts`).", valueName: "id")) var id: Int64
    @Option(help: ArgumentHelp("What was done (at most 1000 characters), kept with the alert.", valueName: "text"))
    var outcome: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let outcome, outcome.count > 1000 { throw ValidationError("--outcome can be at most 1000 characters.") }
    }

    func run() async throws {
        let (alert, me) = try await connection.withLink { link -> (Alert?, MemberInfo) in
            _ = try await link.request(.alertAck(alert: id, outcome: outcome))
            // The updated alert follows the `ok` (PROTOCOL.md 3.14); replays of it from before are not acknowledged.
            while case .frame(let frame)? = await link.connection.nextEvent(timeout: .seconds(10)) {
                if case .alert(let updated) = frame, updated.alert.id == id, updated.alert.acknowledgedAt != nil {
                    return (updated.alert, link.welcome.user)
                }
            }
            if output.json { throw CLIError.noReply(url: link.settings.url, waitingFor: "the acknowledged alert") }
            return (nil, link.welcome.user)
        }
        if output.json, let alert { return Output.json(alert) }
        if let alert, let by = alert.acknowledgedBy, by.id != me.id {
            Output.line("Alert \(id) was already acknowledged by \(Output.printable(by.name, newline: " "))"
                        + (alert.acknowledgedAt.map { " at \(RoomTable.clock($0))" } ?? "") + ".")
        } else {
            Output.line("Alert \(id) acknowledged.")
        }
    }
}
