import ArgumentParser
import Foundation

/// `--url` and `--config`, shared by every command that talks to the server. The token never comes from a flag
/// (it would show in `ps` and shell history): it comes from the configuration file or `HEARTH_TOKEN`.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The server's WebSocket address, e.g. ws://127.0.0.1:8080/ws (overrides HEARTH_URL and the configuration file).",
                               valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("A CA certificate (PEM) to trust for a wss:// server instead of the system's CAs (overrides HEARTH_CA_FILE and the configuration file).",
                               valueName: "file"))
    var caFile: String?

    @Option(help: ArgumentHelp("The configuration file (default: $XDG_CONFIG_HOME/hearth/config.json, else ~/.config/hearth/config.json).",
                               valueName: "file"))
    var config: String?

    /// The configuration file this run uses.
    func configPath(environment: [String: String]) -> String {
        config ?? ClientSettingsFile.defaultPath(environment: environment)
    }

    /// Resolves the settings once: file < environment < flags. The only place a command reads the environment.
    func resolve() throws -> ClientSettingsFile {
        let environment = ProcessInfo.processInfo.environment
        let path = configPath(environment: environment)
        let stored = try ClientSettingsFile.load(path: path)
        if stored?.token != nil, ClientSettingsFile.isExposed(path: path) {
            Output.warn("\(path) can be read by other users, and it holds your token. Run: chmod 600 \(path)")
        }
        return try ClientSettingsFile.resolve(file: stored, environment: environment, url: url, caFile: caFile,
                                              configPath: path)
    }
}

/// `--json`, on every command.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the protocol's own JSON objects (sorted keys, one document per line) instead of text for people.")
    var json = false
}
