import Foundation
import HearthCore
import Yams

/// A schedule file that cannot be imported: where and why. Nothing from the file is imported.
public struct ScheduleFileError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// One series as written in a schedule file (docs/SCHEDULE.md), checked but with its roster not yet resolved.
public struct SeriesDefinition: Equatable, Sendable {
    public var key: String
    public var title: String
    public var kind: SessionKind
    public var schedule: SessionSchedule
    public var window: ChatWindowPolicy?
    /// Participant ids or keys, each with the line it was written on.
    public var roster: [(reference: String, line: Int)]
    public var line: Int

    public static func == (lhs: SeriesDefinition, rhs: SeriesDefinition) -> Bool {
        lhs.key == rhs.key && lhs.title == rhs.title && lhs.kind == rhs.kind && lhs.schedule == rhs.schedule
            && lhs.window == rhs.window && lhs.roster.map(\.reference) == rhs.roster.map(\.reference)
    }
}

/// Parses the YAML schedule format. Every problem is reported with its line; the first one stops the parse.
public enum ScheduleFile {
    static let seriesFields: Set<String> = [
        "key", "title", "kind", "weekdays", "date", "start", "duration", "time_zone", "first_date", "last_date",
        "open_before", "grace_after", "roster",
    ]

    public static func parse(_ text: String) throws(ScheduleFileError) -> [SeriesDefinition] {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ScheduleFileError(line: 1, "The file is empty.") }
            root = node
        } catch let error as ScheduleFileError {
            throw error
        } catch let error as YamlError {
            throw ScheduleFileError(line: line(of: error), "This is not valid YAML: \(problem(of: error)).")
        } catch {
            throw ScheduleFileError(line: 1, "This is not valid YAML.")
        }
        guard let top = root.mapping else { throw ScheduleFileError(line: lineOf(root), "The file must be a mapping with a \"series\" list.") }
        for (key, _) in top where !["time_zone", "series"].contains(key.string ?? "") {
            throw ScheduleFileError(line: lineOf(key), "Unknown top-level field \"\(key.string ?? "?")\" (expected time_zone, series).")
        }
        var defaultZone: TimeZone?
        if let zoneNode = top["time_zone"] {
            defaultZone = try timeZone(zoneNode)
        }
        guard let seriesNode = top["series"] else { throw ScheduleFileError(line: lineOf(root), "The file needs a \"series\" list.") }
        guard let list = seriesNode.sequence else { throw ScheduleFileError(line: lineOf(seriesNode), "\"series\" must be a list.") }
        var seen: [String: Int] = [:]
        var result: [SeriesDefinition] = []
        for item in list {
            let definition = try series(item, defaultZone: defaultZone)
            if let first = seen[definition.key] {
                throw ScheduleFileError(line: definition.line, "The key \"\(definition.key)\" is already used on line \(first).")
            }
            seen[definition.key] = definition.line
            result.append(definition)
        }
        return result
    }

    private static func series(_ node: Node, defaultZone: TimeZone?) throws(ScheduleFileError) -> SeriesDefinition {
        let line = lineOf(node)
        guard let map = node.mapping else { throw ScheduleFileError(line: line, "Each series must be a mapping.") }
        for (key, _) in map where !seriesFields.contains(key.string ?? "") {
            throw ScheduleFileError(line: lineOf(key), "Unknown field \"\(key.string ?? "?")\" in a series.")
        }
        func required(_ name: String) throws(ScheduleFileError) -> Node {
            guard let value = map[name] else { throw ScheduleFileError(line: line, "This series needs \"\(name)\".") }
            return value
        }
        func text(_ node: Node, _ name: String) throws(ScheduleFileError) -> String {
            guard let value = node.scalar?.string, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ScheduleFileError(line: lineOf(node), "\"\(name)\" must be a non-empty value.")
            }
            return value.trimmingCharacters(in: .whitespaces)
        }
        func minutes(_ name: String, range: ClosedRange<Int>) throws(ScheduleFileError) -> Int? {
            guard let node = map[name] else { return nil }
            guard let value = Int(try text(node, name)), range.contains(value) else {
                throw ScheduleFileError(line: lineOf(node), "\"\(name)\" must be a whole number of minutes from \(range.lowerBound) to \(range.upperBound).")
            }
            return value
        }
        func date(_ name: String) throws(ScheduleFileError) -> LocalDate? {
            guard let node = map[name] else { return nil }
            guard let value = LocalDate(try text(node, name)) else {
                throw ScheduleFileError(line: lineOf(node), "\"\(name)\" must be a date like 2026-11-23.")
            }
            return value
        }

        let key = try text(try required("key"), "key")
        guard key.count <= 80 else { throw ScheduleFileError(line: line, "\"key\" is longer than 80 characters.") }
        let title = try text(try required("title"), "title")
        let kindNode = try required("kind")
        let kindText = try text(kindNode, "kind")
        guard let kind = SessionKind(rawValue: kindText) else {
            let kinds = SessionKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ScheduleFileError(line: lineOf(kindNode), "Unknown kind \"\(kindText)\" (expected one of \(kinds)).")
        }
        let startNode = try required("start")
        guard let start = LocalTime(try text(startNode, "start")) else {
            throw ScheduleFileError(line: lineOf(startNode), "\"start\" must be a time like \"18:00\" (quote it).")
        }
        guard let duration = try minutes("duration", range: 5...720) else {
            throw ScheduleFileError(line: line, "This series needs \"duration\" (minutes).")
        }
        let zone: TimeZone
        if let zoneNode = map["time_zone"] {
            zone = try timeZone(zoneNode)
        } else if let defaultZone {
            zone = defaultZone
        } else {
            throw ScheduleFileError(line: line, "This series needs \"time_zone\" (or set one at the top of the file).")
        }

        let recurrence: SessionSchedule.Recurrence
        switch (map["weekdays"], map["date"]) {
        case (let days?, nil):
            guard let list = days.sequence, !list.isEmpty else {
                throw ScheduleFileError(line: lineOf(days), "\"weekdays\" must be a list such as [mon, wed].")
            }
            var set = Set<Weekday>()
            for day in list {
                guard let weekday = Weekday(name: day.scalar?.string ?? "") else {
                    throw ScheduleFileError(line: lineOf(day), "\"\(day.scalar?.string ?? "?")\" is not a weekday (mon, tue, wed, thu, fri, sat, sun).")
                }
                set.insert(weekday)
            }
            recurrence = .weekly(set)
        case (nil, _?):
            recurrence = .once(try date("date")!)
        case (_?, _?):
            throw ScheduleFileError(line: line, "A series has either \"weekdays\" (weekly) or \"date\" (one-off), not both.")
        case (nil, nil):
            throw ScheduleFileError(line: line, "This series needs \"weekdays\" (weekly) or \"date\" (one-off).")
        }
        let firstDate = try date("first_date"), lastDate = try date("last_date")
        if let firstDate, let lastDate, lastDate < firstDate {
            throw ScheduleFileError(line: lineOf(map["last_date"]!), "\"last_date\" is before \"first_date\".")
        }
        let openBefore = try minutes("open_before", range: 0...240)
        let graceAfter = try minutes("grace_after", range: 0...240)
        let window: ChatWindowPolicy? = (openBefore == nil && graceAfter == nil) ? nil : ChatWindowPolicy(
            openBeforeMinutes: openBefore ?? ChatWindowPolicy.standard.openBeforeMinutes,
            graceAfterMinutes: graceAfter ?? ChatWindowPolicy.standard.graceAfterMinutes)

        var roster: [(String, Int)] = []
        if let rosterNode = map["roster"] {
            guard let list = rosterNode.sequence else {
                throw ScheduleFileError(line: lineOf(rosterNode), "\"roster\" must be a list of participant keys or ids.")
            }
            for entry in list { roster.append((try text(entry, "roster entry"), lineOf(entry))) }
        }
        if (kind == .individual || kind == .family) && roster.count != 1 {
            throw ScheduleFileError(line: line, "\(kind == .individual ? "An individual" : "A family") session has exactly one participant on its roster.")
        }
        return SeriesDefinition(
            key: key, title: title, kind: kind,
            schedule: SessionSchedule(recurrence: recurrence, start: start, durationMinutes: duration, timeZone: zone,
                                      firstDate: firstDate, lastDate: lastDate),
            window: window, roster: roster, line: line)
    }

    private static func timeZone(_ node: Node) throws(ScheduleFileError) -> TimeZone {
        let name = node.scalar?.string ?? ""
        guard name.contains("/") || name == "UTC", let zone = TimeZone(identifier: name) else {
            throw ScheduleFileError(line: lineOf(node), "\"\(name)\" is not a time zone name such as America/Los_Angeles.")
        }
        return zone
    }

    private static func lineOf(_ node: Node) -> Int { node.mark?.line ?? 1 }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: 1
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        case .duplicatedKeysInMapping(let duplicates, _):
            "the field \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) is written twice"
        default: "\(error)"
        }
    }
}
