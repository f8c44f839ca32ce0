import Foundation
import HearthCore

extension ServerConfiguration {
    /// Hearth's crisis lexicon with the clinic's file (`crisis_lexicon`) applied, extending or replacing it
    /// (`crisis_lexicon_mode`). A clinic file that cannot be read or parsed stops the server with the line to fix.
    public func loadCrisisLexicon() throws -> CrisisLexicon {
        guard let path = crisisLexicon else { return .standard }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError.unreadable(path)
        }
        let clinic = try CrisisLexicon(parsing: text, source: path)
        return CrisisLexicon.standard.overridden(by: clinic, mode: crisisLexiconMode)
    }
}
