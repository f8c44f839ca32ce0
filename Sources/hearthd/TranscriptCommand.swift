import ArgumentParser
import Foundation
import HearthCore
import HearthStore

/// `hearthd transcript export`: one session's record, disclosed to a recipient for a purpose and accounted for.
struct TranscriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcript", abstract: "Export a session's transcript (a disclosure: recorded and audited).",
        subcommands: [Export.self])

    /// `txt` (or `text`) and `json` on the command line.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case txt, json
        init?(argument: String) {
            switch argument.lowercased() {
            case "txt", "text": self = .txt
            case "json": self = .json
            default: return nil
            }
        }
        var transcript: TranscriptFormat { self == .json ? .json : .text }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export one room's transcript with the 42 CFR Part 2 redisclosure notice.",
            discussion: """
                A recipient that is a staff member's id or key gets every message (internal). Any other recipient is \
                outside the program: a participant's messages are included only under their disclosure consent for \
                this recipient and purpose (hearthd consent add --recipient … --purpose …); the rest are withheld. \
                Every export is recorded in the accounting of disclosures (hearthd disclosures) and the audit log.
                """)
        @OptionGroup var database: DatabaseOption
        @Option(help: "The room id (see `schedule list`).") var room: String
        @Option(help: "txt or json.") var format: Format = .txt
        @Option(help: "Who receives it: a staff member's id or key, or the outside person or organization as the consent forms name them.")
        var recipient: String
        @Option(help: "Why it is disclosed (for an outside recipient, as the consent forms state it).") var purpose: String
        @Option(help: "Write it to this new file (mode 0600) instead of standard output.") var output: String?

        func run() throws {
            let database = try openDatabase(database)
            // The file is created first, so a disclosure is recorded only when it can be delivered.
            let file = try output.map(Self.createPrivately)
            let export: TranscriptExport
            do {
                export = try TranscriptExporter(database).export(
                    room: RoomID(room), recipient: recipient, purpose: purpose, format: format.transcript, by: nil,
                    defaultWindow: .standard, now: Date())
            } catch {
                if let output { try? FileManager.default.removeItem(atPath: output) }
                throw error
            }
            let summary = "disclosure \(export.disclosure) (\(export.external ? "external" : "internal")): "
                + "\(export.messages) messages of \(export.included.count) participant(s) included, \(export.withheld) withheld"
            if let file, let output {
                try file.write(contentsOf: Data(export.content.utf8))
                try file.synchronize()
                try file.close()
                print("\(summary); written to \(output)")
            } else {
                FileHandle.standardOutput.write(Data(export.content.utf8))
                FileHandle.standardError.write(Data("\(summary)\n".utf8))
            }
        }

        /// Creates `path` readable and writable by its owner only (mode 0600); never replaces an existing file.
        static func createPrivately(_ path: String) throws -> FileHandle {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                let reason = errno == EEXIST ? "it already exists (a transcript never replaces a file)"
                    : String(cString: strerror(errno))
                throw AdminError("Cannot create \(path): \(reason). Choose a new file name in a folder you can write to.")
            }
            // open's mode passes through the umask; set it exactly.
            fchmod(descriptor, 0o600)
            return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        }
    }
}

/// `hearthd disclosures`: a participant's accounting of disclosures.
struct DisclosuresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disclosures",
        abstract: "List every disclosure (transcript export) that included a participant's messages, oldest first.")
    @OptionGroup var database: DatabaseOption
    @Option(help: "The participant (id or key).") var participant: String

    func run() throws {
        let database = try openDatabase(database)
        let who = try person(participant, in: Directory(database), role: .participant)
        let disclosures = try DisclosureStore(database).disclosures(participant: who.id)
        if disclosures.isEmpty { print("No disclosure has included \(who.displayName)'s messages.") }
        for disclosure in disclosures {
            let kind = disclosure.external ? "external" + (disclosure.consent.map { " under consent \($0)" } ?? "") : "internal"
            print("\(WireTime.local(disclosure.at, in: .current))  disclosure \(disclosure.id)  \(disclosure.roomTitle) (\(disclosure.sessionDate))"
                  + "  to \(disclosure.recipient) for \(disclosure.purpose)  \(kind)  by \(disclosure.by)")
        }
    }
}
