import Foundation

/// Text as the crisis matcher reads it: a list of words ("tokens") whose letters are folded (no case, accents or
/// width), have leetspeak decoded (inside words that have letters: 0→o 1→i 3→e 4→a 5→s @→a $→s) and runs of
/// one letter collapsed ("killlll" → "kil", "suiiicide" → "suicide"). Apostrophes (straight or curly) join a word and
/// are then dropped, but a letter is not collapsed across one ("od'd" → "odd", while "odd" → "od"). Invisible
/// format characters (zero-width spaces, soft hyphens) and combining marks are skipped; every other character that
/// is not a letter or digit ends a word. Each word remembers whether whitespace came before it, since "k.i.l.l"
/// and "my-self" are split words while "be at me" is three words ("my self", "them selves" count as split words).
///
/// Used for both sides: the lexicon's phrases when it is built, and every message `scan` reads. Text that is all
/// ASCII (most messages) is read byte by byte: folding changes nothing in ASCII but the case of A-Z, which the
/// reading below lowers itself. Any other text is folded first (`String.folding`), which works on whole characters:
/// an ASCII letter followed by a combining accent folds to the plain letter. A `CrisisText` can be reused
/// (`read(_:)`): its arrays keep their capacity, so scanning a message allocates nothing.
struct CrisisText: Sendable {
    struct Token: Sendable {
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
    /// The characters gathered for the word being read (folded text only).
    private var raw: [UInt32] = []

    init() {}

    init(_ text: String) {
        read(text)
    }

    /// Reads `text` in place of what was read before.
    mutating func read(_ text: String) {
        clear()
        var text = text
        let isASCII = text.withUTF8 { bytes in
            guard Self.isASCII(bytes) else { return false }
            readASCII(bytes)
            return true
        }
        if !isASCII { readFolded(text) }
    }

    /// Forgets what was read, overwriting the letters (a scanned message is not kept), and keeps the capacity.
    mutating func clear() {
        letters.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        raw.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        letters.removeAll(keepingCapacity: true)
        tokens.removeAll(keepingCapacity: true)
        raw.removeAll(keepingCapacity: true)
    }

    func letters(of token: Int) -> ArraySlice<UInt32> {
        letters[tokens[token].start..<tokens[token].end]
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        return combined < 0x80
    }

    /// Runs `body` with a writer over room for `capacity` letters after the ones already read, then keeps what it
    /// wrote.
    private mutating func write(capacity: Int, _ body: (inout Writer) -> Void) {
        let start = letters.count
        letters.append(contentsOf: repeatElement(0, count: capacity))
        var writer = Writer(tokens: tokens)
        tokens = []
        letters.withUnsafeMutableBufferPointer { buffer in
            writer.out = buffer.baseAddress!
            writer.count = start
            body(&writer)
        }
        letters.removeLast(letters.count - writer.count)
        tokens = writer.tokens
    }

    private mutating func readFolded(_ text: String) {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var raw = self.raw
        self.raw = []
        write(capacity: folded.unicodeScalars.count) { writer in
            var hasLetter = false
            func finish() {
                guard !raw.isEmpty else { return }
                writer.word(raw, hasLetter: hasLetter)
                raw.removeAll(keepingCapacity: true)
                hasLetter = false
            }
            for scalar in folded.unicodeScalars {
                switch Self.kind(of: scalar) {
                case .letter(let value):
                    raw.append(value)
                    hasLetter = true
                case .mark(let value):
                    raw.append(value)
                case .ignored:
                    continue
                case .space:
                    finish()
                    writer.afterSpace = true
                case .separator:
                    finish()
                }
            }
            finish()
        }
        self.raw = raw
    }

    /// The same reading as `readFolded` for ASCII bytes, by a table of byte classes, with no folding.
    private mutating func readASCII(_ bytes: UnsafeBufferPointer<UInt8>) {
        write(capacity: bytes.count) { writer in
            var wordStart = -1
            var hasLetter = false
            for index in bytes.indices {
                let byteClass = Self.asciiClass[Int(bytes[index])]
                if byteClass <= Self.classMark {
                    if wordStart < 0 { wordStart = index }
                    if byteClass == Self.classLetter { hasLetter = true }
                    continue
                }
                if wordStart >= 0 {
                    writer.word(ASCIIWord(bytes: UnsafeBufferPointer(rebasing: bytes[wordStart..<index])),
                                hasLetter: hasLetter)
                    wordStart = -1
                    hasLetter = false
                }
                if byteClass == Self.classSpace { writer.afterSpace = true }
            }
            if wordStart >= 0 {
                writer.word(ASCIIWord(bytes: UnsafeBufferPointer(rebasing: bytes[wordStart...])), hasLetter: hasLetter)
            }
        }
    }

    private static let classLetter: UInt8 = 0, classMark: UInt8 = 1, classSpace: UInt8 = 2, classSeparator: UInt8 = 3

    /// `kind(of:)` of each ASCII byte, as a class.
    private static let asciiClass: [UInt8] = (0..<128).map { byte -> UInt8 in
        switch kind(of: Unicode.Scalar(UInt8(byte))) {
        case .letter: classLetter
        case .mark: classMark
        case .space: classSpace
        case .separator, .ignored: classSeparator
        }
    }

    /// The characters of an ASCII word as `kind(of:)` gathers them: A-Z lowered, a backtick an apostrophe.
    private struct ASCIIWord: Sequence {
        let bytes: UnsafeBufferPointer<UInt8>

        struct Iterator: IteratorProtocol {
            var bytes: UnsafeBufferPointer<UInt8>.Iterator

            mutating func next() -> UInt32? {
                guard let byte = bytes.next() else { return nil }
                let value = UInt32(byte)
                if value &- 0x41 < 26 { return value + 0x20 }
                return value == 0x60 ? CrisisText.apostrophe : value
            }
        }

        func makeIterator() -> Iterator { Iterator(bytes: bytes.makeIterator()) }
    }

    static let apostrophe: UInt32 = 0x27

    /// Writes decoded words as letters into room `write` made, and their tokens.
    private struct Writer {
        var out = UnsafeMutablePointer<UInt32>(bitPattern: 1)!
        /// Letters written (`out[0..<count]`).
        var count = 0
        var tokens: [Token]
        /// Whitespace came since the last token.
        var afterSpace = true

        init(tokens: [Token]) { self.tokens = tokens }

        /// Appends one word's characters (letters and marks, as gathered) decoded: apostrophes and a lone `@` or
        /// `$` dropped, leetspeak decoded in a word with letters, a repeated letter collapsed; then its token, if
        /// anything is left of it.
        @inline(__always)
        mutating func word<Characters: Sequence<UInt32>>(_ characters: Characters, hasLetter: Bool) {
            let start = count
            var previous: UInt32 = 0
            for var value in characters {
                if value == CrisisText.apostrophe {
                    previous = 0
                    continue
                }
                if hasLetter { value = CrisisText.leet(value) }
                if value == 0x40 || value == 0x24 { // @ or $ in a word without letters: not part of the word
                    previous = 0
                    continue
                }
                if value == previous && !CrisisText.isDigit(value) { continue }
                out[count] = value
                count += 1
                previous = value
            }
            guard count > start else { return }
            var token = Token(start: start, end: count, afterSpace: afterSpace)
            if token.afterSpace, let before = tokens.last,
               CrisisText.isSplitReflexive(UnsafeBufferPointer(start: out + before.start, count: before.count),
                                           UnsafeBufferPointer(start: out + start, count: count - start)) {
                token.afterSpace = false // "my self" reads like "myself"
            }
            tokens.append(token)
            afterSpace = false
        }
    }

    private static let reflexiveHeads: [[UInt32]] =
        ["my", "your", "ur", "him", "her", "it", "our", "them", "one"].map { $0.unicodeScalars.map(\.value) }
    private static let reflexiveTails: [[UInt32]] = ["self", "selves"].map { $0.unicodeScalars.map(\.value) }

    /// "my self", "your self", "them selves": a reflexive pronoun split in two, which may join like "my-self".
    private static func isSplitReflexive(_ head: UnsafeBufferPointer<UInt32>, _ tail: UnsafeBufferPointer<UInt32>)
        -> Bool {
        (4...6).contains(tail.count) && reflexiveTails.contains { $0.elementsEqual(tail) }
            && reflexiveHeads.contains { $0.elementsEqual(head) }
    }

    static func isDigit(_ value: UInt32) -> Bool { (0x30...0x39).contains(value) }

    static func leet(_ value: UInt32) -> UInt32 {
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
