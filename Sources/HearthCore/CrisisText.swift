import Foundation

/// Text as the crisis matcher reads it: a list of words ("tokens") whose letters are folded (no case, accents or
/// width), have leetspeak decoded (inside words that have letters: 0→o 1→i 3→e 4→a 5→s @→a $→s) and runs of
/// one letter collapsed ("killlll" → "kil", "suiiicide" → "suicide"). Apostrophes (straight or curly) join a word and
/// are then dropped, but a letter is not collapsed across one ("od'd" → "odd", while "odd" → "od"). Invisible
/// format characters (zero-width spaces, soft hyphens) and combining marks are skipped; every other character that
/// is not a letter or digit ends a word. Each word remembers whether whitespace came before it, since "k.i.l.l"
/// and "my-self" are split words while "be at me" is three words ("my self", "them selves" count as split words).
///
/// Used for both sides: the lexicon's phrases when it is built, and every message `scan` reads.
struct CrisisText {
    struct Token {
        /// The token's letters are `letters[start..<end]`.
        var start: Int
        var end: Int
        /// Whether whitespace separates it from the token before (always true for the first).
        var afterSpace: Bool

        var count: Int { end - start }
    }

    /// Letters and digits of all tokens, one after another, as Unicode scalar values.
    private(set) var letters: [UInt32] = []
    private(set) var tokens: [Token] = []

    init(_ text: String) {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        letters.reserveCapacity(folded.utf8.count)
        var word = Word()
        var afterSpace = true
        for scalar in folded.unicodeScalars {
            switch Self.kind(of: scalar) {
            case .letter(let value):
                word.raw.append(value)
                word.hasLetter = true
            case .mark(let value):
                word.raw.append(value)
            case .ignored:
                continue
            case .space:
                finish(&word, afterSpace: &afterSpace)
                afterSpace = true
            case .separator:
                finish(&word, afterSpace: &afterSpace)
            }
        }
        finish(&word, afterSpace: &afterSpace)
    }

    func letters(of token: Int) -> ArraySlice<UInt32> {
        letters[tokens[token].start..<tokens[token].end]
    }

    // MARK: - Words

    private struct Word {
        var raw: [UInt32] = []
        var hasLetter = false
    }

    static let apostrophe: UInt32 = 0x27

    /// Decodes the characters gathered for one word and appends it as a token, if anything is left of it.
    private mutating func finish(_ word: inout Word, afterSpace: inout Bool) {
        guard !word.raw.isEmpty else { return }
        let start = letters.count
        var previous: UInt32 = 0
        for var value in word.raw {
            if value == Self.apostrophe {
                previous = 0
                continue
            }
            if word.hasLetter { value = Self.leet(value) }
            if value == 0x40 || value == 0x24 { // @ or $ in a word without letters: not part of the word
                previous = 0
                continue
            }
            if value == previous && !Self.isDigit(value) { continue }
            letters.append(value)
            previous = value
        }
        if letters.count > start {
            var token = Token(start: start, end: letters.count, afterSpace: afterSpace)
            if token.afterSpace, let before = tokens.last, Self.isSplitReflexive(letters[before.start..<before.end],
                                                                                 letters[start...]) {
                token.afterSpace = false // "my self" reads like "myself"
            }
            tokens.append(token)
            afterSpace = false
        }
        word.raw.removeAll(keepingCapacity: true)
        word.hasLetter = false
    }

    private static let reflexiveHeads: Set<[UInt32]> = Set(
        ["my", "your", "ur", "him", "her", "it", "our", "them", "one"].map { $0.unicodeScalars.map(\.value) })
    private static let reflexiveTails: Set<[UInt32]> = Set(["self", "selves"].map { $0.unicodeScalars.map(\.value) })

    /// "my self", "your self", "them selves": a reflexive pronoun split in two, which may join like "my-self".
    private static func isSplitReflexive(_ head: ArraySlice<UInt32>, _ tail: ArraySlice<UInt32>) -> Bool {
        (4...6).contains(tail.count) && reflexiveTails.contains(Array(tail)) && reflexiveHeads.contains(Array(head))
    }

    static func isDigit(_ value: UInt32) -> Bool { (0x30...0x39).contains(value) }

    private static func leet(_ value: UInt32) -> UInt32 {
        switch value {
        case 0x30: 0x6F // 0 → o
        case 0x31: 0x69 // 1 → i
        case 0x33: 0x65 // 3 → e
        case 0x34, 0x40: 0x61 // 4, @ → a
        case 0x35, 0x24: 0x73 // 5, $ → s
        default: value
        }
    }

    // MARK: - Characters

    private enum Kind {
        case letter(UInt32)
        /// Part of a word without being a letter: a digit, `@`, `$`, an apostrophe.
        case mark(UInt32)
        case ignored
        case space
        case separator
    }

    private static func kind(of scalar: Unicode.Scalar) -> Kind {
        let value = scalar.value
        switch value {
        case 0x61...0x7A: return .letter(value)
        case 0x41...0x5A: return .letter(value + 0x20)
        case 0x30...0x39, 0x40, 0x24: return .mark(value)
        // ' ` ´ ʼ ‘ ’ ‛ ′ ＇
        case 0x27, 0x60, 0xB4, 0x2BC, 0x2018, 0x2019, 0x201B, 0x2032, 0xFF07: return .mark(apostrophe)
        case 0x09...0x0D, 0x20: return .space
        case ..<0x80: return .separator
        default: break
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .format, .nonspacingMark, .enclosingMark, .spacingMark:
            return .ignored
        default:
            break
        }
        if properties.isAlphabetic {
            let lower = properties.lowercaseMapping.unicodeScalars
            return .letter(lower.count == 1 ? lower.first!.value : value)
        }
        return properties.isWhitespace ? .space : .separator
    }
}
