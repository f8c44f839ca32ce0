import Foundation
import HearthClient
import HearthCore

// Frames the screen reads: replies to its own requests, alerts (the bell), and who arrives when (for rounds).
extension ScreenModel {
    /// Reads one frame from the server (every frame, after the state applied it).
    public mutating func observe(_ frame: ServerFrame, state: ClientState, now: Date) -> [ScreenAction] {
        switch frame {
        case .welcome(let welcome):
            return welcomed(welcome, state: state, now: now)
        case .joined(let joined):
            let present = Set(joined.members.map(\.id))
            var order = (arrivals[joined.room] ?? []).filter(present.contains)
            for member in joined.members where !order.contains(member.id) { order.append(member.id) }
            arrivals[joined.room] = order
            // "Joining …" has come true: the status line goes back to its default.
            if joined.room == view.currentRoom, view.status?.text.hasPrefix("Joining ") == true { view.status = nil }
        case .presence(let presence):
            arrivals[presence.room, default: []].removeAll { $0 == presence.member.id }
            if presence.state == .joined { arrivals[presence.room, default: []].append(presence.member.id) }
        case .alert(let frame):
            let alert = frame.alert
            guard alert.isOpen else { return [] }
            let escalated = alert.escalated == true
            // Once per alert, and again when it is escalated; not for the replay after a reconnect.
            if let rungEscalated = rung[alert.id], rungEscalated || !escalated { return [] }
            rung[alert.id] = escalated
            return [.bell]
        case .ok(let ok):
            guard let ask = take(ok.ref) else { return [] }
            if case .action(let done) = ask.kind { view.status = .init(.info, done) }
        case .error(let error):
            guard let ask = take(error.ref) else { return [] }
            view.status = .init(.error, "\(ask.command): \(error.message)")
        case .attendance(let frame):
            guard take(frame.ref) != nil else { return [] }
            view.overlay = Self.overlay(frame.report)
        case .summary(let frame):
            guard take(frame.ref) != nil else { return [] }
            view.overlay = Self.overlay(frame.summary)
        case .notes(let frame):
            guard take(frame.ref) != nil else { return [] }
            let title = state.rooms[frame.room]?.summary.title ?? frame.room.rawValue
            if frame.notes.isEmpty {
                view.status = .init(.info, "No notes yet for \(title).")
            } else {
                view.overlay = .init(title: "Notes: \(title)", lines: frame.notes.flatMap { note in
                    ["\(Self.day(note.ts)) \(Self.clock(note.ts)) UTC, \(note.by.name):"]
                        + note.body.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 } + [""]
                })
            }
        case .schedule(let frame):
            guard take(frame.ref) != nil else { return [] }
            view.overlay = .init(title: "Schedule", lines: frame.rooms.isEmpty ? ["No sessions in this range."]
                : frame.rooms.map { room in
                    "\(Self.day(room.starts)) \(Self.clock(room.starts))–\(Self.clock(room.ends))  \(room.title)  (\(room.id.rawValue))"
                })
        case .invitation(let invitation):
            guard take(invitation.ref) != nil else { return [] }
            let base = webAddress.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "…/"
            let title = state.rooms[invitation.room]?.summary.title ?? invitation.room.rawValue
            view.overlay = .init(title: "Invitation for \(invitation.member.name)", lines: [
                "\(base)#invite=\(invitation.token)",
                "",
                "For \(invitation.member.name), to \(title). It works once, until \(Self.day(invitation.expires)) \(Self.clock(invitation.expires)).",
                "This link is shown only once: copy it now. Esc closes this panel.",
            ])
        case .transcript(let transcript):
            guard take(transcript.ref) != nil else { return [] }
            var lines = transcript.content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if transcript.withheld > 0 {
                lines.insert("\(transcript.withheld) messages withheld for want of a consent.", at: 0)
            }
            view.overlay = .init(title: "Transcript (disclosure \(transcript.disclosure))", lines: lines)
        case .alerts(let frame):
            guard take(frame.ref) != nil else { return [] }
            view.overlay = .init(title: "Open alerts", lines: frame.alerts.isEmpty ? ["No open alerts."]
                : frame.alerts.map { alert in
                    let room = state.rooms[alert.room]?.summary.title ?? alert.room.rawValue
                    return "#\(alert.id) \(alert.severity) \(alert.category): \(alert.member.name) in \(room)"
                        + (alert.escalated == true ? " (escalated)" : "")
                })
        default:
            break
        }
        return []
    }

    private mutating func take(_ ref: String?) -> Ask? {
        guard let ref else { return nil }
        return asked.removeValue(forKey: ref)
    }

    /// After `welcome`, with no room in front yet: the first of today's rooms open now, else the first listed.
    private mutating func welcomed(_ welcome: ServerFrame.Welcome, state: ClientState, now: Date) -> [ScreenAction] {
        // A new connection: requests sent on the old one will never be answered, and may or may not have been done.
        if !asked.isEmpty {
            let commands = asked.sorted { $0.key.count != $1.key.count ? $0.key.count < $1.key.count : $0.key < $1.key }
                .map(\.value.command)
            asked = [:]
            view.status = .init(.error, "The connection dropped before the server answered "
                                + commands.joined(separator: ", ") + ": check whether it was done, and try again.")
        }
        guard view.currentRoom == nil else { return [] }
        let rooms = welcome.rooms.map(ScheduledRoom.init)
            .sorted { ($0.starts ?? .distantFuture, $0.id) < ($1.starts ?? .distantFuture, $1.id) }
        guard let first = rooms.first(where: { $0.phase(at: now) == .open }) ?? rooms.first else { return [] }
        return show(first.id)
    }

    // MARK: Reports as text

    /// `2026-11-23` from a wire time.
    static func day(_ wire: String) -> String { String(wire.prefix(10)) }

    /// `18:00` from a wire time (in the zone it is written in).
    static func clock(_ wire: String) -> String {
        let characters = Array(wire)
        return characters.count >= 16 ? String(characters[11..<16]) : wire
    }

    static func overlay(_ report: AttendanceReport) -> ViewState.Overlay {
        var lines: [String] = report.sessions.isEmpty ? ["No sessions this week so far."] : []
        for row in report.sessions {
            var flags: [String] = []
            if row.noShow { flags.append("no-show") }
            if row.late { flags.append("late") }
            if row.leftEarly { flags.append("left early") }
            lines.append("\(day(row.starts)) \(clock(row.starts))  \(row.title): \(row.member.name), \(row.minutes) min"
                         + (flags.isEmpty ? "" : " (" + flags.joined(separator: ", ") + ")"))
        }
        if !report.weekly.isEmpty {
            lines += ["", "The week:"]
            for row in report.weekly {
                let required = row.requiredHours.map { " of \($0) h" } ?? ""
                var line = "\(row.member.name): \(row.hours) h\(required), \(row.sessionsAttended) attended, "
                    + "\(row.sessionsMissed) missed"
                if let trend = row.checkins.last(where: { $0.week == report.week }) {
                    line += "; mood \(trend.mood.map { "\($0)" } ?? "–"), craving \(trend.craving.map { "\($0)" } ?? "–")"
                    if trend.notSafe > 0 { line += ", not safe \(trend.notSafe)×" }
                }
                lines.append(line)
            }
        }
        return .init(title: "Attendance \(report.week)", lines: lines)
    }

    static func overlay(_ summary: SessionSummary) -> ViewState.Overlay {
        var lines = ["\(day(summary.starts)) \(clock(summary.starts))–\(clock(summary.ends))"
                     + (summary.ended ? "" : " (still running: figures so far)"), ""]
        for person in summary.people {
            var parts = ["\(person.minutes) min", "\(person.messages) messages"]
            if person.noShow { parts.append("no-show") }
            if person.late { parts.append("late") }
            if person.leftEarly { parts.append("left early") }
            for checkin in person.checkins {
                var fields: [String] = []
                if let mood = checkin.mood { fields.append("mood \(mood)") }
                if let craving = checkin.craving { fields.append("craving \(craving)") }
                if let safe = checkin.safe { fields.append(safe ? "safe" : "NOT SAFE") }
                parts.append("check-in " + fields.joined(separator: " "))
            }
            lines.append("\(person.member.name) (\(person.member.role.rawValue)): " + parts.joined(separator: ", "))
        }
        if !summary.alerts.isEmpty {
            lines += ["", "Alerts:"]
            for alert in summary.alerts {
                let handled = alert.acknowledgedBy.map { " acknowledged by \($0.name)" } ?? " NOT ACKNOWLEDGED"
                lines.append("#\(alert.id) \(alert.severity) \(alert.category), \(alert.member.name):\(handled)"
                             + (alert.outcome.map { ": \($0)" } ?? ""))
            }
        }
        return .init(title: "Summary: \(summary.title)", lines: lines)
    }
}
