import Foundation
import HearthCore
import Yams

/// Reads one entry of a schedule file's `series` list.
enum SeriesParser {
    static let fields: Set<String> = [
        "key", "title", "kind", "weekdays", "date", "start", "duration", "time_zone", "first_date", "last_date",
        "open_before", "grace_after", "program", "facilitators", "roster", "cohort", "participant", "family_of",
        "admission", "requires_staff", "agreement", "changes",
    ]

    static func series(_ node: Node, defaultZone: TimeZone?) throws(ScheduleFileError) -> SeriesDefinition {
        let fields = try Fields(node, what: "This series", allowed: Self.fields)
        let line = fields.line
        let key = try fields.key()
        let title = try fields.text("title")!
        let kindNode = try fields.required("kind")
        let kindText = try Fields.scalar(kindNode, "kind")
        guard let kind = SessionKind(rawValue: kindText) else {
            let kinds = SessionKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ScheduleFileError(line: Fields.lineOf(kindNode), "Unknown kind \"\(kindText)\" (expected one of \(kinds)).")
        }
        let start = try fields.time("start", required: true)!
        let duration = try fields.integer("duration", range: 5...720, unit: "minutes", required: true)!
        let zone: TimeZone
        if let zoneNode = fields.node("time_zone") {
            zone = try Fields.timeZone(zoneNode)
        } else if let defaultZone {
            zone = defaultZone
        } else {
            throw ScheduleFileError(line: line, "This series needs \"time_zone\" (or set one at the top of the file).")
        }

        let recurrence: SessionSchedule.Recurrence
        switch (fields.node("weekdays"), fields.node("date")) {
        case (let days?, nil):
            guard let list = days.sequence, !list.isEmpty else {
                throw ScheduleFileError(line: Fields.lineOf(days), "\"weekdays\" must be a list such as [mon, wed].")
            }
            var set = Set<Weekday>()
            for day in list {
                guard let weekday = Weekday(name: day.scalar?.string ?? "") else {
                    throw ScheduleFileError(line: Fields.lineOf(day), "\"\(day.scalar?.string ?? "?")\" is not a weekday (mon, tue, wed, thu, fri, sat, sun).")
                }
                set.insert(weekday)
            }
            recurrence = .weekly(set)
        case (nil, _?):
            recurrence = .once(try fields.date("date")!)
        case (_?, _?):
            throw ScheduleFileError(line: line, "A series has either \"weekdays\" (weekly) or \"date\" (one-off), not both.")
        case (nil, nil):
            throw ScheduleFileError(line: line, "This series needs \"weekdays\" (weekly) or \"date\" (one-off).")
        }
        let firstDate = try fields.date("first_date"), lastDate = try fields.date("last_date")
        if let firstDate, let lastDate, lastDate < firstDate {
            throw ScheduleFileError(line: Fields.lineOf(fields.node("last_date")!), "\"last_date\" is before \"first_date\".")
        }
        let openBefore = try fields.integer("open_before", range: 0...240, unit: "minutes")
        let graceAfter = try fields.integer("grace_after", range: 0...240, unit: "minutes")
        let window: ChatWindowPolicy? = (openBefore == nil && graceAfter == nil) ? nil : ChatWindowPolicy(
            openBeforeMinutes: openBefore ?? ChatWindowPolicy.standard.openBeforeMinutes,
            graceAfterMinutes: graceAfter ?? ChatWindowPolicy.standard.graceAfterMinutes)

        var schedule = SessionSchedule(recurrence: recurrence, start: start, durationMinutes: duration, timeZone: zone,
                                       firstDate: firstDate, lastDate: lastDate)
        schedule.changes = try changes(fields, schedule)

        let roster = try Self.roster(fields, kind: kind)
        let facilitators = try fields.references("facilitators") ?? []
        if kind == .individual && facilitators.isEmpty {
            throw ScheduleFileError(line: line, "An individual session needs \"facilitators\": the counselor who holds it (nobody else can join).")
        }
        var admission = Admission.auto
        if let node = fields.node("admission") {
            guard let value = Admission(rawValue: try Fields.scalar(node, "admission")) else {
                throw ScheduleFileError(line: Fields.lineOf(node), "\"admission\" must be auto or waiting.")
            }
            admission = value
        }
        let agreement = try fields.text("agreement", required: false)
        if let agreement, agreement.count > 2000 {
            throw ScheduleFileError(line: Fields.lineOf(fields.node("agreement")!), "\"agreement\" can be at most 2000 characters.")
        }
        return SeriesDefinition(key: key, title: title, kind: kind, schedule: schedule, window: window, roster: roster,
                                program: try fields.reference("program", required: false), facilitators: facilitators,
                                admission: admission, requiresStaff: try fields.bool("requires_staff") ?? false,
                                agreement: agreement, line: line)
    }

    /// Exactly one of `roster`, `cohort`, `participant`, `family_of`, and the one a kind of session needs.
    private static func roster(_ fields: Fields, kind: SessionKind) throws(ScheduleFileError) -> RosterDefinition {
        let given = ["roster", "cohort", "participant", "family_of"].filter { fields.node($0) != nil }
        guard given.count <= 1 else {
            throw ScheduleFileError(line: fields.line, "Give one of \"roster\", \"cohort\", \"participant\" or \"family_of\", not \(given.joined(separator: " and ")).")
        }
        let roster: RosterDefinition
        switch given.first {
        case "cohort": roster = .cohort(try fields.reference("cohort")!)
        case "participant": roster = .participant(try fields.reference("participant")!)
        case "family_of": roster = .family(try fields.reference("family_of")!)
        case "roster": roster = .participants(try fields.references("roster")!)
        default: roster = .participants([])
        }
        switch (kind, roster) {
        case (.individual, .participant), (.family, .family):
            return roster
        case (.individual, .participants(let list)) where list.count == 1:
            return .participant(list[0])
        case (.family, .participants(let list)) where list.count == 1:
            return .family(list[0])
        case (.individual, _):
            throw ScheduleFileError(line: fields.line, "An individual session is for one participant: give \"participant\".")
        case (.family, _):
            throw ScheduleFileError(line: fields.line, "A family session is for one participant and their family: give \"family_of\".")
        case (_, .family):
            throw ScheduleFileError(line: fields.line, "\"family_of\" is only for family sessions.")
        default:
            return roster
        }
    }

    /// `changes`: cancelled or moved occurrences, each naming a date the series meets.
    private static func changes(_ fields: Fields, _ schedule: SessionSchedule) throws(ScheduleFileError)
        -> [LocalDate: OccurrenceChange] {
        var result: [LocalDate: OccurrenceChange] = [:]
        for item in try fields.list("changes") {
            let change = try Fields(item, what: "A change", allowed: ["date", "cancel", "move_to", "start", "duration", "note"])
            let date = try change.date("date", required: true)!
            guard schedule.occurrence(on: date) != nil else {
                throw ScheduleFileError(line: change.line, "The series does not meet on \(date) (\(date.weekday.name)), so that date cannot be changed.")
            }
            guard result[date] == nil else {
                throw ScheduleFileError(line: change.line, "\(date) is changed twice.")
            }
            let cancel = try change.bool("cancel") ?? false
            let moveTo = try change.date("move_to"), start = try change.time("start")
            let duration = try change.integer("duration", range: 5...720, unit: "minutes")
            if cancel {
                guard moveTo == nil && start == nil && duration == nil else {
                    throw ScheduleFileError(line: change.line, "A change either cancels (\"cancel: true\") or moves the session, not both.")
                }
                result[date] = .cancelled
            } else {
                guard moveTo != nil || start != nil || duration != nil else {
                    throw ScheduleFileError(line: change.line, "A change needs \"cancel: true\", or \"move_to\", \"start\" or \"duration\".")
                }
                result[date] = .moved(date: moveTo, start: start, durationMinutes: duration)
            }
        }
        return result
    }
}
