import ArgumentParser
import Foundation
import HearthCore
import HearthStore

/// `hearthd audit`: check the audit log's hash chain and read it.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify and read the append-only, hash-chained audit log.",
        subcommands: [Verify.self, List.self, BreakGlass.self])

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the whole hash chain: prints the rows checked and the head hash, or every break (exit code 1).",
            discussion: """
                Keep the head hash somewhere else (the server logs it as `audit head` every hour and at start and \
                stop). With --expect-head HASH the run also fails (exit code 1) when HASH is no longer in the chain: \
                rows were cut off the end or the chain was rewritten, which the chain alone cannot show.
                """)
        @OptionGroup var database: DatabaseOption
        @Option(help: "A head hash written down earlier (64 hex digits): fail unless it is still in the chain.")
        var expectHead: String?

        func validate() throws {
            do {
                _ = try expectHead.map(AuditHead.hashBytes)
            } catch StoreError.invalid(let why) {
                throw ValidationError("--expect-head: \(why)")
            }
        }

        func run() throws {
            let result = try AuditLog(try openDatabase(database)).verify(expectingHead: expectHead)
            var failed = false
            if result.intact {
                print("audit log intact: \(result.rows) rows checked; head hash \(result.head)")
            } else {
                print("AUDIT LOG BROKEN: \(result.problems.count) problem(s) in \(result.rows) rows; head hash \(result.head)")
                for problem in result.problems { print("- \(problem)") }
                failed = true
            }
            switch result.expected {
            case nil: break
            case .current?: print("expected head: it is the head now; no row was added since")
            case .earlier(let row, let added)?:
                print("expected head: it is row \(row)'s hash; \(added) row(s) were added since that head")
            case .missing?:
                print("AUDIT LOG CUT OR REWRITTEN: the expected head \((expectHead ?? "").trimmingCharacters(in: .whitespaces).lowercased()) is not the hash of any row: the chain was cut or rewritten since it was written down (rows removed from the end, or the log rebuilt). Compare with a backup and the server's `audit head` log lines to find when.")
                failed = true
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List audit rows, oldest first (the newest --limit of those that match).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only rows where this person (id or key) acted or was acted on.") var person: String?
        @Option(help: "Only this room's rows (room id).") var room: String?
        @Option(help: "Only these actions (repeat the option), e.g. transcript_export.") var action: [String] = []
        @Option(help: "From this date (2026-11-22, local) or time (2026-11-22T18:00:00-08:00).") var since: String?
        @Option(help: "Up to this date (inclusive, local) or time (exclusive).") var until: String?
        @Option(help: "At most this many rows.") var limit = 1000
        @Option(help: "text or json.") var format: Format = .text

        func validate() throws {
            let known = Set(AuditAction.allCases.map(\.rawValue))
            for name in action where !known.contains(name) {
                throw ValidationError("Unknown action \"\(name)\". Actions: \(AuditAction.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard limit > 0 else { throw ValidationError("--limit must be 1 or more.") }
        }

        func run() throws {
            let database = try openDatabase(database)
            var filter = AuditFilter(actions: action, limit: limit)
            if let person {
                guard let record = try Directory(database).person(reference: person) else {
                    throw AdminError("No person has the id or key \"\(person)\". (`hearthd people list` shows them.)")
                }
                filter.person = record.id
            }
            filter.room = room.map(RoomID.init)
            filter.from = try since.map { try moment($0, "--since", endOfDay: false) }
            filter.to = try until.map { try moment($0, "--until", endOfDay: true) }
            let rows = try AuditRows(database).lines(AuditLog(database).list(filter))
            switch format {
            case .text:
                if rows.isEmpty { print("no audit rows match") }
                for row in rows { print(row.text) }
            case .json: print(try ReportCommand.json(rows))
            }
        }
    }

    struct BreakGlass: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "break-glass",
            abstract: "List only the break-glass rows: emergency access outside the usual rules, each to be reviewed.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "At most this many rows.") var limit = 1000

        func run() throws {
            let database = try openDatabase(database)
            let rows = try AuditRows(database).lines(
                AuditLog(database).list(AuditFilter(actions: [AuditAction.breakGlass.rawValue], limit: limit)))
            print("!!! BREAK-GLASS ACCESS: \(rows.count) emergency access(es) outside the usual rules. Review each one. !!!")
            for row in rows { print(row.text) }
        }
    }
}

/// `2026-11-22` (local midnight; with `endOfDay`, the next midnight) or an ISO-8601 time.
func moment(_ text: String, _ option: String, endOfDay: Bool) throws -> Date {
    if let date = LocalDate(text) {
        let calendar = Calendar.gregorian(in: .current)
        guard let start = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) else {
            throw ValidationError("\(option): \(text) is not a date.")
        }
        return endOfDay ? calendar.date(byAdding: .day, value: 1, to: start) ?? start : start
    }
    guard let time = WireTime.parse(text) else {
        throw ValidationError("\(option) must be a date like 2026-11-22 or a time like 2026-11-22T18:00:00-08:00.")
    }
    return time
}

/// Audit rows with names put to the ids: actor and target by display name, room by title and date.
struct AuditRows {
    struct Line: Encodable {
        var id: Int64
        var at: String
        var actor: String
        var actorId: String?
        var action: String
        var room: String?
        var roomId: String?
        var target: String?
        var detail: String?

        var text: String {
            var parts = [at, actor, action]
            if let room { parts.append("in \(room)") }
            if let target { parts.append("target \(target)") }
            if let detail { parts.append("(\(detail))") }
            return "#\(id)  " + parts.joined(separator: "  ")
        }
    }

    let directory: Directory
    let schedule: ScheduleStore

    init(_ database: HearthDatabase) {
        directory = Directory(database)
        schedule = ScheduleStore(database)
    }

    func lines(_ entries: [AuditEntry]) throws -> [Line] {
        var people: [String: String?] = [:]
        var rooms: [RoomID: String?] = [:]
        func name(_ reference: String) throws -> String? {
            if let known = people[reference] { return known }
            let found = reference.hasPrefix("p_") ? try directory.person(PersonID(reference))?.displayName : nil
            people[reference] = found
            return found
        }
        return try entries.map { entry in
            var roomText: String?
            if let room = entry.room {
                if rooms[room] == nil {
                    rooms[room] = try schedule.descriptor(of: room, defaultWindow: .standard).map { "\($0.title) \($0.date)" }
                }
                roomText = (rooms[room] ?? nil) ?? room.rawValue
            }
            let actor = try entry.actor.map { try name($0.rawValue) ?? $0.rawValue } ?? "operator"
            let target = try entry.target.map { try name($0) ?? $0 }
            return Line(id: entry.id, at: WireTime.local(entry.at, in: .current), actor: actor,
                        actorId: entry.actor?.rawValue, action: entry.action, room: roomText,
                        roomId: entry.room?.rawValue, target: target, detail: entry.detail)
        }
    }
}
