import HearthClient
import HearthCore

/// The two bottom lines: the status (the last command's result, the server's reason in red when refused) and the
/// input line, `> ` and the text, scrolled sideways so the caret stays visible (`< ` when the start is cut off).
/// Columns count wide characters as two; the grid's cursor goes on the caret.
enum InputLine {
    static let prompt = "> "
    static let scrolledPrompt = "< "

    static func render(into grid: inout Grid, row: Int, context: RenderContext) {
        let width = grid.width
        let characters = Array(context.view.input)
        let caret = min(max(0, context.view.caret), characters.count)
        let available = max(0, width - TextWidth.columns(prompt))
        // Columns of the text from `start` to the caret: the caret needs one column of its own at the end.
        var start = 0
        var beforeCaret = columns(characters[0..<caret])
        while start < caret, beforeCaret > available - 1 {
            beforeCaret -= TextWidth.columns(characters[start])
            start += 1
        }
        grid.fill(row: row)
        let promptColumns = grid.write(start > 0 ? scrolledPrompt : prompt, row: row, column: 0,
                                       style: start > 0 ? Palette.dim : Palette.bold)
        grid.write(String(characters[start...]), row: row, column: promptColumns, width: available)
        grid.cursor = (row, min(max(0, width - 1), promptColumns + beforeCaret))
    }

    /// The status line: the view's status, or who the person is and where help is.
    static func renderStatus(into grid: inout Grid, row: Int, context: RenderContext) {
        if let status = context.view.status {
            let style = status.kind == .error ? Palette.error : Palette.plain
            grid.write(TextWidth.sanitized(status.text), row: row, column: 0, style: style)
            return
        }
        var parts: [String] = []
        if let room = context.room { parts.append(TextWidth.sanitized(context.title(of: room))) }
        if let user = context.state.user { parts.append("\(TextWidth.sanitized(user.name)) \(user.role.marker)") }
        parts.append("/help for commands")
        grid.write(parts.joined(separator: " · "), row: row, column: 0, style: Palette.dim)
    }

    private static func columns(_ characters: ArraySlice<Character>) -> Int {
        characters.reduce(0) { $0 + TextWidth.columns($1) }
    }
}
