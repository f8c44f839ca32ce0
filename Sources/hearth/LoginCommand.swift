import ArgumentParser
import Foundation
import HearthCore

/// `hearth login`: checks a token with the server and saves the server's address and the token.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in once: check your token with the server and save it with the server's address.",
        discussion: """
            Asks for the token without showing it as you type (paste the token `hearthd staff add` printed). When \
            standard input is not a terminal it reads one line from it, so a script can pipe the token in. The \
            token is checked by signing in: a refused token is reported in the server's words and nothing is saved.

            The address and token are saved in $XDG_CONFIG_HOME/hearth/config.json, or ~/.config/hearth/config.json, \
            readable by you only (folder 0700, file 0600). HEARTH_URL and HEARTH_TOKEN override the file, and --url \
            overrides both.

            Examples:
              hearth login --url ws://127.0.0.1:8080/ws
              printf '%s\\n' "$TOKEN" | hearth login --url ws://clinic.example:8080/ws
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    /// What `--json` prints.
    struct Result: Encodable {
        var config: String
        var server: String
        var url: String
        var user: MemberInfo
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let path = connection.configPath(environment: environment)
        let stored = try? ClientSettingsFile.load(path: path)
        guard let url = [connection.url, environment["HEARTH_URL"], stored?.url].compactMap({ $0 })
            .first(where: { !$0.isEmpty }) else {
            throw ValidationError("Give the server's address: hearth login --url ws://HOST:PORT/ws")
        }
        guard let token = TokenPrompt.read(prompt: "Token for \(url): ")?.trimmingCharacters(in: .whitespacesAndNewlines),
              !token.isEmpty else { throw CLIError.noToken }
        let caFile = [connection.caFile, environment["HEARTH_CA_FILE"], stored?.caFile].compactMap({ $0 })
            .first(where: { !$0.isEmpty })
        let settings = ClientSettingsFile(url: url, token: token, configPath: path, caFile: caFile)
        let link = try await CounselorLink.open(settings)
        link.close()
        try settings.save()
        let user = link.welcome.user
        if output.json {
            Output.json(Result(config: path, server: link.welcome.server, url: url, user: user))
        } else {
            Output.line("Signed in as \(user.name) (\(user.role.rawValue)) at \(url). Saved to \(path).")
        }
        if !user.role.isStaff {
            Output.warn("this token is a \(user.role.rawValue)'s: the staff commands (admit, alerts, ack, attendance, "
                        + "summary, export) need a counselor's or an admin's token.")
        }
    }
}
