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
        @Option(help: "A key to name them by in schedule files' facilitators, e.g. dana.") var key: String?

        func validate() throws {
            guard role.isStaff else { throw ValidationError("--role must be counselor or admin.") }
        }

        func run() throws {
            let directory = Directory(try openDatabase(database))
            let person = try directory.addPerson(role: role, displayName: name, legalName: legalName, externalKey: key)
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
                                                    subcommands: [Add.self, Invite.self])

    struct Invite: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A single-use invitation for one family member to one session, valid until it ends.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The family member (id or key).") var family: String
        @Option(help: "The room of the session (see `schedule list`).") var room: String
        @Option(help: "Server address for the invite link.") var url = "http://127.0.0.1:8080"

        func run() throws {
            let database = try openDatabase(database)
            let member = try person(family, in: Directory(database), role: .family)
            guard let descriptor = try ScheduleStore(database).descriptor(of: RoomID(room), defaultWindow: .standard) else {
                throw AdminError("There is no room \(room).")
            }
            guard descriptor.kind.admitsFamily, let of = member.familyOf, descriptor.roster.contains(of) else {
                throw AdminError("\(member.displayName) cannot take part in \(descriptor.title): it is not a family session of their participant.")
            }
            guard Date() < descriptor.closes else { throw AdminError("That session has ended.") }
            let consents = try ConsentStore(database).list(participant: of)
                .filter { $0.familyId == member.id && $0.isActive(at: Date(), in: descriptor.timeZone) && $0.covers(descriptor.series) }
            guard !consents.isEmpty else {
                throw AdminError("\(member.displayName) has no consent in force from the participant for this session. Record it first: hearthd consent add --participant \(of) --family \(member.id)")
            }
            let token = try Directory(database).issueInvitation(family: member.id, room: descriptor.id, expires: descriptor.closes)
            print("invitation for \(member.displayName) to \(descriptor.title), \(WireTime.local(descriptor.starts, in: descriptor.timeZone))")
            print("single-use, valid until \(WireTime.local(descriptor.closes, in: descriptor.timeZone)); shown once:")
            print("invite link: \(url)/#invite=\(token)")
        }
    }
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a family member of a participant (they may join only that participant's family sessions).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Display name, e.g. \"Maria R.\".") var name: String
        @Option(help: "The participant's id or key.") var of: String
        @Option(help: "A key to name them by, e.g. maria.") var key: String?
        @Option(help: "Full legal name (staff only).") var legalName: String?
        @Option(help: "Server address for the invite link.") var url = "http://127.0.0.1:8080"

        func run() throws {
            let directory = Directory(try openDatabase(database))
            guard let participant = try directory.person(reference: of), participant.role == .participant else {
                throw ValidationError("No participant has the id or key \"\(of)\".")
            }
            let person = try directory.addPerson(role: .family, displayName: name, legalName: legalName,
                                                 familyOf: participant.id, externalKey: key)
            printPerson(person, token: try directory.issueToken(for: person.id), url: url)
            print("The link works once \(participant.displayName) consents: hearthd consent add --participant \(of) --family \(person.id)")
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
