import Foundation

/// A line of a crisis lexicon file that cannot be read: which file, which line, and what to change.
public struct CrisisLexiconError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's name or path, as given to `CrisisLexicon(parsing:source:)`.
    public var source: String
    /// 1-based.
    public var line: Int
    public var message: String

    public init(source: String, line: Int, _ message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    public var description: String { "\(source), line \(line): \(message)" }
}

/// One phrase of a lexicon, as read from its file.
struct CrisisEntry: Equatable, Sendable {
    /// nil for `off`: the line removes the same phrase from the lexicon it overrides.
    var severity: CrisisSeverity?
    var category: CrisisCategory
    /// As written in the file.
    var phrase: String
    /// The normalised phrase: letters, with `CrisisKey.gap` between words and `CrisisKey.wildcard` after a word
    /// that ends in `*`. Two lines are the same phrase when their keys are equal.
    var key: [UInt32]
    var line: Int
}

/// Symbols of a phrase key besides letters (both above the last Unicode scalar).
enum CrisisKey {
    static let gap: UInt32 = 0x11_0000
    static let wildcard: UInt32 = 0x11_0001
    /// A word that ends in `*` needs this many letters before it.
    static let shortestPrefix = 3
}

/// Reads the lexicon format (docs/CRISIS_LEXICON.md):
///
///     # a comment; blank lines are skipped
///     high | suicide | kill* myself
///     ordinary | abuse amused
///
/// The first problem stops the parse, with its line.
enum CrisisLexiconFile {
    static let severities = ["high", "medium", "low", "off"]

    static func parse(_ text: String, source: String) throws(CrisisLexiconError)
        -> (entries: [CrisisEntry], ordinary: [[UInt32]]) {
        var entries: [CrisisEntry] = []
        var ordinary: [[UInt32]] = []
        var lines: [[UInt32]: Int] = [:]
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (index, rawLine) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            func failure(_ message: String) -> CrisisLexiconError {
                CrisisLexiconError(source: source, line: number, message)
            }
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count == 1 && fields[0].isEmpty { continue }

            if fields[0].lowercased() == "ordinary" {
                guard fields.count == 2 else {
                    throw failure("Expected `ordinary | word word ...`; this line has \(fields.count) fields.")
                }
                let words = fields[1].split(whereSeparator: { $0 == "," || $0.isWhitespace })
                guard !words.isEmpty else { throw failure("List at least one word after `ordinary |`.") }
                for word in words {
                    let text = CrisisText(String(word))
                    guard text.tokens.count == 1 else {
                        throw failure("`\(word)` is not one word: list ordinary words one by one, letters only.")
                    }
                    ordinary.append(Array(text.letters))
                }
                continue
            }

            guard fields.count == 3 else {
                let counted = fields.count == 1 ? "1 field" : "\(fields.count) fields"
                throw failure("Expected `severity | category | phrase`; this line has \(counted).")
            }
            let severityName = fields[0].lowercased()
            guard severities.contains(severityName) else {
                let shown = fields[0].isEmpty ? "The severity is missing" : "Unknown severity `\(fields[0])`"
                throw failure("\(shown): use high, medium, low or off.")
            }
            guard let category = CrisisCategory(rawValue: fields[1].lowercased()) else {
                let shown = fields[1].isEmpty ? "The category is missing" : "Unknown category `\(fields[1])`"
                throw failure("\(shown): use \(CrisisCategory.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let phrase = fields[2]
            guard !phrase.isEmpty else {
                throw failure("The phrase is empty: write the words to match after the second `|`.")
            }
            let key: [UInt32]
            switch self.key(of: phrase) {
            case .success(let value): key = value
            case .failure(let problem): throw failure(problem.message)
            }
            if let earlier = lines[key] {
                throw failure("`\(phrase)` is the same phrase as line \(earlier) once case, punctuation and repeated "
                    + "letters are ignored: keep one of them.")
            }
            lines[key] = number
            entries.append(CrisisEntry(severity: CrisisSeverity(rawValue: severityName), category: category,
                                       phrase: phrase, key: key, line: number))
        }
        return (entries, ordinary)
    }

    struct Problem: Error { var message: String }

    /// The key of a phrase: its words normalised like message text, then joined with gaps.
    static func key(of phrase: String) -> Result<[UInt32], Problem> {
        var key: [UInt32] = []
        for word in phrase.split(whereSeparator: \.isWhitespace) {
            let isPrefix = word.hasSuffix("*")
            let stem = isPrefix ? word.dropLast() : word
            if stem.contains("*") {
                return .failure(Problem(message:
                    "`*` can only end a word, as in `overdos*`; `\(word)` has it elsewhere."))
            }
            let text = CrisisText(String(stem))
            if isPrefix {
                guard let last = text.tokens.last, last.count >= CrisisKey.shortestPrefix else {
                    return .failure(Problem(message: "`\(word)` is too short to match by its start: a word ending in "
                        + "`*` needs at least \(CrisisKey.shortestPrefix) letters before the `*`."))
                }
            }
            for token in text.tokens.indices {
                if !key.isEmpty { key.append(CrisisKey.gap) }
                key.append(contentsOf: text.letters(of: token))
            }
            if isPrefix { key.append(CrisisKey.wildcard) }
        }
        guard !key.isEmpty else {
            return .failure(Problem(message: "The phrase `\(phrase)` has no letters or digits to match."))
        }
        return .success(key)
    }
}
