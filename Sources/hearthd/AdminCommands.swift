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
            if descriptor.kind == .multiFamily, try MultiFamilyConsentStore(database).list(participant: of).allSatisfy({
                !$0.isInForce(on: LocalDate(Date(), in: descriptor.timeZone)) || !$0.covers(descriptor.series)
            }) {
                throw AdminError("The participant has no multi-family group consent in force for this session, so \(member.displayName) cannot take part. Record it first: hearthd consent add --participant \(of) --multi-family")
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
        static let configuration = CommandConfiguration(
            abstract: "Issue a new token for an existing person, valid until revoked or through a last day.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The person's id or key.") var person: String
        @Option(help: "Last day the token works, e.g. 2026-12-31: it stops at the end of that day in this machine's time zone.")
        var expires: String?

        func validate() throws {
            if let expires { _ = try parseDate(expires, "--expires") }
        }

        func run() throws {
            let directory = Directory(try openDatabase(database))
            guard let record = try directory.person(reference: person) else {
                throw ValidationError("No person has the id or key \"\(person)\".")
            }
            let lastDay = try expires.map { try parseDate($0, "--expires") }
            let token = try directory.issueToken(for: record.id, lastDay: lastDay, in: .current)
            print("token for \(record.displayName) (shown once): \(token)")
            if let lastDay {
                let ends = Directory.endOfDay(lastDay, in: .current)
                print("valid through \(lastDay): it stops working at \(WireTime.local(ends, in: .current)) (\(TimeZone.current.identifier))")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token, or every token of a person. Connected clients are closed within seconds.",
            discussion: """
                Give the token on standard input (preferred) or in a file, so that it stays out of the shell \
                history and the process list:
                  hearthd token revoke - < lost-token.txt
                  hearthd token revoke --file lost-token.txt
                Revoking a family invitation that was already used also revokes the session token it was \
                exchanged for.
                """)
        @OptionGroup var database: DatabaseOption
        @Argument(help: "- to read the token from standard input (preferred), or the token itself (it then shows in the process list and shell history).")
        var token: String?
        @Option(help: "Read the token from this file (surrounding spaces and newlines are ignored).") var file: String?
        @Option(help: "Revoke every token of this person (id or key) instead.") var person: String?

        func validate() throws {
            if [token != nil, file != nil, person != nil].filter({ $0 }).count != 1 {
                throw ValidationError("Give one of: - (the token on standard input), --file PATH, or --person P.")
            }
        }

        func run() throws {
            let directory = Directory(try openDatabase(database))
            if let person {
                guard let record = try directory.person(reference: person) else {
                    throw ValidationError("No person has the id or key \"\(person)\".")
                }
                print("revoked \(try directory.revokeAll(of: record.id)) token(s) of \(record.displayName)")
                return
            }
            let token = try readToken()
            guard let derived = try directory.revokeCounting(token: token) else {
                throw AdminError("That token is unknown or already revoked.")
            }
            print("revoked 1 token" + (derived == 0 ? "" : " and \(derived) session token(s) issued from it"))
        }

        /// The token from the argument, standard input (`-`) or `--file`, without surrounding whitespace.
        private func readToken() throws -> String {
            let text: String, source: String
            if let file {
                source = "The file \(file)"
                do {
                    text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
                } catch {
                    throw AdminError("Cannot read the token file \(file): \((error as NSError).localizedDescription). Check the path and its permissions.")
                }
            } else if token == "-" {
                source = "Standard input"
                if isatty(FileHandle.standardInput.fileDescriptor) != 0 {
                    FileHandle.standardError.write(Data("Paste the token to revoke, then press Enter: ".utf8))
                    text = readLine() ?? ""
                } else {
                    text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                }
            } else {
                return token ?? ""
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else {
                throw AdminError("\(source) held no token. Give the token to revoke, e.g. hearthd token revoke - < lost-token.txt")
            }
            guard !trimmed.contains(where: \.isWhitespace) else {
                throw AdminError("\(source) held more than one word. Give exactly one token.")
            }
            return trimmed
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
