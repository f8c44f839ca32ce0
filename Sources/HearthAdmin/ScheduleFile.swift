import Foundation
import HearthCore
import HearthStore
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

/// Parses the YAML schedule format (docs/SCHEDULE.md). Every problem is reported with its line; the first one
/// stops the parse.
public enum ScheduleFile {
    public static func parse(_ text: String) throws(ScheduleFileError) -> ScheduleDocument {
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
        let top = try Fields(root, what: "The file", allowed: ["time_zone", "programs", "cohorts", "enrollments", "series"])
        let defaultZone = try top.node("time_zone").map { node throws(ScheduleFileError) in try Fields.timeZone(node) }
        var document = ScheduleDocument()
        document.timeZone = defaultZone
        var keys = UniqueKeys()
        for item in try top.list("programs") {
            let program = try Self.program(item)
            try keys.insert("program", program.key, line: program.line)
            document.programs.append(program)
        }
        for item in try top.list("cohorts") {
            let fields = try Fields(item, what: "A cohort", allowed: ["key", "program", "title"])
            let cohort = CohortDefinition(key: try fields.key(), program: try fields.reference("program")!,
                                          title: try fields.text("title")!, line: fields.line)
            try keys.insert("cohort", cohort.key, line: cohort.line)
            document.cohorts.append(cohort)
        }
        for item in try top.list("enrollments") {
            document.enrollments.append(try Self.enrollment(item))
        }
        guard ["series", "programs", "cohorts", "enrollments"].contains(where: { top.node($0) != nil }) else {
            throw ScheduleFileError(line: top.line, "The file needs a \"series\" list (or programs, cohorts or enrollments).")
        }
        for item in try top.list("series") {
            let series = try SeriesParser.series(item, defaultZone: defaultZone)
            try keys.insert("series", series.key, line: series.line)
            document.series.append(series)
        }
        return document
    }

    private static func program(_ node: Node) throws(ScheduleFileError) -> ProgramDefinition {
        let fields = try Fields(node, what: "A program", allowed: ["key", "title", "weeks", "hours_per_week"])
        let hoursNode = try fields.required("hours_per_week")
        guard let hours = Double(try Fields.scalar(hoursNode, "hours_per_week")), hours >= 0.5, hours <= 40 else {
            throw ScheduleFileError(line: Fields.lineOf(hoursNode), "\"hours_per_week\" must be a number of hours from 0.5 to 40.")
        }
        return ProgramDefinition(key: try fields.key(), title: try fields.text("title")!,
                                 weeks: try fields.integer("weeks", range: 1...52, unit: "weeks", required: true)!,
                                 requiredMinutesPerWeek: Int((hours * 60).rounded()), line: fields.line)
    }

    private static func enrollment(_ node: Node) throws(ScheduleFileError) -> EnrollmentDefinition {
        let fields = try Fields(node, what: "An enrollment",
                                allowed: ["participant", "program", "cohort", "start", "end", "graduated", "discharged"])
        let start = try fields.date("start", required: true)!
        let end = try fields.date("end", required: true)!
        guard end > start else { throw ScheduleFileError(line: fields.line, "\"end\" must be after \"start\".") }
        let graduated = try fields.date("graduated"), discharged = try fields.date("discharged")
        if graduated != nil && discharged != nil {
            throw ScheduleFileError(line: fields.line, "An enrollment ends with \"graduated\" or \"discharged\", not both.")
        }
        if let ended = graduated ?? discharged, ended < start {
            throw ScheduleFileError(line: fields.line, "An enrollment cannot end before its \"start\".")
        }
        return EnrollmentDefinition(participant: try fields.reference("participant")!, program: try fields.reference("program")!,
                                    cohort: try fields.reference("cohort", required: false), start: start, end: end,
                                    endedOn: graduated ?? discharged,
                                    endReason: graduated != nil ? .graduated : (discharged != nil ? .discharged : nil),
                                    line: fields.line)
    }

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

/// Keys must be unique within their kind in one file.
struct UniqueKeys {
    private var seen: [String: Int] = [:]

    mutating func insert(_ kind: String, _ key: String, line: Int) throws(ScheduleFileError) {
        if let first = seen["\(kind):\(key)"] {
            throw ScheduleFileError(line: line, "The \(kind) key \"\(key)\" is already used on line \(first).")
        }
        seen["\(kind):\(key)"] = line
    }
}

/// A YAML mapping read field by field, every error carrying the line it is about.
struct Fields {
    let map: Node.Mapping
    let line: Int
    let what: String

    init(_ node: Node, what: String, allowed: Set<String>) throws(ScheduleFileError) {
        line = Self.lineOf(node)
        guard let map = node.mapping else { throw ScheduleFileError(line: line, "\(what) must be a mapping of fields.") }
        for (key, _) in map where !allowed.contains(key.string ?? "") {
            let known = allowed.sorted().joined(separator: ", ")
            throw ScheduleFileError(line: Self.lineOf(key), "Unknown field \"\(key.string ?? "?")\" (expected one of \(known)).")
        }
        self.map = map
        self.what = what
    }

    func node(_ name: String) -> Node? { map[name] }

    func required(_ name: String) throws(ScheduleFileError) -> Node {
        guard let value = map[name] else {
            throw ScheduleFileError(line: line, "\(what) needs \"\(name)\".")
        }
        return value
    }

    /// A non-empty text, trimmed; nil when absent and not required.
    func text(_ name: String, required: Bool = true) throws(ScheduleFileError) -> String? {
        guard let node = map[name] else {
            if required { throw ScheduleFileError(line: line, "\(what) needs \"\(name)\".") }
            return nil
        }
        return try Self.scalar(node, name)
    }

    func key() throws(ScheduleFileError) -> String {
        let key = try text("key")!
        guard key.count <= 80 else { throw ScheduleFileError(line: line, "\"key\" is longer than 80 characters.") }
        return key
    }

    func reference(_ name: String, required: Bool = true) throws(ScheduleFileError) -> KeyReference? {
        guard let node = map[name] else {
            if required { throw ScheduleFileError(line: line, "\(what) needs \"\(name)\".") }
            return nil
        }
        return KeyReference(key: try Self.scalar(node, name), line: Self.lineOf(node))
    }

    func references(_ name: String) throws(ScheduleFileError) -> [KeyReference]? {
        guard let node = map[name] else { return nil }
        guard let list = node.sequence else {
            throw ScheduleFileError(line: Self.lineOf(node), "\"\(name)\" must be a list such as [alex, sam].")
        }
        var result: [KeyReference] = []
        for entry in list { result.append(KeyReference(key: try Self.scalar(entry, "\(name) entry"), line: Self.lineOf(entry))) }
        return result
    }

    func integer(_ name: String, range: ClosedRange<Int>, unit: String, required: Bool = false) throws(ScheduleFileError) -> Int? {
        guard let node = map[name] else {
            if required { throw ScheduleFileError(line: line, "\(what) needs \"\(name)\" (\(unit)).") }
            return nil
        }
        guard let value = Int(try Self.scalar(node, name)), range.contains(value) else {
            throw ScheduleFileError(line: Self.lineOf(node), "\"\(name)\" must be a whole number of \(unit) from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    func date(_ name: String, required: Bool = false) throws(ScheduleFileError) -> LocalDate? {
        guard let node = map[name] else {
            if required { throw ScheduleFileError(line: line, "\(what) needs \"\(name)\" (a date like 2026-11-23).") }
            return nil
        }
        guard let value = LocalDate(try Self.scalar(node, name)) else {
            throw ScheduleFileError(line: Self.lineOf(node), "\"\(name)\" must be a date like 2026-11-23.")
        }
        return value
    }

    func time(_ name: String, required: Bool = false) throws(ScheduleFileError) -> LocalTime? {
        guard let node = map[name] else {
            if required { throw ScheduleFileError(line: line, "\(what) needs \"\(name)\" (a time like \"18:00\").") }
            return nil
        }
        guard let value = LocalTime(try Self.scalar(node, name)) else {
            throw ScheduleFileError(line: Self.lineOf(node), "\"\(name)\" must be a time like \"18:00\" (quote it).")
        }
        return value
    }

    func bool(_ name: String) throws(ScheduleFileError) -> Bool? {
        guard let node = map[name] else { return nil }
        switch try Self.scalar(node, name).lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw ScheduleFileError(line: Self.lineOf(node), "\"\(name)\" must be true or false.")
        }
    }

    static func scalar(_ node: Node, _ name: String) throws(ScheduleFileError) -> String {
        guard let value = node.scalar?.string, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ScheduleFileError(line: lineOf(node), "\"\(name)\" must be a non-empty value.")
        }
        return value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A list field's items (an absent field is an empty list).
    func list(_ name: String) throws(ScheduleFileError) -> [Node] {
        guard let node = map[name] else { return [] }
        guard let list = node.sequence else { throw ScheduleFileError(line: Self.lineOf(node), "\"\(name)\" must be a list.") }
        return Array(list)
    }

    static func timeZone(_ node: Node) throws(ScheduleFileError) -> TimeZone {
        let name = node.scalar?.string ?? ""
        guard name.contains("/") || name == "UTC", let zone = TimeZone(identifier: name) else {
            throw ScheduleFileError(line: lineOf(node), "\"\(name)\" is not a time zone name such as America/Los_Angeles.")
        }
        return zone
    }

    static func lineOf(_ node: Node) -> Int { node.mark?.line ?? 1 }
}
