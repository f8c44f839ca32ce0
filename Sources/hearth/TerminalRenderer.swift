import HearthTerminal

/// Draws grids on the terminal with ANSI sequences, rewriting only the rows that changed since the last frame (all
/// of them after a resize), so a room receiving many messages a second costs little.
struct TerminalRenderer {
    private var previous: Grid?

    /// Forgets what is on the screen (after a resize, or when another program may have drawn on it).
    mutating func invalidate() { previous = nil }

    /// The bytes that turn the last frame into `grid`.
    mutating func frame(_ grid: Grid) -> String {
        var out = ""
        let full = previous.map { $0.width != grid.width || $0.height != grid.height } ?? true
        if full { out += "\u{1b}[0m\u{1b}[2J" }
        for row in 0..<grid.height where full || previous?.rows[row] != grid.rows[row] {
            out += "\u{1b}[\(row + 1);1H"
            out += Self.line(grid.rows[row])
        }
        if let cursor = grid.cursor {
            out += "\u{1b}[\(cursor.row + 1);\(cursor.column + 1)H\u{1b}[?25h"
        } else {
            out += "\u{1b}[?25l"
        }
        previous = grid
        return out
    }

    /// One row: text with SGR changes only where the style changes; continuation cells are skipped (the wide
    /// character before them already covered two columns).
    static func line(_ cells: [Cell]) -> String {
        var out = "\u{1b}[0m"
        var style = CellStyle.plain
        for cell in cells where cell.width > 0 {
            if cell.style != style {
                out += sgr(cell.style)
                style = cell.style
            }
            out += cell.text.isEmpty ? " " : cell.text
        }
        return out + "\u{1b}[0m"
    }

    static func sgr(_ style: CellStyle) -> String {
        var codes = ["0"]
        if style.bold { codes.append("1") }
        if style.dim { codes.append("2") }
        if style.underline { codes.append("4") }
        if style.reverse { codes.append("7") }
        if let color = style.foreground { codes.append(color == .gray ? "90" : String(30 + code(color))) }
        if let color = style.background { codes.append(color == .gray ? "100" : String(40 + code(color))) }
        return "\u{1b}[" + codes.joined(separator: ";") + "m"
    }

    private static func code(_ color: CellStyle.Color) -> Int {
        switch color {
        case .red: 1
        case .green: 2
        case .yellow: 3
        case .blue: 4
        case .magenta: 5
        case .cyan: 6
        case .white: 7
        case .gray: 0
        }
    }
}
