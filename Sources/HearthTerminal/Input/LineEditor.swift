/// The input line, readline-style: the text and caret (an index into its characters), editing keys, and the history
/// of submitted lines with the line being written kept aside while browsing it.
public struct LineEditor: Equatable, Sendable {
    /// What a key did.
    public enum Outcome: Equatable, Sendable {
        /// The text or the caret changed (or could have: a key the editor handles).
        case edited
        /// Enter: the line, now cleared from the input.
        case submitted(String)
        /// Not an editing key.
        case ignored
    }

    public private(set) var text = ""
    /// Characters before the caret.
    public private(set) var caret = 0
    /// Submitted lines, oldest first.
    public private(set) var history: [String] = []
    /// The most lines kept in `history`.
    public let historyLimit: Int
    /// The history entry on the line, or nil for the line being written.
    public private(set) var historyIndex: Int?
    /// The line being written, kept while the person browses the history.
    private var draft = ""

    public init(historyLimit: Int = 500) {
        self.historyLimit = max(1, historyLimit)
    }

    /// Applies one key.
    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .character(let character): insert(String(character))
        case .backspace: deleteBackward()
        case .delete, .ctrl("d"): deleteForward()
        case .left, .ctrl("b"): caret = max(0, caret - 1)
        case .right, .ctrl("f"): caret = min(text.count, caret + 1)
        case .home, .ctrl("a"): caret = 0
        case .end, .ctrl("e"): caret = text.count
        case .ctrl("w"), .alt("\u{7f}"): deleteWordBefore()
        case .ctrl("u"): replace(with: String(text.dropFirst(caret)), caret: 0)
        case .ctrl("k"): replace(with: String(text.prefix(caret)), caret: caret)
        case .alt("b"): caret = wordStart(before: caret)
        case .alt("f"): caret = wordEnd(after: caret)
        case .alt("d"):
            let end = wordEnd(after: caret)
            let characters = Array(text)
            replace(with: String(characters[..<caret]) + String(characters[end...]), caret: caret)
        case .up: historyBack()
        case .down: historyForward()
        case .enter: return .submitted(submit())
        default: return .ignored
        }
        return .edited
    }

    /// Inserts text at the caret and moves the caret after it.
    public mutating func insert(_ string: String) {
        let characters = Array(text)
        let before = String(characters[..<caret]) + string
        // A combining mark typed on its own joins the character before it: count again.
        replace(with: before + String(characters[caret...]), caret: before.count)
    }

    /// Replaces the whole line (a completion, a line given back after a mistake).
    public mutating func replace(with text: String, caret: Int) {
        self.text = text
        self.caret = min(max(0, caret), text.count)
    }

    /// Clears the line and returns it; a non-empty line different from the last one goes into the history.
    public mutating func submit() -> String {
        let line = text
        if !line.allSatisfy(\.isWhitespace), history.last != line {
            history.append(line)
            if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        }
        text = ""
        caret = 0
        draft = ""
        historyIndex = nil
        return line
    }

    // MARK: Editing

    private mutating func deleteBackward() {
        guard caret > 0 else { return }
        var characters = Array(text)
        characters.remove(at: caret - 1)
        replace(with: String(characters), caret: caret - 1)
    }

    private mutating func deleteForward() {
        guard caret < text.count else { return }
        var characters = Array(text)
        characters.remove(at: caret)
        replace(with: String(characters), caret: caret)
    }

    /// Ctrl-W: the whitespace before the caret, then the word before it (as readline's unix-word-rubout).
    private mutating func deleteWordBefore() {
        let characters = Array(text)
        var start = caret
        while start > 0, characters[start - 1].isWhitespace { start -= 1 }
        while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
        replace(with: String(characters[..<start]) + String(characters[caret...]), caret: start)
    }

    private static func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber }

    /// Alt-B: the start of the word before `index` (letters and digits make words).
    private func wordStart(before index: Int) -> Int {
        let characters = Array(text)
        var position = index
        while position > 0, !Self.isWordCharacter(characters[position - 1]) { position -= 1 }
        while position > 0, Self.isWordCharacter(characters[position - 1]) { position -= 1 }
        return position
    }

    /// Alt-F: the end of the word after `index`.
    private func wordEnd(after index: Int) -> Int {
        let characters = Array(text)
        var position = index
        while position < characters.count, !Self.isWordCharacter(characters[position]) { position += 1 }
        while position < characters.count, Self.isWordCharacter(characters[position]) { position += 1 }
        return position
    }

    // MARK: History

    private mutating func historyBack() {
        guard !history.isEmpty else { return }
        let index: Int
        if let current = historyIndex {
            guard current > 0 else { return }
            index = current - 1
        } else {
            draft = text
            index = history.count - 1
        }
        historyIndex = index
        replace(with: history[index], caret: history[index].count)
    }

    private mutating func historyForward() {
        guard let current = historyIndex else { return }
        if current + 1 < history.count {
            historyIndex = current + 1
            replace(with: history[current + 1], caret: history[current + 1].count)
        } else {
            historyIndex = nil
            replace(with: draft, caret: draft.count)
        }
    }
}
