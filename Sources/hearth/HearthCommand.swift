import ArgumentParser
import Foundation

/// `hearth`: the counselors' terminal client.
@main struct HearthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth",
        abstract: "Run and moderate live therapy-group sessions from one terminal screen.",
        discussion: """
            Without a command, opens the counselors' screen. Sign in once with `hearth login --url \
            ws://HOST:PORT/ws`; HEARTH_URL and HEARTH_TOKEN override the saved settings, and --url overrides both.

            The other commands are for scripts: each prints text for people, or with --json the protocol's own \
            objects, and exits non-zero with the reason on standard error when something fails. ROOM is a room id \
            or the start of a session's title.

            \(CLIError.exitCodes)
            """,
        subcommands: [ScreenCommand.self, LoginCommand.self, RoomsCommand.self, TailCommand.self, SendCommand.self,
                      AdmitCommand.self, AlertsCommand.self, AckCommand.self, AttendanceCommand.self,
                      SummaryCommand.self, ExportCommand.self],
        defaultSubcommand: ScreenCommand.self)

    /// Runs the command, turning a `CLIError` into its sentence on standard error and its exit code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            exit(withError: ExitCode(error.exitCode))
        } catch {
            exit(withError: error)
        }
    }
}
