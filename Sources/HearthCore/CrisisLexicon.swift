import Foundation

/// How urgently a counselor should look at a message: `high` (intent, a plan, an overdose, a threat), `medium`
/// (a relapse, self-harm, abuse told about), `low` (worth a glance).
public enum CrisisSeverity: String, Sendable, Comparable, CaseIterable {
    case low, medium, high

    public static func < (lhs: CrisisSeverity, rhs: CrisisSeverity) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }
}

/// What a crisis lexicon phrase is about (docs/CRISIS_LEXICON.md): a lexicon line names exactly one. The raw values
/// go on the wire as an ALERT's `category`: never rename one.
public enum CrisisCategory: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case suicide, selfHarm = "self_harm", overdose, relapse, violence, abuse

    public var description: String { rawValue }
}

/// What `CrisisLexicon.scan` found in a message: the severity and category of the phrase that matched. Never the
/// message text, nor the phrase, so it can be logged and sent to counselors as it is.
public struct CrisisMatch: Equatable, Sendable {
    public var severity: CrisisSeverity
    public var category: CrisisCategory

    public init(severity: CrisisSeverity, category: CrisisCategory) {
        self.severity = severity
        self.category = category
    }
}

/// Phrases that signal a crisis (suicide, self-harm, overdose, relapse, violence, abuse) and a matcher that finds
/// them in a message however it is typed: case, accents, punctuation, repeated letters, spacing, leetspeak and
/// one-letter slips in long words do not hide a phrase, and a phrase only matches whole words. A safety net that
/// brings a message to a counselor's eyes, not a diagnosis. The format and the matching rules are in
/// docs/CRISIS_LEXICON.md; the shipped phrases in Resources/crisis-lexicon.txt.
public struct CrisisLexicon: Sendable, CustomStringConvertible {
    /// How a clinic's lexicon file combines with the shipped one.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// The clinic's phrases are added; one that is already shipped takes the clinic's severity and category,
        /// and an `off` line removes it.
        case extend
        /// Only the clinic's phrases count.
        case replace
    }

    /// The lexicon shipped with Hearth, embedded in the binary.
    public static let standard: CrisisLexicon = {
        let text = String(decoding: PackageResources.crisis_lexicon_txt, as: UTF8.self)
        do {
            return try CrisisLexicon(parsing: text, source: "crisis-lexicon.txt")
        } catch {
            preconditionFailure("The shipped crisis lexicon does not parse: \(error)")
        }
    }()

    /// Every line, in file order, `off` ones included (they matter only to `overridden(by:mode:)`).
    let entries: [CrisisEntry]
    let ordinary: [[UInt32]]
    private let matcher: CrisisMatcher

    /// Reads a lexicon file. `source` names it in errors (a path, or the shipped file's name).
    public init(parsing text: String, source: String) throws(CrisisLexiconError) {
        let parsed = try CrisisLexiconFile.parse(text, source: source)
        self.init(entries: parsed.entries, ordinary: parsed.ordinary)
    }

    init(entries: [CrisisEntry], ordinary: [[UInt32]]) {
        self.entries = entries
        self.ordinary = ordinary
        matcher = CrisisMatcher(entries: entries, ordinary: ordinary)
    }

    /// This lexicon with a clinic's file applied. `.extend` keeps this lexicon's order, replaces the severity and
    /// category of a phrase the clinic also lists, removes one it lists as `off`, and adds the clinic's other
    /// phrases after; ordinary words are combined. `.replace` keeps only the clinic's phrases and ordinary words.
    public func overridden(by clinic: CrisisLexicon, mode: Mode) -> CrisisLexicon {
        switch mode {
        case .replace:
            return CrisisLexicon(entries: clinic.entries.filter { $0.severity != nil }, ordinary: clinic.ordinary)
        case .extend:
            var merged: [CrisisEntry?] = entries.filter { $0.severity != nil }
            var position: [[UInt32]: Int] = [:]
            for (index, entry) in merged.enumerated() { position[entry!.key] = index }
            for entry in clinic.entries {
                if let index = position[entry.key] {
                    merged[index] = entry.severity == nil ? nil : entry
                } else if entry.severity != nil {
                    position[entry.key] = merged.count
                    merged.append(entry)
                }
            }
            var seen = Set(ordinary)
            let words = ordinary + clinic.ordinary.filter { seen.insert($0).inserted }
            return CrisisLexicon(entries: merged.compactMap { $0 }, ordinary: words)
        }
    }

    /// How many phrases can match (`off` lines are not counted).
    public var entryCount: Int { entries.count { $0.severity != nil } }

    /// The categories that have at least one phrase.
    public var categories: Set<CrisisCategory> { Set(entries.compactMap { $0.severity == nil ? nil : $0.category }) }

    /// A summary for logs: never the phrases themselves.
    public var description: String { "CrisisLexicon(\(entryCount) phrases)" }

    /// The most severe phrase found in `text` (between equally severe ones, the first in the file), or nil.
    /// Linear in the length of `text`; never keeps or logs it.
    public func scan(_ text: String) -> CrisisMatch? {
        matcher.scan(text).map { CrisisMatch(severity: $0.severity, category: $0.category) }
    }
}
