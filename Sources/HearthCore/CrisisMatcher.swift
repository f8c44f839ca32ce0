import Foundation

/// The lexicon's phrases compiled for `scan`: a trie of phrase keys walked from the start of every word of a
/// message, and an index of one-word phrases for forgiving a one-letter misspelling. Built once per lexicon; a scan
/// then costs time in proportion to the message's length (each walk is bounded), with no allocation per word
/// except for the few words checked as possible misspellings.
struct CrisisMatcher: Sendable {
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
    private var categories: [String] = []

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
            categories.append(entry.category)
            learnWords(entry.key)
            let isOneWord = !entry.key.contains(CrisisKey.gap) && !entry.key.contains(CrisisKey.wildcard)
            if isOneWord, entry.key.count >= Self.fuzzyLength, !entry.key.contains(where: CrisisText.isDigit),
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
    func scan(_ text: String) -> (severity: CrisisSeverity, category: String)? {
        let words = CrisisText(text)
        guard !words.tokens.isEmpty, nodes.count > 1 else { return nil }
        var walk = Walk(matcher: self, text: words, corrections: corrections(of: words))
        for start in words.tokens.indices { walk.start(at: start) }
        guard walk.best >= 0 else { return nil }
        return (severities[Int(walk.best)], categories[Int(walk.best)])
    }

    /// For each word of `text`, the one-word phrase it misspells, if any: a word of the right length, not itself a
    /// phrase word, ordinary, or the start of a `*` word, one edit (insertion, deletion, substitution or swap of
    /// two neighbours) away from the phrase, keeping its first letter.
    private func corrections(of text: CrisisText) -> [Int32] {
        var found = [Int32](repeating: -1, count: text.tokens.count)
        guard !fuzzyWords.isEmpty else { return found }
        for index in text.tokens.indices {
            let slice = text.letters(of: index)
            guard fuzzyLengths.contains(slice.count), fuzzyFirstLetters.contains(slice[slice.startIndex]) else {
                continue
            }
            let word = Array(slice)
            if word.contains(where: CrisisText.isDigit) || phraseWords.contains(word) || ordinary.contains(word) {
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
        let matcher: CrisisMatcher
        let text: CrisisText
        let corrections: [Int32]
        var best: Int32 = -1
        var budget = 0

        init(matcher: CrisisMatcher, text: CrisisText, corrections: [Int32]) {
            self.matcher = matcher
            self.text = text
            self.corrections = corrections
        }

        mutating func start(at token: Int) {
            for variant in 0..<variants(of: token) {
                budget = CrisisMatcher.walkBudget
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
            if offset == 0 && letter == previous && (length > 1 || skipped < CrisisMatcher.repeatedWords) {
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
