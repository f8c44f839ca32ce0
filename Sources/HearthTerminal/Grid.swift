/// How a cell is drawn.
public struct CellStyle: Hashable, Sendable {
    /// A terminal's basic colours (the renderer maps them to ANSI SGR codes).
    public enum Color: Hashable, Sendable { case red, green, yellow, blue, magenta, cyan, white, gray }

    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false
    public var foreground: Color?
    public var background: Color?

    public init(bold: Bool = false, dim: Bool = false, reverse: Bool = false, underline: Bool = false,
                foreground: Color? = nil, background: Color? = nil) {
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
        self.foreground = foreground
        self.background = background
    }

    public static let plain = CellStyle()
}

/// One cell of the screen: a grapheme that takes one column, or the first column of a wide one (`width` 2) whose
/// second column holds a `continuation` cell.
public struct Cell: Hashable, Sendable {
    public var text: String
    public var width: Int
    public var style: CellStyle

    public init(_ text: String, width: Int = 1, style: CellStyle = .plain) {
        self.text = text
        self.width = width
        self.style = style
    }

    public static let blank = Cell(" ")
    /// The second column of a wide character: the terminal draws nothing there.
    public static let continuation = Cell("", width: 0)
}

/// The whole screen as rows of cells: what the model renders and the terminal draws (only the rows that changed).
public struct Grid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var rows: [[Cell]]
    /// Where the terminal's cursor goes after drawing (the input line's caret), or nil to hide it.
    public var cursor: (row: Int, column: Int)? {
        get { cursorRow.map { ($0, cursorColumn) } }
        set { cursorRow = newValue?.row; cursorColumn = newValue?.column ?? 0 }
    }
    private var cursorRow: Int?
    private var cursorColumn = 0

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        rows = Array(repeating: Array(repeating: .blank, count: self.width), count: self.height)
    }

    public subscript(row: Int, column: Int) -> Cell {
        get { rows[row][column] }
        set { rows[row][column] = newValue }
    }

    /// The text of a row as a person reads it (wide characters once, trailing blanks kept): for tests.
    public func line(_ row: Int) -> String {
        rows[row].map(\.text).joined()
    }

    /// Every row's text, joined by newlines: for tests.
    public var text: String { (0..<height).map(line).joined(separator: "\n") }

    public static func == (lhs: Grid, rhs: Grid) -> Bool {
        lhs.width == rhs.width && lhs.height == rhs.height && lhs.rows == rhs.rows && lhs.cursorRow == rhs.cursorRow
            && lhs.cursorColumn == rhs.cursorColumn
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(width)
        hasher.combine(height)
        hasher.combine(rows)
    }
}

/// A key or key chord as the terminal reports it, decoded from its bytes.
public enum Key: Hashable, Sendable {
    /// A printable grapheme (UTF-8 decoded; may be wide).
    case character(Character)
    case enter, tab, backTab, backspace, delete, escape
    case up, down, left, right, home, end, pageUp, pageDown
    /// Ctrl with a letter, lower-cased (`ctrl("a")` is Ctrl-A).
    case ctrl(Character)
    /// Alt (Meta) with a character (`alt("b")`, `alt("1")`).
    case alt(Character)
}
