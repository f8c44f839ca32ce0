/// An overlay (help, attendance, a summary, notes, the reports queue) in place of the messages: a title row in
/// reverse video with the keys that work it, then its lines from `offset` (a line wider than the panel is
/// word-wrapped; shorter ones keep their spacing), and a last row saying more lines are below when they are.
enum OverlayPanel {
    static func render(_ overlay: ViewState.Overlay, into grid: inout Grid, top: Int, rows: Int, width: Int) {
        guard rows > 0, width > 0 else { return }
        let total = overlay.lines.count
        let offset = min(max(0, overlay.offset), max(0, total - 1))
        grid.fill(row: top, width: width, style: Palette.title)
        var keys = " Esc closes"
        if total > rows - 1 { keys = " \(offset + 1)/\(total) · PgUp/PgDn ·" + keys }
        let keysColumns = TextWidth.columns(keys) + 1
        let titleWidth = max(0, width - keysColumns)
        grid.write(" " + TextWidth.sanitized(overlay.title), row: top, column: 0, width: titleWidth, style: Palette.title)
        if keysColumns < width {
            grid.write(keys, row: top, column: width - keysColumns, width: keysColumns, style: Palette.title)
        }

        let available = rows - 1
        guard available > 0 else { return }
        var lines: [String] = []
        var index = offset
        while index < total, lines.count <= available {
            let line = overlay.lines[index]
            if TextWidth.columns(line) <= width { lines.append(line) } else { lines += TextWidth.wrap(line, width: width) }
            index += 1
        }
        let more = index < total || lines.count > available
        let shown = more ? available - 1 : min(lines.count, available)
        for (row, line) in lines.prefix(max(0, shown)).enumerated() {
            grid.write(line, row: top + 1 + row, column: 0, width: width)
        }
        if more {
            grid.write(MessagePane.ruler("more below — PgDn", width: width, style: Palette.dim), row: top + rows - 1,
                       column: 0, width: width)
        }
    }
}
