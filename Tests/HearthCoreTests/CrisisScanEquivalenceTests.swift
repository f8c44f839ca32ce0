import Dispatch
import Foundation
@testable import HearthCore
import Synchronization
import Testing

/// The crisis scan reads ASCII messages without `String.folding` and into buffers kept between scans (issue 14). It
/// must find exactly what the implementation before it found: `LegacyCrisisText` and `LegacyCrisisMatcher` below
/// are that implementation, verbatim but for their names (and the category carried through as the entry's), and
/// serve as the reference over a corpus: the lexicon's phrases typed every way the matcher forgives (case,
/// accents, width, punctuation, spacing, repeats, leetspeak, apostrophes, invisible characters, misspellings),
/// inside other text, ordinary words, random ASCII and random text with non-ASCII characters.
struct CrisisScanEquivalenceTests {
    let lexicon = CrisisLexicon.standard

    /// Compares the new scan and the reference on every text; returns descriptions of the differences.
    static func differences(_ texts: [String], lexicon: CrisisLexicon) -> [String] {
        let reference = LegacyCrisisMatcher(entries: lexicon.entries, ordinary: lexicon.ordinary)
        return texts.compactMap { text in
            let new = lexicon.scan(text), old = reference.scan(text)
            return new == old ? nil : "\(text.debugDescription): \(String(describing: new)), expected \(String(describing: old))"
        }
    }

    /// Compares how the new and the old reading split and normalise every text.
    static func readingDifferences(_ texts: [String]) -> [String] {
        var reused = CrisisText()
        return texts.compactMap { text in
            let new = CrisisText(text), old = LegacyCrisisText(text)
            reused.read(text)
            let same = new.letters == old.letters && reused.letters == old.letters
                && new.tokens.map { [$0.start, $0.end, $0.afterSpace ? 1 : 0] }
                    == old.tokens.map { [$0.start, $0.end, $0.afterSpace ? 1 : 0] }
                && reused.tokens.map { [$0.start, $0.end, $0.afterSpace ? 1 : 0] }
                    == old.tokens.map { [$0.start, $0.end, $0.afterSpace ? 1 : 0] }
            return same ? nil : text.debugDescription
        }
    }

    @Test("every phrase and ordinary word of the shipped file is read the same way (so the keys are the same)")
    func lexiconFileReadsTheSame() {
        let text = String(decoding: PackageResources.crisis_lexicon_txt, as: UTF8.self)
        var pieces: [String] = []
        for line in text.split(separator: "\n") {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let last = fields.last, fields.count >= 2 else { continue }
            pieces.append(last)
            pieces += last.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { String($0) }
            pieces += last.split(whereSeparator: \.isWhitespace).map { String($0.replacingOccurrences(of: "*", with: "")) }
        }
        #expect(pieces.count > 300)
        let wrong = Self.readingDifferences(pieces)
        #expect(wrong.isEmpty, "\(wrong.count) read differently, e.g. \(wrong.prefix(5))")
    }

    @Test("the lexicon's phrases, typed every way, alone and inside other text, match as before")
    func phraseVariants() {
        var corpus = CrisisCorpus(lexicon: lexicon, seed: 14)
        let texts = corpus.phraseVariants(perPhrase: 36)
        #expect(texts.count > 4_000)
        let found = texts.count { lexicon.scan($0) != nil }
        #expect(found > texts.count / 2, "the corpus should mostly match: \(found) of \(texts.count)")
        let wrong = Self.differences(texts, lexicon: lexicon)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(5))")
        let misread = Self.readingDifferences(texts)
        #expect(misread.isEmpty, "\(misread.count) read differently, e.g. \(misread.prefix(5))")
    }

    @Test("random ASCII text and random word salads from the lexicon's words match as before")
    func randomASCII() {
        var corpus = CrisisCorpus(lexicon: lexicon, seed: 1_400)
        let texts = corpus.randomASCII(count: 3_000) + corpus.wordSalads(count: 3_000)
        let wrong = Self.differences(texts, lexicon: lexicon)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(5))")
        let misread = Self.readingDifferences(texts)
        #expect(misread.isEmpty, "\(misread.count) read differently, e.g. \(misread.prefix(5))")
    }

    @Test("text with non-ASCII characters (accents, width, other scripts, emoji, marks, invisible ones) matches as before")
    func randomUnicode() {
        var corpus = CrisisCorpus(lexicon: lexicon, seed: 140)
        let texts = corpus.randomUnicode(count: 3_000)
        #expect(texts.allSatisfy { $0.utf8.contains { $0 >= 0x80 } })
        let wrong = Self.differences(texts, lexicon: lexicon)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(5))")
        let misread = Self.readingDifferences(texts)
        #expect(misread.isEmpty, "\(misread.count) read differently, e.g. \(misread.prefix(5))")
    }

    @Test("a clinic lexicon with phrases in other scripts (and their misspellings) matches as before")
    func clinicLexiconInOtherScripts() throws {
        let clinic = try CrisisLexicon(parsing: """
            high   | suicide  | самоубийство
            high   | suicide  | покончить с собой
            medium | relapse  | rückfall*
            high   | violence | σκοτώσω
            medium | abuse    | μ'αγγιξε
            low    | relapse  | ªbcdefg
            high   | overdose | ｏｖｅｒｄｏｓｅｄ
            ordinary | самоубийца
            """, source: "clinic.txt")
        let lexicons = [clinic, CrisisLexicon.standard.overridden(by: clinic, mode: .extend)]
        var corpus = CrisisCorpus(lexicon: clinic, seed: 7)
        let texts = corpus.phraseVariants(perPhrase: 60) + corpus.randomUnicode(count: 500)
            + ["самоубиство", "самоубийствоо", "сaмоубийство", "самоубийца", "САМОУБИЙСТВО!!", "Rückfälle", "ruckfall"]
        for lexicon in lexicons {
            let wrong = Self.differences(texts, lexicon: lexicon)
            #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(5))")
        }
        #expect(clinic.scan("самоубиство") != nil) // one letter away, first letter not ASCII
    }

    @Test("long messages, empty and blank ones, and a long message followed by short ones (buffers reused)")
    func lengthsAndReuse() {
        var corpus = CrisisCorpus(lexicon: lexicon, seed: 3)
        let long = (0..<40).map { _ in corpus.wordSalads(count: 1)[0] }.joined(separator: " ")
        let texts = ["", " ", "\n\t", "'", "@@ $$", "a", "k", String(repeating: "a ", count: 2_000),
                     String(repeating: "k i l l ", count: 500) + "myself", String(repeating: "x", count: 4_000),
                     long, "no", String(long.prefix(4_000)), "kill myself", "", "suicidal"]
        let wrong = Self.differences(texts, lexicon: lexicon)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(3).map { String($0.prefix(200)) })")
    }

    @Test("scans on several threads at once (one takes the kept buffers, the others their own) agree with one thread")
    func concurrentScans() {
        var corpus = CrisisCorpus(lexicon: lexicon, seed: 21)
        let texts = corpus.phraseVariants(perPhrase: 4) + corpus.randomUnicode(count: 200)
        let expected = texts.map { lexicon.scan($0) }
        let mismatches = Mutex(0)
        let shared = lexicon
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            var wrong = 0
            for (index, text) in texts.enumerated() where index % 6 == worker || index % 2 == 0 {
                if shared.scan(text) != expected[index] { wrong += 1 }
            }
            mismatches.withLock { $0 += wrong }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }
}

/// Texts for the comparison, from a fixed seed.
struct CrisisCorpus {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    var random: SplitMix
    /// The phrases as written in the file, with `*` replaced by an ending.
    let phrases: [String]
    let words: [String]

    static let fillers = ["i", "I", "me", "my", "self", "the", "a", "to", "and", "so", "really", "honestly", "today",
                          "again", "feel", "like", "want", "just", "going", "gonna", "him", "her", "them", "up", "off",
                          "coffee", "homework", "skill", "killer", "overdue", "therapist", "studied", "diet", "ok",
                          "group", "week", "mom", "5", "$50", "2", "4", "od", "odd", "be", "at", "one", "it", "your",
                          "ur", "selves", "our", "my-self", "k.i.l.l", "x", "s", "kms", "kys"]
    static let endings = ["", "e", "ed", "ing", "es", "s", "er", "ly", "ality", "ingmyself"]
    static let separators = [" ", " ", " ", "", "-", ".", "_", "...", ", ", "  ", "\n", "/", "'", "!", "?"]
    static let unicodePieces = ["é", "É", "ï", "ö", "ü", "ç", "ñ", "ß", "İ", "ı", "ﬁ", "ﬀ", "Ⅻ", "ǅ", "ǰ", "ŉ", "\u{212A}",
                                "🙂", "👍🏽", "❤️", "自殺", "убить себя", "Σ", "ς", "ΣΚΟΤΩΣΩ", "\u{0301}", "\u{0308}",
                                "\u{200B}", "\u{00AD}", "\u{200D}", "\u{FE0F}", "\u{00A0}", "\u{3000}", "\u{2028}",
                                "’", "‘", "ʼ", "´", "′", "＇", "ｋｉｌｌ", "ｍｙｓｅｌｆ", "１", "²", "½", "ª", "º",
                                "مرحبا", "שלום", "\u{202E}", "Ⓚ", "𝐤𝐢𝐥𝐥", "ǩ", "Ł", "ø", "æ", "œ", "þ", "ð"]

    init(lexicon: CrisisLexicon, seed: UInt64) {
        random = SplitMix(state: seed)
        var rng = SplitMix(state: seed ^ 0xC0FFEE)
        phrases = lexicon.entries.map { entry in
            entry.phrase.split(separator: " ").map { word in
                word.hasSuffix("*") ? word.dropLast() + Self.endings.randomElement(using: &rng)! : word
            }.joined(separator: " ")
        }
        let ordinary = lexicon.ordinary.map { String(String.UnicodeScalarView($0.compactMap(Unicode.Scalar.init))) }
        words = Array(Set(phrases.flatMap { $0.split(separator: " ").map(String.init) } + ordinary + Self.fillers))
            .sorted()
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func pick<T>(_ values: [T]) -> T { values.randomElement(using: &random)! }

    /// One variant of `phrase`: a few of the ways of typing it, chosen at random.
    mutating func variant(of phrase: String) -> String {
        var text = phrase
        if chance(30) { text = text.replacingOccurrences(of: " ", with: pick(["", "-", "  ", ".", "\n", " ", "_"])) }
        if chance(10) { text = text.replacingOccurrences(of: "myself", with: pick(["my self", "my-self", "myselff"])) }
        if chance(20) { text = spaced(text) }
        if chance(30) { text = oneEdit(text) }
        if chance(35) { text = String(text.map { chance(25) ? leet($0) : $0 }) }
        if chance(30) { text = String(text.flatMap { chance(20) && $0.isLetter ? [$0, $0, $0] : [$0] }) }
        if chance(25) { text = String(text.flatMap { chance(15) && $0.isLetter ? [$0, pick(["'", "’", "`"])] : [$0] }) }
        if chance(30) { text = pick([text.uppercased(), text.capitalized, String(text.map { chance(50) ? Character($0.uppercased()) : $0 })]) }
        if chance(20) { text = accented(text) }
        if chance(10) { text = String(text.unicodeScalars.map { fullWidth($0) }.map(Character.init)) }
        if chance(10) { text = String(text.flatMap { chance(15) ? [$0, pick(["\u{200B}", "\u{00AD}", "\u{200D}"])] : [$0] }) }
        if chance(50) { text = context(around: text) }
        return text
    }

    mutating func phraseVariants(perPhrase: Int) -> [String] {
        var texts: [String] = []
        for phrase in phrases {
            texts.append(phrase)
            for _ in 0..<perPhrase { texts.append(variant(of: phrase)) }
        }
        return texts
    }

    mutating func randomASCII(count: Int) -> [String] {
        let alphabet: [String] = "abcdeiklmosuyt hfrnpvwgz01345@$'`.-_!? \n\tKILMSUEABCDO".map(String.init) + ["  "]
        return (0..<count).map { _ in
            (0..<Int.random(in: 1...120, using: &random)).map { _ in pick(alphabet) }.joined()
        }
    }

    mutating func wordSalads(count: Int) -> [String] {
        (0..<count).map { _ in
            var text = ""
            for _ in 0..<Int.random(in: 1...14, using: &random) {
                var word = pick(words)
                if chance(15) { word = oneEdit(word) }
                if chance(10) { word = word.uppercased() }
                text += word + pick(Self.separators)
            }
            return text
        }
    }

    mutating func randomUnicode(count: Int) -> [String] {
        (0..<count).map { _ in
            var text = chance(50) ? variant(of: pick(phrases)) : wordSalads(count: 1)[0]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let piece = pick(Self.unicodePieces)
                var index = text.unicodeScalars.startIndex
                let offset = Int.random(in: 0...text.unicodeScalars.count, using: &random)
                index = text.unicodeScalars.index(index, offsetBy: offset)
                text.unicodeScalars.insert(contentsOf: piece.unicodeScalars, at: index)
            }
            if chance(15) { text = accented(text) }
            return text
        }
    }

    private mutating func spaced(_ text: String) -> String {
        String(text.flatMap { chance(40) ? [$0, pick([" ", ".", "-", "_"])] : [$0] })
    }

    /// One letter inserted, deleted, replaced, or two neighbours swapped, somewhere after the first letter.
    mutating func oneEdit(_ text: String) -> String {
        var characters = Array(text)
        guard characters.count > 2 else { return text }
        let position = Int.random(in: 1..<characters.count, using: &random)
        let letter = pick(Array("abcdeiklmosuy"))
        switch Int.random(in: 0..<4, using: &random) {
        case 0: characters.insert(letter, at: position)
        case 1: characters.remove(at: position)
        case 2: characters[position] = letter
        default:
            if position + 1 < characters.count { characters.swapAt(position, position + 1) }
        }
        return String(characters)
    }

    private func leet(_ character: Character) -> Character {
        switch character {
        case "o": "0"
        case "i": "1"
        case "e": "3"
        case "a": "4"
        case "s": "5"
        default: character
        }
    }

    private mutating func accented(_ text: String) -> String {
        let table: [Character: [String]] = ["a": ["á", "à", "ä", "a\u{0301}"], "e": ["é", "ë", "e\u{0301}"],
                                            "i": ["í", "ï", "ı"], "o": ["ó", "ö", "ø"], "u": ["ú", "ü"],
                                            "c": ["ç"], "n": ["ñ"], "s": ["š", "ß"], "k": ["ķ", "\u{212A}"], "l": ["ł", "ľ"]]
        return text.map { character in
            guard let options = table[character], chance(30) else { return String(character) }
            return pick(options)
        }.joined()
    }

    private func fullWidth(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x21...0x7E).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0xFEE0)! : scalar
    }

    private mutating func context(around text: String) -> String {
        var before = "", after = ""
        for _ in 0..<Int.random(in: 0...5, using: &random) { before += pick(words) + pick(Self.separators) }
        for _ in 0..<Int.random(in: 0...5, using: &random) { after += pick(Self.separators) + pick(words) }
        return before + pick(["", " ", "  ", ".", "!"]) + text + pick(["", " ", "!!", "...", "?"]) + after
    }
}

// MARK: - The implementation before issue 14 (the reference)


/// Text as the crisis matcher reads it: a list of words ("tokens") whose letters are folded (no case, accents or
/// width), have leetspeak decoded (inside words that have letters: 0→o 1→i 3→e 4→a 5→s @→a $→s) and runs of
/// one letter collapsed ("killlll" → "kil", "suiiicide" → "suicide"). Apostrophes (straight or curly) join a word and
/// are then dropped, but a letter is not collapsed across one ("od'd" → "odd", while "odd" → "od"). Invisible
/// format characters (zero-width spaces, soft hyphens) and combining marks are skipped; every other character that
/// is not a letter or digit ends a word. Each word remembers whether whitespace came before it, since "k.i.l.l"
/// and "my-self" are split words while "be at me" is three words ("my self", "them selves" count as split words).
///
/// Used for both sides: the lexicon's phrases when it is built, and every message `scan` reads.
struct LegacyCrisisText {
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


/// The lexicon's phrases compiled for `scan`: a trie of phrase keys walked from the start of every word of a
/// message, and an index of one-word phrases for forgiving a one-letter misspelling. Built once per lexicon; a scan
/// then costs time in proportion to the message's length (each walk is bounded), with no allocation per word
/// except for the few words checked as possible misspellings.
struct LegacyCrisisMatcher: Sendable {
    private struct Node: Sendable {
        var next: [UInt32: Int32] = [:]
        /// A phrase word ends here and another begins.
        var gap: Int32 = -1
        /// A word ending in `*` ends here: the rest of the message word is skipped.
        var wildcard: Int32 = -1
        /// The entry whose phrase ends here.
        var entry: Int32 = -1
        /// Reached through `wildcard`: the next phrase word starts at a new message word.
        var isAfterWildcard = false
    }

    private var nodes = [Node()]
    private var severities: [CrisisSeverity] = []
    private var matched: [CrisisEntry] = []

    /// Every whole word of a phrase, and every word before a `*`: a message word that is one, or that starts with
    /// one, is taken as written.
    private var phraseWords: Set<[UInt32]> = []
    private var prefixWords: Set<[UInt32]> = []
    private var prefixLengths = 0...0
    /// Never read as a misspelling.
    private var ordinary: Set<[UInt32]> = []
    /// One-word phrases of `fuzzyLength` letters or more, each under itself and its one-letter deletions (but
    /// never its first letter's), so candidates one edit away from a message word are found by lookups.
    private var fuzzyWords: [[UInt32]] = []
    private var fuzzyIndex: [[UInt32]: [Int32]] = [:]
    private var fuzzyFirstLetters: Set<UInt32> = []
    private var fuzzyLengths = 0...0

    /// The shortest one-word phrase that forgives a misspelling.
    static let fuzzyLength = 6
    /// Steps one walk may take: far more than any phrase needs, so a pathological message stays linear.
    static let walkBudget = 400
    /// One-letter words that may repeat the letter before them in a row ("k i l l l").
    static let repeatedWords = 2

    init(entries: [CrisisEntry], ordinary: [[UInt32]]) {
        self.ordinary = Set(ordinary)
        var fuzzy: Set<[UInt32]> = []
        for entry in entries {
            guard let severity = entry.severity else { continue }
            insert(entry.key, entry: Int32(severities.count))
            severities.append(severity)
            matched.append(entry)
            learnWords(entry.key)
            let isOneWord = !entry.key.contains(CrisisKey.gap) && !entry.key.contains(CrisisKey.wildcard)
            if isOneWord, entry.key.count >= Self.fuzzyLength, !entry.key.contains(where: LegacyCrisisText.isDigit),
               fuzzy.insert(entry.key).inserted {
                addFuzzy(entry.key)
            }
        }
        let lengths = prefixWords.map(\.count)
        if let low = lengths.min(), let high = lengths.max() { prefixLengths = low...high }
        let fuzzyCounts = fuzzyWords.map(\.count)
        if let low = fuzzyCounts.min(), let high = fuzzyCounts.max() { fuzzyLengths = (low - 1)...(high + 1) }
    }

    private mutating func insert(_ key: [UInt32], entry: Int32) {
        var node = 0
        for symbol in key {
            let next: Int32
            switch symbol {
            case CrisisKey.gap:
                if nodes[node].gap < 0 { nodes[node].gap = newNode() }
                next = nodes[node].gap
            case CrisisKey.wildcard:
                if nodes[node].wildcard < 0 {
                    let created = newNode()
                    nodes[Int(created)].isAfterWildcard = true
                    nodes[node].wildcard = created
                }
                next = nodes[node].wildcard
            default:
                if let child = nodes[node].next[symbol] {
                    next = child
                } else {
                    next = newNode()
                    nodes[node].next[symbol] = next
                }
            }
            node = Int(next)
        }
        // Keys are unique within a lexicon; should two ever meet, the first line keeps the place.
        if nodes[node].entry < 0 { nodes[node].entry = entry }
    }

    private mutating func newNode() -> Int32 {
        nodes.append(Node())
        return Int32(nodes.count - 1)
    }

    private mutating func learnWords(_ key: [UInt32]) {
        var word: [UInt32] = []
        for symbol in key {
            switch symbol {
            case CrisisKey.gap:
                if !word.isEmpty { phraseWords.insert(word) }
                word = []
            case CrisisKey.wildcard:
                prefixWords.insert(word)
                word = []
            default:
                word.append(symbol)
            }
        }
        if !word.isEmpty { phraseWords.insert(word) }
    }

    private mutating func addFuzzy(_ word: [UInt32]) {
        let id = Int32(fuzzyWords.count)
        fuzzyWords.append(word)
        fuzzyFirstLetters.insert(word[0])
        fuzzyIndex[word, default: []].append(id)
        for position in 1..<word.count {
            var deleted = word
            deleted.remove(at: position)
            fuzzyIndex[deleted, default: []].append(id)
        }
    }

    // MARK: - Scanning

    /// The severity and category of the most severe phrase in `text`; between equally severe ones, the first in
    /// the lexicon. nil when none matches.
    func scan(_ text: String) -> CrisisMatch? {
        let words = LegacyCrisisText(text)
        guard !words.tokens.isEmpty, nodes.count > 1 else { return nil }
        var walk = Walk(matcher: self, text: words, corrections: corrections(of: words))
        for start in words.tokens.indices { walk.start(at: start) }
        guard walk.best >= 0 else { return nil }
        return CrisisMatch(severity: severities[Int(walk.best)], category: matched[Int(walk.best)].category)
    }

    /// For each word of `text`, the one-word phrase it misspells, if any: a word of the right length, not itself a
    /// phrase word, ordinary, or the start of a `*` word, one edit (insertion, deletion, substitution or swap of
    /// two neighbours) away from the phrase, keeping its first letter.
    private func corrections(of text: LegacyCrisisText) -> [Int32] {
        var found = [Int32](repeating: -1, count: text.tokens.count)
        guard !fuzzyWords.isEmpty else { return found }
        for index in text.tokens.indices {
            let slice = text.letters(of: index)
            guard fuzzyLengths.contains(slice.count), fuzzyFirstLetters.contains(slice[slice.startIndex]) else {
                continue
            }
            let word = Array(slice)
            if word.contains(where: LegacyCrisisText.isDigit) || phraseWords.contains(word) || ordinary.contains(word) {
                continue
            }
            if startsWithPrefixWord(word) { continue }
            var best = Int32.max
            func consider(_ key: [UInt32]) {
                for id in fuzzyIndex[key] ?? [] where id < best && Self.isOneEdit(word, fuzzyWords[Int(id)]) {
                    best = id
                }
            }
            consider(word)
            for position in 1..<word.count {
                var deleted = word
                deleted.remove(at: position)
                consider(deleted)
            }
            if best != .max { found[index] = best }
        }
        return found
    }

    private func startsWithPrefixWord(_ word: [UInt32]) -> Bool {
        guard !prefixWords.isEmpty else { return false }
        for length in prefixLengths where length <= word.count {
            if prefixWords.contains(Array(word[0..<length])) { return true }
        }
        return false
    }

    /// Whether `a` becomes `b` by exactly one insertion, deletion, substitution or swap of neighbours, leaving the
    /// first letter alone.
    static func isOneEdit(_ a: [UInt32], _ b: [UInt32]) -> Bool {
        guard let first = a.first, first == b.first, a != b else { return false }
        if a.count == b.count {
            let differ = a.indices.filter { a[$0] != b[$0] }
            if differ.count == 1 { return true }
            return differ.count == 2 && differ[1] == differ[0] + 1
                && a[differ[0]] == b[differ[1]] && a[differ[1]] == b[differ[0]]
        }
        let (long, short) = a.count > b.count ? (a, b) : (b, a)
        guard long.count == short.count + 1 else { return false }
        var i = 0
        while i < short.count && long[i] == short[i] { i += 1 }
        return long[(i + 1)...].elementsEqual(short[i...])
    }

    /// A depth-first walk of the trie over the message's words. A phrase starts at the start of a word and ends at
    /// the end of one (or anywhere after a word ending in `*`). Between two phrase words the message may have a word
    /// break or none ("killmyself"); inside a phrase word it may break only without whitespace ("my-self",
    /// "k.i.l.l") or next to a one-letter word ("k i l l"). A letter repeated across a break counts once.
    private struct Walk {
        let matcher: LegacyCrisisMatcher
        let text: LegacyCrisisText
        let corrections: [Int32]
        var best: Int32 = -1
        var budget = 0

        init(matcher: LegacyCrisisMatcher, text: LegacyCrisisText, corrections: [Int32]) {
            self.matcher = matcher
            self.text = text
            self.corrections = corrections
        }

        mutating func start(at token: Int) {
            for variant in 0..<variants(of: token) {
                budget = LegacyCrisisMatcher.walkBudget
                visit(0, token, variant, 0, previous: 0, afterGap: false)
            }
        }

        private func variants(of token: Int) -> Int { corrections[token] >= 0 ? 2 : 1 }

        private func count(_ token: Int, _ variant: Int) -> Int {
            variant == 0 ? text.tokens[token].count : matcher.fuzzyWords[Int(corrections[token])].count
        }

        private func letter(_ token: Int, _ variant: Int, _ offset: Int) -> UInt32 {
            variant == 0
                ? text.letters[text.tokens[token].start + offset]
                : matcher.fuzzyWords[Int(corrections[token])][offset]
        }

        private mutating func record(_ entry: Int32) {
            guard best >= 0 else { best = entry; return }
            let severity = matcher.severities[Int(entry)], bestSeverity = matcher.severities[Int(best)]
            if severity > bestSeverity || (severity == bestSeverity && entry < best) { best = entry }
        }

        /// At `node` of the trie, about to read letter `offset` of message word `token` (read as written, or
        /// as the phrase it misspells for variant 1). `previous` is the last letter read; `afterGap` says the walk
        /// has just stepped from one phrase word to the next; `skipped` counts the one-letter words just passed over
        /// as repeats.
        private mutating func visit(_ node: Int32, _ token: Int, _ variant: Int, _ offset: Int,
                                    previous: UInt32, afterGap: Bool, skipped: Int = 0) {
            guard budget > 0 else { return }
            budget -= 1
            let here = matcher.nodes[Int(node)]
            let length = count(token, variant)

            if offset == length {
                if here.entry >= 0 { record(here.entry) }
                if here.wildcard >= 0 { visit(here.wildcard, token, variant, offset, previous: 0, afterGap: false) }
                let next = token + 1
                guard next < text.tokens.count else { return }
                let mayJoin = node != 0 && !here.isAfterWildcard
                    && (!text.tokens[next].afterSpace || text.tokens[token].count == 1 || text.tokens[next].count == 1)
                for nextVariant in 0..<variants(of: next) {
                    if here.gap >= 0 { visit(here.gap, next, nextVariant, 0, previous: previous, afterGap: true) }
                    if mayJoin {
                        visit(node, next, nextVariant, 0, previous: previous, afterGap: false, skipped: skipped)
                    }
                }
                return
            }

            let letter = letter(token, variant, offset)
            if let child = here.next[letter] {
                visit(child, token, variant, offset + 1, previous: letter, afterGap: false)
            }
            // "kil" + "l": the message repeats the last letter across a break.
            // At most two whole one-letter words in a row ("k i l l l"), so "a a a a …" costs nothing.
            if offset == 0 && letter == previous && (length > 1 || skipped < LegacyCrisisMatcher.repeatedWords) {
                visit(node, token, variant, 1, previous: previous, afterGap: afterGap,
                      skipped: length == 1 ? skipped + 1 : 0)
            }
            // "want" + "to": the phrase repeats the last letter across its gap and the message does not.
            if afterGap, let child = here.next[previous] {
                visit(child, token, variant, offset, previous: previous, afterGap: false)
            }
            if offset > 0 {
                // "killmyself": the next phrase word starts inside this message word.
                if here.gap >= 0 { visit(here.gap, token, variant, offset, previous: previous, afterGap: true) }
                if here.wildcard >= 0 {
                    // "overdos*" inside "overdosing": skip the rest of the word…
                    let after = here.wildcard
                    visit(after, token, variant, length, previous: 0, afterGap: false)
                    // …or, for "kill* myself" in "killingmyself", the part of it before the next phrase word.
                    let gap = matcher.nodes[Int(after)].gap
                    var resume = offset
                    while gap >= 0 && resume < length && budget > 0 {
                        visit(gap, token, variant, resume, previous: self.letter(token, variant, resume - 1),
                              afterGap: true)
                        resume += 1
                    }
                }
            }
        }
    }
}
