import Foundation
import Synchronization

/// The lexicon's phrases compiled for `scan`: a trie of phrase keys walked from the start of every word of a
/// message, and the one-word phrases that forgive a one-letter misspelling, by first letter. Built once per lexicon;
/// a scan then costs time in proportion to the message's length (each walk is bounded) and allocates nothing: it
/// reads the message into buffers kept from the scan before (`ScratchPool`).
struct CrisisMatcher: Sendable {
    /// A trie node. Its children (by letter) are `edgeSymbols`/`edgeTargets[firstEdge ..< firstEdge + edgeCount]`,
    /// sorted by letter.
    private struct Node: Sendable {
        var firstEdge: Int32 = 0
        var edgeCount: Int32 = 0
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
    private var edgeSymbols: [UInt32] = []
    private var edgeTargets: [Int32] = []
    private var severities: [CrisisSeverity] = []
    private var categories: [CrisisCategory] = []

    /// Every whole word of a phrase, and every word before a `*`: a message word that is one, or that starts with
    /// one, is taken as written.
    private var phraseWords: Set<[UInt32]> = []
    private var prefixWords: Set<[UInt32]> = []
    private var prefixLengths = 0...0
    /// Never read as a misspelling.
    private var ordinary: Set<[UInt32]> = []
    /// One-word phrases of `fuzzyLength` letters or more, without digits; a message word one edit away from one
    /// (keeping its first letter) reads as the first such phrase.
    private var fuzzyWords: [[UInt32]] = []
    /// Indices into `fuzzyWords`, ascending, by first letter: for ASCII letters by value, others in the dictionary.
    private var fuzzyByASCIILetter: [[Int32]] = Array(repeating: [], count: 128)
    private var fuzzyByOtherLetter: [UInt32: [Int32]] = [:]
    private var fuzzyLengths = 0...0
    /// The buffers of a scan, reused by the next one.
    private let scratch = ScratchPool()

    /// The shortest one-word phrase that forgives a misspelling.
    static let fuzzyLength = 6
    /// Steps one walk may take: far more than any phrase needs, so a pathological message stays linear.
    static let walkBudget = 400
    /// One-letter words that may repeat the letter before them in a row ("k i l l l").
    static let repeatedWords = 2

    init(entries: [CrisisEntry], ordinary: [[UInt32]]) {
        self.ordinary = Set(ordinary)
        var trie = TrieBuilder()
        var fuzzy: Set<[UInt32]> = []
        for entry in entries {
            guard let severity = entry.severity else { continue }
            trie.insert(entry.key, entry: Int32(severities.count))
            severities.append(severity)
            categories.append(entry.category)
            learnWords(entry.key)
            let isOneWord = !entry.key.contains(CrisisKey.gap) && !entry.key.contains(CrisisKey.wildcard)
            if isOneWord, entry.key.count >= Self.fuzzyLength, !entry.key.contains(where: CrisisText.isDigit),
               fuzzy.insert(entry.key).inserted {
                addFuzzy(entry.key)
            }
        }
        freeze(trie)
        let lengths = prefixWords.map(\.count)
        if let low = lengths.min(), let high = lengths.max() { prefixLengths = low...high }
        let fuzzyCounts = fuzzyWords.map(\.count)
        if let low = fuzzyCounts.min(), let high = fuzzyCounts.max() { fuzzyLengths = (low - 1)...(high + 1) }
    }

    /// The trie as it is built: children in a dictionary per node.
    private struct TrieBuilder {
        struct Node {
            var next: [UInt32: Int32] = [:]
            var gap: Int32 = -1
            var wildcard: Int32 = -1
            var entry: Int32 = -1
            var isAfterWildcard = false
        }

        var nodes = [Node()]

        mutating func insert(_ key: [UInt32], entry: Int32) {
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
    }

    /// Lays the built trie out flat: each node's children one after another, sorted by letter.
    private mutating func freeze(_ trie: TrieBuilder) {
        nodes = trie.nodes.map { built in
            var node = Node(gap: built.gap, wildcard: built.wildcard, entry: built.entry,
                            isAfterWildcard: built.isAfterWildcard)
            node.firstEdge = Int32(edgeSymbols.count)
            node.edgeCount = Int32(built.next.count)
            for (symbol, target) in built.next.sorted(by: { $0.key < $1.key }) {
                edgeSymbols.append(symbol)
                edgeTargets.append(target)
            }
            return node
        }
    }

    /// The child of `node` for `symbol`, or -1.
    @inline(__always)
    private func child(of node: Node, _ symbol: UInt32) -> Int32 {
        var low = Int(node.firstEdge)
        var high = low + Int(node.edgeCount)
        while high - low > 4 {
            let middle = (low + high) / 2
            if edgeSymbols[middle] <= symbol { low = middle } else { high = middle }
        }
        while low < high {
            if edgeSymbols[low] == symbol { return edgeTargets[low] }
            low += 1
        }
        return -1
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
        if word[0] < 128 {
            fuzzyByASCIILetter[Int(word[0])].append(id)
        } else {
            fuzzyByOtherLetter[word[0], default: []].append(id)
        }
    }

    // MARK: - Scanning

    /// The severity and category of the most severe phrase in `text`; between equally severe ones, the first in
    /// the lexicon. nil when none matches.
    func scan(_ text: String) -> (severity: CrisisSeverity, category: CrisisCategory)? {
        var buffers = scratch.take()
        buffers.text.read(text)
        let best = nodes.count > 1 && !buffers.text.tokens.isEmpty ? walk(&buffers) : -1
        buffers.clear()
        scratch.give(buffers)
        guard best >= 0 else { return nil }
        return (severities[Int(best)], categories[Int(best)])
    }

    /// The entry a walk from every word of `buffers.text` finds, or -1.
    private func walk(_ buffers: inout Scratch) -> Int32 {
        corrections(of: buffers.text, into: &buffers.corrections, word: &buffers.word, probe: &buffers.probe)
        var walk = Walk(text: buffers.text, corrections: buffers.corrections)
        for start in buffers.text.tokens.indices { self.start(at: start, &walk) }
        return walk.best
    }

    /// For each word of `text`, the one-word phrase it misspells, if any: a word of the right length, not itself a
    /// phrase word, ordinary, or the start of a `*` word, one edit (insertion, deletion, substitution or swap of
    /// two neighbours) away from the phrase, keeping its first letter; the first such phrase in the lexicon.
    /// `word` and `probe` are buffers for the keys looked up.
    private func corrections(of text: CrisisText, into found: inout [Int32], word: inout [UInt32],
                             probe: inout [UInt32]) {
        found.removeAll(keepingCapacity: true)
        found.append(contentsOf: repeatElement(-1, count: text.tokens.count))
        guard !fuzzyWords.isEmpty else { return }
        for index in text.tokens.indices {
            let slice = text.letters(of: index)
            guard fuzzyLengths.contains(slice.count) else { continue }
            let first = slice[slice.startIndex]
            let candidates = first < 128 ? fuzzyByASCIILetter[Int(first)] : fuzzyByOtherLetter[first] ?? []
            guard let best = candidates.first(where: { Self.isOneEdit(slice, fuzzyWords[Int($0)]) }) else { continue }
            word.removeAll(keepingCapacity: true)
            word.append(contentsOf: slice)
            if word.contains(where: CrisisText.isDigit) || phraseWords.contains(word) || ordinary.contains(word) {
                continue
            }
            if startsWithPrefixWord(word, probe: &probe) { continue }
            found[index] = best
        }
    }

    private func startsWithPrefixWord(_ word: [UInt32], probe: inout [UInt32]) -> Bool {
        guard !prefixWords.isEmpty else { return false }
        for length in prefixLengths where length <= word.count {
            probe.removeAll(keepingCapacity: true)
            probe.append(contentsOf: word[0..<length])
            if prefixWords.contains(probe) { return true }
        }
        return false
    }

    /// Whether `a` becomes `b` by exactly one insertion, deletion, substitution or swap of neighbours, leaving the
    /// first letter alone.
    static func isOneEdit(_ a: [UInt32], _ b: [UInt32]) -> Bool {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in isOneEdit(a, b) } }
    }

    static func isOneEdit(_ a: ArraySlice<UInt32>, _ b: [UInt32]) -> Bool {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in isOneEdit(a, b) } }
    }

    private static func isOneEdit(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Bool {
        guard let first = a.first, first == b.first, !a.elementsEqual(b) else { return false }
        if a.count == b.count {
            var differ = 0, firstDifference = 0, secondDifference = 0
            for index in a.indices where a[index] != b[index] {
                differ += 1
                if differ > 2 { return false }
                if differ == 1 { firstDifference = index } else { secondDifference = index }
            }
            if differ == 1 { return true }
            return differ == 2 && secondDifference == firstDifference + 1
                && a[firstDifference] == b[secondDifference] && a[secondDifference] == b[firstDifference]
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
        let text: CrisisText
        let corrections: [Int32]
        var best: Int32 = -1
        var budget = 0

        init(text: CrisisText, corrections: [Int32]) {
            self.text = text
            self.corrections = corrections
        }

        func variants(of token: Int) -> Int { corrections[token] >= 0 ? 2 : 1 }
    }

    private func start(at token: Int, _ walk: inout Walk) {
        for variant in 0..<walk.variants(of: token) {
            walk.budget = CrisisMatcher.walkBudget
            visit(0, token, variant, 0, previous: 0, afterGap: false, &walk)
        }
    }

    @inline(__always)
    private func count(_ token: Int, _ variant: Int, _ walk: inout Walk) -> Int {
        variant == 0 ? walk.text.tokens[token].count : fuzzyWords[Int(walk.corrections[token])].count
    }

    @inline(__always)
    private func letter(_ token: Int, _ variant: Int, _ offset: Int, _ walk: inout Walk) -> UInt32 {
        variant == 0
            ? walk.text.letters[walk.text.tokens[token].start + offset]
            : fuzzyWords[Int(walk.corrections[token])][offset]
    }

    private func record(_ entry: Int32, _ walk: inout Walk) {
        guard walk.best >= 0 else { walk.best = entry; return }
        let severity = severities[Int(entry)], bestSeverity = severities[Int(walk.best)]
        if severity > bestSeverity || (severity == bestSeverity && entry < walk.best) { walk.best = entry }
    }

    /// At `node` of the trie, about to read letter `offset` of message word `token` (read as written, or
    /// as the phrase it misspells for variant 1). `previous` is the last letter read; `afterGap` says the walk
    /// has just stepped from one phrase word to the next; `skipped` counts the one-letter words just passed over
    /// as repeats.
    private func visit(_ node: Int32, _ token: Int, _ variant: Int, _ offset: Int, previous: UInt32, afterGap: Bool,
                       skipped: Int = 0, _ walk: inout Walk) {
        guard walk.budget > 0 else { return }
        walk.budget -= 1
        let here = nodes[Int(node)]
        let length = count(token, variant, &walk)

        if offset == length {
            if here.entry >= 0 { record(here.entry, &walk) }
            if here.wildcard >= 0 { visit(here.wildcard, token, variant, offset, previous: 0, afterGap: false, &walk) }
            let next = token + 1
            guard next < walk.text.tokens.count else { return }
            let mayJoin = node != 0 && !here.isAfterWildcard
                && (!walk.text.tokens[next].afterSpace || walk.text.tokens[token].count == 1
                    || walk.text.tokens[next].count == 1)
            for nextVariant in 0..<walk.variants(of: next) {
                if here.gap >= 0 { visit(here.gap, next, nextVariant, 0, previous: previous, afterGap: true, &walk) }
                if mayJoin {
                    visit(node, next, nextVariant, 0, previous: previous, afterGap: false, skipped: skipped, &walk)
                }
            }
            return
        }

        let letter = letter(token, variant, offset, &walk)
        let child = child(of: here, letter)
        if child >= 0 {
            visit(child, token, variant, offset + 1, previous: letter, afterGap: false, &walk)
        }
        // "kil" + "l": the message repeats the last letter across a break.
        // At most two whole one-letter words in a row ("k i l l l"), so "a a a a …" costs nothing.
        if offset == 0 && letter == previous && (length > 1 || skipped < CrisisMatcher.repeatedWords) {
            visit(node, token, variant, 1, previous: previous, afterGap: afterGap,
                  skipped: length == 1 ? skipped + 1 : 0, &walk)
        }
        // "want" + "to": the phrase repeats the last letter across its gap and the message does not.
        if afterGap {
            let repeated = self.child(of: here, previous)
            if repeated >= 0 { visit(repeated, token, variant, offset, previous: previous, afterGap: false, &walk) }
        }
        if offset > 0 {
            // "killmyself": the next phrase word starts inside this message word.
            if here.gap >= 0 { visit(here.gap, token, variant, offset, previous: previous, afterGap: true, &walk) }
            if here.wildcard >= 0 {
                // "overdos*" inside "overdosing": skip the rest of the word…
                let after = here.wildcard
                visit(after, token, variant, length, previous: 0, afterGap: false, &walk)
                // …or, for "kill* myself" in "killingmyself", the part of it before the next phrase word.
                let gap = nodes[Int(after)].gap
                var resume = offset
                while gap >= 0 && resume < length && walk.budget > 0 {
                    visit(gap, token, variant, resume, previous: self.letter(token, variant, resume - 1, &walk),
                          afterGap: true, &walk)
                    resume += 1
                }
            }
        }
    }
}

extension CrisisMatcher {
    /// What one scan works in: the message's words, each word's correction, and keys for the lookups.
    struct Scratch: Sendable {
        var text = CrisisText()
        var corrections: [Int32] = []
        var word: [UInt32] = []
        var probe: [UInt32] = []

        /// Forgets the message (letters overwritten), keeping the capacity.
        mutating func clear() {
            text.clear()
            corrections.removeAll(keepingCapacity: true)
            word.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            probe.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            word.removeAll(keepingCapacity: true)
            probe.removeAll(keepingCapacity: true)
        }
    }

    /// One spare `Scratch` per lexicon: a scan takes it and gives it back, so a run of scans on one thread (the
    /// service thread) allocates nothing. A scan that finds it taken (another thread is scanning) makes its own.
    final class ScratchPool: Sendable {
        private let spare = Mutex<Scratch?>(Scratch())

        func take() -> Scratch {
            spare.withLock { spare in
                defer { spare = nil }
                return spare
            } ?? Scratch()
        }

        /// Keeps `scratch` (cleared) for the next scan.
        func give(_ scratch: Scratch) {
            spare.withLock { spare in spare = scratch }
        }
    }
}
