import Foundation
import HearthCore

/// Attendance reports and session summaries as CSV (for a spreadsheet) and plain text (for a terminal).
public enum ReportFormats {
    /// Two tables separated by a blank line: one row per person per session, then one row per participant for the
    /// week. RFC 4180 (CRLF, quoted fields), UTF-8 with a byte-order mark so spreadsheets read names correctly,
    /// times as local `2026-11-23 18:04:10`, and cells that a spreadsheet would run as a formula made inert.
    public static func csv(_ report: AttendanceReport) -> String {
        var lines: [[String]] = [[
            "week", "session", "kind", "program", "room", "starts", "ends", "participant", "role", "first_join", "last_leave",
            "minutes", "late", "left_early", "no_show",
        ]]
        for row in report.sessions {
            lines.append([
                report.week.description, row.title, row.kind.rawValue, row.program ?? "", row.room.rawValue, local(row.starts), local(row.ends),
                row.member.name, row.member.role.rawValue, row.firstJoin.map(local) ?? "", row.lastLeave.map(local) ?? "",
                "\(row.minutes)", yesNo(row.late), yesNo(row.leftEarly), yesNo(row.noShow),
            ])
        }
        if !report.weekly.isEmpty {
            lines.append([])
            lines.append([
                "week", "participant", "program", "hours_attended", "hours_required", "met_required_hours",
                "sessions_attended", "sessions_missed", "mood_by_week", "craving_by_week", "not_safe_checkins",
            ])
            for row in report.weekly {
                lines.append([
                    report.week.description, row.member.name, row.program ?? "", hours(row.hours),
                    row.requiredHours.map(hours) ?? "", row.requiredMinutes.map { yesNo(row.minutes >= $0) } ?? "",
                    "\(row.sessionsAttended)", "\(row.sessionsMissed)", trend(row.checkins, \.mood),
                    trend(row.checkins, \.craving), "\(row.checkins.map(\.notSafe).reduce(0, +))",
                ])
            }
        }
        return "\u{FEFF}" + lines.map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A readable week for a terminal.
    public static func text(_ report: AttendanceReport) -> String {
        var out = "Attendance, week \(report.week) (\(report.week.monday) to \(report.week.monday.adding(days: 6)))"
        if let program = report.program { out += ", program \(program)" }
        out += "\n"
        var current: RoomID?
        for row in report.sessions {
            if row.room != current {
                current = row.room
                out += "\n\(local(row.starts)) to \(local(row.ends).suffix(8))  \(row.title)  [\(row.kind.rawValue)]\n"
            }
            let status = row.noShow ? "no-show" : row.firstJoin == nil ? "not here yet"
                : "\(row.minutes) min, \(local(row.firstJoin ?? "").suffix(8)) to \(local(row.lastLeave ?? "").suffix(8))"
                + (row.late ? ", late" : "") + (row.leftEarly ? ", left early" : "")
            out += "  \(row.member.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(status)\n"
        }
        if report.sessions.isEmpty { out += "\nNo sessions have started this week.\n" }
        if !report.weekly.isEmpty {
            out += "\nWeek totals\n"
            for row in report.weekly {
                let required = row.requiredHours.map { " of \(hours($0)) required" + (row.minutes >= row.requiredMinutes! ? "" : " (short)") } ?? ""
                out += "  \(row.member.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(hours(row.hours)) h\(required); "
                    + "\(row.sessionsAttended) attended, \(row.sessionsMissed) missed"
                if !row.checkins.isEmpty { out += "; mood \(trend(row.checkins, \.mood)), craving \(trend(row.checkins, \.craving))" }
                out += "\n"
            }
        }
        return out
    }

    /// A readable post-session summary.
    public static func text(_ summary: SessionSummary) -> String {
        var out = "\(summary.title)  [\(summary.kind.rawValue)]  room \(summary.room)\n"
        out += "\(local(summary.starts)) to \(local(summary.ends))\(summary.ended ? "" : "  (still running: figures so far)")\n\n"
        for person in summary.people {
            var line = "  \(person.member.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(person.member.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) "
            line += person.noShow ? "no-show" : "\(person.minutes) min" + (person.late ? ", late" : "") + (person.leftEarly ? ", left early" : "")
            line += "; \(person.messages) message\(person.messages == 1 ? "" : "s")"
            for checkin in person.checkins {
                var parts: [String] = []
                if let mood = checkin.mood { parts.append("mood \(mood)") }
                if let craving = checkin.craving { parts.append("craving \(craving)") }
                if let safe = checkin.safe { parts.append(safe ? "feels safe" : "NOT SAFE") }
                line += "; check-in: " + parts.joined(separator: ", ")
            }
            out += line + "\n"
        }
        out += "\nAlerts: " + (summary.alerts.isEmpty ? "none\n" : "\n")
        for alert in summary.alerts {
            let acknowledged = alert.acknowledgedBy.map { "acknowledged by \($0.name) at \(alert.acknowledgedAt ?? "?")"
                + (alert.outcome.map { ": \($0)" } ?? "") } ?? "NOT ACKNOWLEDGED"
            out += "  \(alert.ts)  \(alert.member.name): \(alert.category) (\(alert.severity)), \(acknowledged)\n"
        }
        return out
    }

    /// `2026-11-23T18:04:10-08:00` → `2026-11-23 18:04:10` (already in the session's zone).
    static func local(_ wire: String) -> String {
        String(wire.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    static func hours(_ value: Double) -> String { String(format: "%.1f", value) }

    static func trend(_ weeks: [CheckinTrend], _ value: KeyPath<CheckinTrend, Double?>) -> String {
        weeks.compactMap { week in week[keyPath: value].map { "W\(String(format: "%02d", week.week.week)) \(String(format: "%.1f", $0))" } }
            .joined(separator: " > ")
    }

    /// One CSV cell: quoted when needed; a leading `=`, `+`, `-`, `@` is made inert for spreadsheets.
    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@\t\r".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
