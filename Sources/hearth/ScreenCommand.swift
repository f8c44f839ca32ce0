import ArgumentParser

/// `hearth screen` (and `hearth` alone): the counselors' screen.
struct ScreenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "Open the counselors' screen (the default).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let settings = try connection.resolve()
        try await InteractiveScreen.run(settings: settings)
    }
}
