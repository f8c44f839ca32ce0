import ArgumentParser
import Foundation
import HearthCore

/// `hearth attendance`: who came, for how long, in a week or at one session.
struct AttendanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attendance",
        abstract: "Show the attendance of a week (default: this week), or of one session.",
        discussion: """
            A week's report lists every session occurrence of the week with each person's minutes (late, left \
            early, no-show), then each participant's week against their program's required hours. Reading it is \
            recorded in the audit log. With --json: the protocol's ATTENDANCE object.

            Examples:
              hearth attendance
              hearth attendance --week 2026-W48 --json
              hearth attendance --room group
            """)

    @Option(help: ArgumentHelp("An ISO week such as 2026-W48 (default: the current week on the server).", valueName: "week"))
    var week: String?
    @Option(help: ArgumentHelp("One session instead of a week (a room id or the start of its title).", valueName: "room"))
    var room: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let week, ISOWeek(week) == nil { throw ValidationError("--week must be an ISO week like 2026-W48.") }
    }

    func run() async throws {
        let report = try await connection.withLink { link -> AttendanceReport in
            let room = try await self.room.asyncMap { try await link.resolveRoom($0).id }
            let reply = try await link.request(.attendance(room: room, week: week.flatMap { ISOWeek($0) }))
            guard case .attendance(let frame) = reply else { throw CLIError.unexpected(reply.type) }
            return frame.report
        }
        if output.json { return Output.json(report) }
        Output.line("Attendance, week \(report.week)" + (report.program.map { ", program \($0)" } ?? ""))
        if report.sessions.isEmpty { Output.line("No sessions.") }
        let sessions = report.sessions.map { row -> [String] in
            let notes = [row.noShow ? "no-show" : nil, row.late ? "late" : nil, row.leftEarly ? "left early" : nil]
            return [RoomTable.startText(row.starts), Output.printable(row.title, newline: " "),
                    Output.printable(row.member.name, newline: " "), "\(row.minutes) min",
                    notes.compactMap { $0 }.joined(separator: ", ")]
        }
        if !sessions.isEmpty {
            Output.line("")
            RoomTable.columns([["START", "SESSION", "MEMBER", "PRESENT", "NOTE"]] + sessions)
                .forEach { Output.line($0.trimmingCharacters(in: .whitespaces)) }
        }
        if !report.weekly.isEmpty {
            Output.line("")
            let weekly = report.weekly.map { row -> [String] in
                [Output.printable(row.member.name, newline: " "), String(format: "%.1f h", row.hours),
                 row.requiredHours.map { String(format: "%.1f h", $0) } ?? "-",
                 "\(row.sessionsAttended)", "\(row.sessionsMissed)", row.program ?? ""]
            }
            RoomTable.columns([["PARTICIPANT", "HOURS", "REQUIRED", "ATTENDED", "MISSED", "PROGRAM"]] + weekly)
                .forEach { Output.line($0.trimmingCharacters(in: .whitespaces)) }
        }
    }
}

/// `hearth summary`: the starting point for a session's note.
struct SummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Summarize one session for its note: who came, for how long, messages written, check-ins, alerts.",
        discussion: """
            Never shows what anyone wrote, only how many messages. Asked while the session runs, the figures are so \
            far. Reading it is recorded in the audit log. With --json: the protocol's SUMMARY object.

            Example:
              hearth summary group
            """)

    @Argument(help: roomHelp) var room: String
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let summary = try await connection.withLink { link -> SessionSummary in
            let room = try await link.resolveRoom(self.room)
            let reply = try await link.request(.summary(room: room.id))
            guard case .summary(let frame) = reply else { throw CLIError.unexpected(reply.type) }
            return frame.summary
        }
        if output.json { return Output.json(summary) }
        Output.line("\(Output.printable(summary.title, newline: " ")), \(RoomTable.startText(summary.starts)) to "
                    + "\(RoomTable.startText(summary.ends).suffix(5))" + (summary.ended ? "" : " (still running: figures so far)"))
        Output.line("")
        let people = summary.people.map { person -> [String] in
            let notes = [person.noShow ? "no-show" : nil, person.late ? "late" : nil, person.leftEarly ? "left early" : nil]
            let checkins = person.checkins.map { checkin in
                [checkin.mood.map { "mood \($0)" }, checkin.craving.map { "craving \($0)" },
                 checkin.safe.map { $0 ? "safe" : "NOT SAFE" }].compactMap { $0 }.joined(separator: " ")
            }
            return [Output.printable(person.member.name, newline: " "), person.member.role.rawValue,
                    "\(person.minutes) min", "\(person.messages)", notes.compactMap { $0 }.joined(separator: ", "),
                    checkins.joined(separator: "; ")]
        }
        RoomTable.columns([["PERSON", "ROLE", "PRESENT", "MESSAGES", "NOTE", "CHECK-INS"]] + people)
            .forEach { Output.line($0.trimmingCharacters(in: .whitespaces)) }
        guard !summary.alerts.isEmpty else { return }
        Output.line("")
        for alert in summary.alerts {
            var line = "Alert \(alert.id) at \(RoomTable.clock(alert.ts)): \(alert.category), \(alert.severity), "
                + Output.printable(alert.member.name, newline: " ")
            if let by = alert.acknowledgedBy {
                line += "; acknowledged by \(Output.printable(by.name, newline: " "))"
                    + (alert.outcome.map { ": \(Output.printable($0, newline: " "))" } ?? "")
            } else {
                line += "; OPEN"
            }
            Output.line(line)
        }
    }
}
