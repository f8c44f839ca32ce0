import ArgumentParser
import Foundation
import HearthServer
import Logging

/// `hearthd`: the Hearth server and its admin commands.
@main
struct HearthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearthd",
        abstract: "Moderated group chat for the scheduled sessions of Intensive Outpatient Programs.",
        version: HearthServer.version,
        subcommands: [Serve.self, StaffCommand.self, ParticipantCommand.self, FamilyCommand.self, TokenCommand.self,
                      ScheduleCommand.self, EnrollmentCommand.self, ConsentCommand.self, ReportCommand.self,
                      TranscriptCommand.self, DisclosuresCommand.self, AuditCommand.self, PurgeCommand.self,
                      BackupCommand.self, PeopleCommand.self, PrintDefaultConfig.self],
        defaultSubcommand: Serve.self)
}

/// Log verbosity on the command line.
enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error

    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}

/// `--db`, shared by every admin command.
struct DatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"), help: "SQLite database file (safe to use while the server runs).")
    var path = "./data/hearth.db"
}

enum Logs {
    static func bootstrap(_ level: LogLevel) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level.level
            return handler
        }
    }
}
