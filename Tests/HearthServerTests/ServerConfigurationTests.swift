import Foundation
import HearthCore
import HearthServer
import Testing

/// Settings that are one of a few words are read as enums, with an error naming the setting and its choices.
struct ServerConfigurationTests {
    private func resolve(json: String, environment: [String: String] = [:]) throws -> ServerConfiguration {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-config-\(UUID().uuidString).json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try ServerConfiguration.resolve(file: file.path, environment: environment)
    }

    @Test func theCrisisLexiconModeIsExtendOrReplace() throws {
        #expect(try resolve(json: "{}").crisisLexiconMode == .extend)
        #expect(try resolve(json: #"{"crisis_lexicon_mode": "replace"}"#).crisisLexiconMode == .replace)
        #expect(try resolve(json: "{}", environment: ["HEARTH_CRISIS_LEXICON_MODE": "REPLACE"]).crisisLexiconMode == .replace)
        #expect(throws: ConfigurationError.invalidValue("crisis_lexicon_mode must be extend or replace, not \"merge\"")) {
            try resolve(json: #"{"crisis_lexicon_mode": "merge"}"#)
        }
        #expect(throws: ConfigurationError.self) {
            try resolve(json: "{}", environment: ["HEARTH_CRISIS_LEXICON_MODE": "merge"])
        }
    }
}
