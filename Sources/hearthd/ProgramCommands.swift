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

struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record, revoke and list participants' consents for family members to take part (42 CFR Part 2 §2.31).",
        subcommands: [Add.self, Revoke.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a participant's written consent for a family member to join their family sessions.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The participant who consents (id or key).") var participant: String
        @Option(help: "The family member it is for (id or key).") var family: String
        @Option(help: "Only this series (key); default: every family and multi-family session.") var series: String?
        @Option(help: "Last day it is valid, e.g. 2027-01-31.") var expires: String?
        @Option(help: "Where the signed form is kept, or other context (no clinical detail).") var note: String?

        func run() throws {
            let database = try openDatabase(database)
            let directory = Directory(database)
            let who = try person(participant, in: directory, role: .participant)
            let member = try person(family, in: directory, role: .family)
            var seriesID: SeriesID?
            if let series {
                guard let record = try ScheduleStore(database).series(key: series) else {
                    throw AdminError("No series has the key \"\(series)\".")
                }
                seriesID = record.id
            }
            let consent = try ConsentStore(database).add(participant: who.id, family: member.id, series: seriesID,
                                                         expiresOn: try expires.map { try parseDate($0, "--expires") }, note: note)
            print("consent \(consent.id!): \(who.displayName) consents to \(member.displayName) taking part in \(series.map { "series \($0)" } ?? "their family sessions")\(expires.map { " until \($0)" } ?? "")")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a consent: the family member loses access at once (connected clients within a second).")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The consent's number (see `consent list`).") var id: Int64

        func run() throws {
            guard try ConsentStore(try openDatabase(database)).revoke(id: id) else {
                throw AdminError("Consent \(id) is unknown or already revoked.")
            }
            print("consent \(id) revoked")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List consents, newest first.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this participant's (id or key).") var participant: String?

        func run() throws {
            let database = try openDatabase(database)
            let directory = Directory(database)
            let who = try participant.map { try person($0, in: directory, role: .participant) }
            let series = Dictionary(uniqueKeysWithValues: try ScheduleStore(database).allSeries().map { ($0.id, $0.key) })
            for consent in try ConsentStore(database).list(participant: who?.id) {
                let from = try directory.person(consent.participantId)?.displayName ?? "?"
                let to = try directory.person(consent.familyId)?.displayName ?? "?"
                let scope = consent.seriesId.map { "series \(series[$0] ?? $0.rawValue)" } ?? "all family sessions"
                let state = consent.revokedAt.map { "revoked \(WireTime.local(Date(epochMilliseconds: $0), in: .current))" }
                    ?? (consent.isActive(at: Date(), in: .current) ? "in force" : "expired")
                print("\(consent.id!)  \(from) for \(to)  \(scope)  expires \(consent.expiresOn ?? "never")  \(state)")
            }
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
            guard let summary = try AttendanceReporter(try openDatabase(database)).summary(room: RoomID(room)) else {
                throw AdminError("There is no room \(room). (`hearthd schedule list` shows them.)")
            }
            switch format {
            case .text, .csv: print(ReportFormats.text(summary), terminator: "")
            case .json: print(try ReportCommand.json(summary))
            }
        }
    }
}
