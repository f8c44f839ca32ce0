/// A run of text in one style: the unit the renderer lays out and writes into a grid.
public struct Span: Equatable, Sendable {
    public var text: String
    public var style: CellStyle

    public init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }

    /// The columns the text takes.
    public var columns: Int { TextWidth.columns(text) }
}

extension [Span] {
    /// The columns all the spans take.
    var columns: Int { reduce(0) { $0 + $1.columns } }

    /// The spans cut to `width` columns, the last one ending with "…" when something was cut.
    func truncated(to width: Int) -> [Span] {
        guard columns > width else { return self }
        var out: [Span] = []
        var left = width - 1
        for span in self {
            guard left > 0 else { break }
            let cut = TextWidth.prefix(span.text, columns: left)
            out.append(Span(cut, span.style))
            left -= TextWidth.columns(cut)
            if cut.count < span.text.count { break }
        }
        if width >= 1 { out.append(Span("…", out.last?.style ?? .plain)) }
        return out
    }
}

// Writing styled text into a grid: wide characters take their cell and a `.continuation` after it, a wide character
// that would cross the edge of the area is replaced by a blank, and control characters are never written (a
// message body cannot move the terminal's cursor).
extension Grid {
    /// Writes text at `row`, `column` within `width` columns (to the right edge when nil) and returns the columns
    /// used. Combining marks on their own join the character before them, other zero-width and control characters are
    /// dropped, tabs and newlines become spaces.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, width: Int? = nil,
                               style: CellStyle = .plain) -> Int {
        write([Span(text, style)], row: row, column: column, width: width)
    }

    /// Writes spans one after the other from `row`, `column`, within `width` columns (to the right edge when nil),
    /// and returns the columns used.
    @discardableResult
    public mutating func write(_ spans: [Span], row: Int, column: Int, width: Int? = nil) -> Int {
        guard row >= 0, row < height, column >= 0, column < self.width else { return 0 }
        let end = min(self.width, column + max(0, width ?? self.width - column))
        var at = column
        var lastCell: Int?
        for span in spans {
            for character in span.text {
                if character == "\t" || character.isNewline {
                    guard at < end else { return at - column }
                    put(Cell(" ", style: span.style), row: row, column: at)
                    lastCell = at
                    at += 1
                    continue
                }
                let cost = TextWidth.columns(character)
                if cost == 0 {
                    // Joins the character before it (a combining mark or a zero-width joiner on its own); a control
                    // character is dropped.
                    if let lastCell, isMark(character) {
                        self[row, lastCell].text.append(character)
                    }
                    continue
                }
                guard at + cost <= end else {
                    // A wide character does not fit in the last column: leave a blank rather than half of it.
                    if at < end { put(Cell(" ", style: span.style), row: row, column: at); at += 1 }
                    return at - column
                }
                put(Cell(String(character), width: cost, style: span.style), row: row, column: at)
                if cost == 2 { put(.continuation, row: row, column: at + 1) }
                lastCell = at
                at += cost
            }
        }
        return at - column
    }

    /// Fills `width` columns of `row` from `column` (to the right edge when nil) with blanks in `style`.
    public mutating func fill(row: Int, column: Int = 0, width: Int? = nil, style: CellStyle = .plain) {
        guard row >= 0, row < height, column >= 0 else { return }
        let end = min(self.width, column + max(0, width ?? self.width - column))
        guard column < end else { return }
        for at in column..<end { put(Cell(" ", style: style), row: row, column: at) }
    }

    /// Writes one cell, first mending a wide character it overwrites half of.
    private mutating func put(_ cell: Cell, row: Int, column: Int) {
        let old = self[row, column]
        if old.width == 0, cell.width != 0, column > 0, self[row, column - 1].width == 2 {
            self[row, column - 1] = Cell(" ", style: self[row, column - 1].style)
        }
        if old.width == 2, cell.width != 2, column + 1 < width {
            self[row, column + 1] = Cell(" ", style: old.style)
        }
        self[row, column] = cell
    }

    /// A combining mark standing alone; zero-width format characters (bidi overrides among them) are dropped.
    private func isMark(_ character: Character) -> Bool {
        character.unicodeScalars.allSatisfy {
            switch $0.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark: true
            default: false
            }
        }
    }
}
