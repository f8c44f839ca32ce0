import Foundation
import HearthCore
@testable import HearthServer
import Testing

/// `GET /client.json`: what the browser page needs before anyone signs in, and the settings behind it.
struct ClientSettingsTests {
    @Test func clientJSONServesTheClinicsSettingsUnderTheSameSecurityHeaders() async throws {
        let server = try TestServer { configuration in
            configuration.quickExitURL = "https://weather.example/today"
            configuration.idleLogoffMinutes = 12
            configuration.maxMessageCharacters = 1500
            configuration.crisisResources = "Call the clinic's after-hours line."
            configuration.helpLines = [.init(label: "After-hours line", number: "+1 626 555 0100")]
        }
        defer { server.shutdown() }
        let response = try RawHTTP.get(port: server.port, path: "/client.json")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["cache-control"] == "no-store")
        #expect(response.headers["content-security-policy"]?.contains("default-src 'self'") == true)
        #expect(response.headers["x-frame-options"] == "DENY")
        let settings = try JSONDecoder().decode(ClientSettings.self, from: Data(response.body.utf8))
        #expect(settings.quickExitURL == "https://weather.example/today")
        #expect(settings.idleLogoffMinutes == 12)
        #expect(settings.maxMessageCharacters == 1500)
        #expect(settings.maxFrameBytes == 65536)
        #expect(settings.crisisResources == "Call the clinic's after-hours line.")
        #expect(settings.helpLines == [.init(label: "After-hours line", number: "+1 626 555 0100")])
        #expect(settings.server == "hearth/\(HearthServer.version)")
    }

    @Test func theDefaultsNameTheCrisisLineTheEmergencyNumberAndANeutralPage() {
        let settings = ServerConfiguration().clientSettings(version: "0.1.0")
        #expect(settings.helpLines.map(\.number) == ["988", "911"])
        #expect(settings.helpLines[0].text)
        #expect(settings.quickExitURL == "/recipes.html")
        #expect(settings.idleLogoffMinutes == 30)
        #expect(!settings.crisisResources.contains("  "), "the default text reads as one paragraph")
        #expect(settings.crisisResources.contains("988") && settings.crisisResources.contains("911"))
    }

    @Test(arguments: [
        ("/recipes.html", true), ("https://example.org/", true), ("http://intranet.clinic/news", true),
        ("//evil.example/", false), (#"/\evil.example/"#, false), ("javascript:alert(1)", false), ("recipes.html", false), ("", false),
        ("https://", false), ("/a b", false),
    ])
    func aQuickExitAddressIsAnHTTPAddressOrAPathOnThisServer(url: String, valid: Bool) {
        #expect(ClientSettings.isValidQuickExit(url) == valid)
        var configuration = ServerConfiguration()
        configuration.quickExitURL = url
        let accepted = (try? configuration.validate()) != nil
        #expect(accepted == valid)
    }

    @Test func theSettingsComeFromTheFileAndTheEnvironmentAndBadValuesAreRefused() throws {
        var configuration = ServerConfiguration()
        try configuration.apply(environment: [
            "HEARTH_QUICK_EXIT_URL": "https://example.org/",
            "HEARTH_IDLE_LOGOFF_MINUTES": "5",
            "HEARTH_HELP_LINES": #"[{"label":"Crisis line","number":"988","text":true}]"#,
        ])
        #expect(configuration.quickExitURL == "https://example.org/")
        #expect(configuration.idleLogoffMinutes == 5)
        #expect(configuration.helpLines == [.init(label: "Crisis line", number: "988", text: true)])
        #expect(throws: ConfigurationError.self) {
            var other = ServerConfiguration()
            try other.apply(environment: ["HEARTH_HELP_LINES": "988"])
        }
        for minutes in [0, 721] {
            var other = ServerConfiguration()
            other.idleLogoffMinutes = minutes
            #expect(throws: ConfigurationError.self) { try other.validate() }
        }
        var noLines = ServerConfiguration()
        noLines.helpLines = []
        #expect(throws: ConfigurationError.self) { try noLines.validate() }

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"quick_exit_url":"/recipes.html","idle_logoff_minutes":45,"help_lines":[{"label":"Line","number":"1","text":false}]}"#.utf8)
            .write(to: file)
        let resolved = try ServerConfiguration.resolve(file: file.path, environment: [:])
        #expect(resolved.idleLogoffMinutes == 45)
        #expect(resolved.helpLines.count == 1)
    }
}
