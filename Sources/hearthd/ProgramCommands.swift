import ArgumentParser
import Foundation
import HearthAdmin
import HearthCore
import HearthStore

extension EnrollmentEnd: ExpressibleByArgument {}

/// Finds a participant (or family member) by id or key, or explains.
func person(_ reference: String, in directory: Directory, role: Role) throws -> PersonRecord {
    guard let record = try directory.person(reference: reference), record.role == role else {
        throw AdminError("No \(role.rawValue) has the id or key \"\(reference)\". (`hearthd people list` shows them.)")
    }
    return record
}

func parseDate(_ text: String, _ option: String) throws -> LocalDate {
    guard let date = LocalDate(text) else { throw ValidationError("\(option) must be a date like 2026-11-23.") }
    return date
}

struct EnrollmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrollment", abstract: "List, end and extend program enrollments (set them up in the schedule file).",
        subcommands: [List.self, End.self, Extend.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrollments.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this program (key).") var program: String?

        func run() throws {
            let database = try openDatabase(database)
            let directory = Directory(database)
            for enrollment in try ProgramStore(database).enrollments(program: program) {
                let name = try directory.person(enrollment.personId)?.displayName ?? "?"
                let ended = enrollment.endedAt.map {
                    "; \(enrollment.endReason?.rawValue ?? "ended") \(WireTime.local(Date(epochMilliseconds: $0), in: .current))"
                } ?? ""
                print("\(name)  \(enrollment.programKey)  cohort \(enrollment.cohortKey ?? "none")  \(enrollment.startDate) to \(enrollment.endDate)\(ended)")
            }
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End an enrollment now: graduation or discharge. The participant is disconnected within a second.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The participant's id or key.") var participant: String
        @Option(help: "The program's key.") var program: String
        @Option(help: "graduated or discharged.") var reason: EnrollmentEnd

        func run() throws {
            let database = try openDatabase(database)
            let who = try person(participant, in: Directory(database), role: .participant)
            try ProgramStore(database).end(person: who.id, program: program, reason: reason)
            print("\(who.displayName): \(reason.rawValue) from \(program); their invitation no longer opens sessions")
        }
    }

    struct Extend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move an enrollment's planned end date.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The participant's id or key.") var participant: String
        @Option(help: "The program's key.") var program: String
        @Option(help: "The new end date, e.g. 2027-01-30.") var until: String

        func run() throws {
            let database = try openDatabase(database)
            let who = try person(participant, in: Directory(database), role: .participant)
            let record = try ProgramStore(database).extend(person: who.id, program: program, until: try parseDate(until, "--until"))
            print("\(who.displayName): enrolled in \(program) until \(record.endDate)")
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Attendance reports and post-session summaries.",
        subcommands: [Attendance.self, Session.self])

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    struct Attendance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attendance of an ISO week: every session and person, and each participant's hours against the program's.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "ISO week, e.g. 2026-W48 (default: this week).") var week: String?
        @Option(help: "Only this program's sessions (key).") var program: String?
        @Option(help: "text, csv (for a spreadsheet) or json.") var format: Format = .text

        func run() throws {
            let now = Date()
            let isoWeek: ISOWeek
            if let week {
                guard let parsed = ISOWeek(week) else { throw ValidationError("--week must be an ISO week like 2026-W48.") }
                isoWeek = parsed
            } else {
                isoWeek = ISOWeek(containing: LocalDate(now, in: .current))
            }
            let database = try openDatabase(database)
            if let program, try ProgramStore(database).program(key: program) == nil {
                throw AdminError("No program has the key \"\(program)\".")
            }
            let report = try AttendanceReporter(database).report(week: isoWeek, program: program, now: now)
            try AuditLog(database).append(.reportRead, actor: nil,
                                          detail: "attendance report, week \(isoWeek)\(program.map { ", program \($0)" } ?? "")",
                                          at: now)
            switch format {
            case .text: print(ReportFormats.text(report), terminator: "")
            case .csv: FileHandle.standardOutput.write(Data(ReportFormats.csv(report).utf8))
            case .json: print(try ReportCommand.json(report))
            }
        }
    }

    struct Session: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The post-session summary of one room: attendance, messages per person, check-ins, alerts.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The room id (see `schedule list`).") var room: String
        @Option(help: "text or json.") var format: Format = .text

        func run() throws {
            let database = try openDatabase(database)
            guard let summary = try AttendanceReporter(database).summary(room: RoomID(room)) else {
                throw AdminError("There is no room \(room). (`hearthd schedule list` shows them.)")
            }
            try AuditLog(database).append(.reportRead, actor: nil, room: RoomID(room), detail: "session summary", at: Date())
            switch format {
            case .text, .csv: print(ReportFormats.text(summary), terminator: "")
            case .json: print(try ReportCommand.json(summary))
            }
        }
    }
}
