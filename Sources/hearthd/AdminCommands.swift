import ArgumentParser
import Foundation
import HearthAdmin
import HearthCore
import HearthServer
import HearthStore

/// A refusal of an admin command that is about the data, not the command line (so no usage text follows it).
struct AdminError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Opens the database for an admin command (quietly: no log lines on stdout).
func openDatabase(_ option: DatabaseOption) throws -> HearthDatabase {
    try HearthDatabase(path: option.path)
}

/// Prints a new person and their one-time token.
func printPerson(_ person: PersonRecord, token: String, url: String) {
    print("\(person.role.rawValue) \(person.displayName) (id \(person.id))")
    print("token (shown once): \(token)")
    if !person.role.isStaff { print("invite link: \(url)/#invite=\(token)") }
}

extension Role: ExpressibleByArgument {}

struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Manage counselors and admins.",
                                                    subcommands: [Add.self])
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a counselor or admin and print their token.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Name shown to others, e.g. \"Dana M.\".") var name: String
        @Option(help: "counselor or admin.") var role: Role = .counselor
        @Option(help: "Full legal name (kept for staff records; never shown to participants).") var legalName: String?

        func validate() throws {
            guard role.isStaff else { throw ValidationError("--role must be counselor or admin.") }
        }

        func run() throws {
            let directory = Directory(try openDatabase(database))
            let person = try directory.addPerson(role: role, displayName: name, legalName: legalName)
            printPerson(person, token: try directory.issueToken(for: person.id), url: "")
        }
    }
}

struct ParticipantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "participant", abstract: "Manage participants.",
                                                    subcommands: [Add.self])
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a participant and print their invite link.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Display name: first name and last initial, or a chosen name.") var name: String
        @Option(help: "Full legal name (staff only).") var legalName: String?
        @Option(help: "A key to name them by in schedule files' rosters, e.g. alex.") var key: String?
        @Option(help: "Server address for the invite link.") var url = "http://127.0.0.1:8080"

        func run() throws {
            let directory = Directory(try openDatabase(database))
            let person = try directory.addPerson(role: .participant, displayName: name, legalName: legalName, externalKey: key)
            printPerson(person, token: try directory.issueToken(for: person.id), url: url)
        }
    }
}

struct FamilyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "family", abstract: "Manage family members.",
                                                    subcommands: [Add.self])
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a family member of a participant (they may join only that participant's family sessions).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Display name, e.g. \"Maria R.\".") var name: String
        @Option(help: "The participant's id or key.") var of: String
        @Option(help: "Full legal name (staff only).") var legalName: String?
        @Option(help: "Server address for the invite link.") var url = "http://127.0.0.1:8080"

        func run() throws {
            let directory = Directory(try openDatabase(database))
            guard let participant = try directory.person(reference: of), participant.role == .participant else {
                throw ValidationError("No participant has the id or key \"\(of)\".")
            }
            let person = try directory.addPerson(role: .family, displayName: name, legalName: legalName,
                                                 familyOf: participant.id)
            printPerson(person, token: try directory.issueToken(for: person.id), url: url)
        }
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Issue and revoke access tokens.",
                                                    subcommands: [Issue.self, Revoke.self])
    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new token for an existing person.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The person's id or key.") var person: String

        func run() throws {
            let directory = Directory(try openDatabase(database))
            guard let record = try directory.person(reference: person) else {
                throw ValidationError("No person has the id or key \"\(person)\".")
            }
            print("token for \(record.displayName) (shown once): \(try directory.issueToken(for: record.id))")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token, or every token of a person. Connected clients are closed within seconds.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The token to revoke.") var token: String?
        @Option(help: "Revoke every token of this person (id or key) instead.") var person: String?

        func validate() throws {
            if (token == nil) == (person == nil) { throw ValidationError("Give either a token or --person.") }
        }

        func run() throws {
            let directory = Directory(try openDatabase(database))
            if let token {
                guard try directory.revoke(token: token) else {
                    throw ValidationError("That token is unknown or already revoked.")
                }
                print("revoked 1 token")
            } else if let person {
                guard let record = try directory.person(reference: person) else {
                    throw ValidationError("No person has the id or key \"\(person)\".")
                }
                print("revoked \(try directory.revokeAll(of: record.id)) token(s) of \(record.displayName)")
            }
        }
    }
}

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule", abstract: "Import and list session series.",
                                                    subcommands: [Import.self, List.self])
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a YAML schedule (docs/SCHEDULE.md). All or nothing; importing twice changes nothing.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The YAML file.") var file: String

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("Cannot read \(file) as UTF-8 text.")
            }
            do {
                let summary = try ScheduleImporter(try openDatabase(database)).importFile(text)
                print("imported \(file): \(summary.created) new, \(summary.updated) changed, \(summary.unchanged) unchanged series; \(summary.roomsCreated) new rooms")
            } catch let error as ScheduleFileError {
                throw AdminError("\(file), \(error) Nothing was imported.")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List series and their rooms of the coming days.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "How many days ahead to list rooms.") var days = 7

        func run() throws {
            let database = try openDatabase(database)
            let schedule = ScheduleStore(database)
            let directory = Directory(database)
            let now = Date()
            try schedule.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(Double(max(days, 1) + 1) * 86400), now: now)
            for series in try schedule.allSeries() {
                let when = series.weekdays.map { "every \($0)" } ?? "on \(series.onDate ?? "?")"
                let roster = try schedule.roster(of: series.id).compactMap { try directory.person($0)?.displayName }
                print("\(series.title) [\(series.kind.rawValue)] key \(series.key): \(when) at \(series.startTime) for \(series.durationMinutes) min, \(series.timeZone); roster: \(roster.isEmpty ? "none" : roster.joined(separator: ", "))")
            }
            print("")
            print("Rooms from now to \(days) days ahead:")
            let rooms = try schedule.rooms(from: now, to: now.addingTimeInterval(Double(days) * 86400), defaultWindow: .standard)
            for room in rooms {
                let summary = room.summary(at: now)
                print("  \(summary.starts) to \(summary.ends)  \(room.title)  room \(room.id)\(summary.open ? "  (open)" : "")")
            }
        }
    }
}

struct PeopleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "people", abstract: "List people.",
                                                    subcommands: [List.self])
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List people with their ids, roles and keys.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this role.") var role: Role?

        func run() throws {
            for person in try Directory(try openDatabase(database)).people(role: role) {
                let key = person.externalKey.map { " key \($0)" } ?? ""
                print("\(person.id)  \(person.role.rawValue)  \(person.displayName)\(key)")
            }
        }
    }
}

struct PrintDefaultConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print-default-config",
        abstract: "Print the default configuration as JSON (every key can also be set as HEARTH_<KEY>).")

    func run() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(ServerConfiguration()), as: UTF8.self))
    }
}
