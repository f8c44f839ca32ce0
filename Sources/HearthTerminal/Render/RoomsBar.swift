import HearthClient
import HearthCore

/// Row 0: today's sessions as `1:Title ● p3 w1 !1 +5` (number for Alt-1..9, title shortened, state: `·` upcoming,
/// `●` open, `✓` ended; for rooms the person is in, present `p`, waiting `w`, open alerts `!`, unread `+`), the
/// current room in reverse video, and the connection's state on the right when not online.
enum RoomsBar {
    static func render(into grid: inout Grid, row: Int, context: RenderContext) {
        grid.fill(row: row)
        let width = grid.width
        var available = width
        if let label = connectionLabel(context.state) {
            let text = TextWidth.truncate(label.text, to: max(0, width / 2 - 1))
            let columns = TextWidth.columns(text)
            if columns > 0 {
                grid.write(text, row: row, column: width - columns, style: label.style)
                available = width - columns - 1
            }
        }
        guard available > 0 else { return }

        var entries = context.state.barRooms(at: context.now)
        let numbered = entries.count
        // A room on screen that is not one of today's (another day's, chosen with /go) still shows, unnumbered.
        if let room = context.room, !entries.contains(where: { $0.id == room }) {
            let state = context.state
            let info = state.roomStates[room]
            entries.append(RoomBarEntry(id: room, title: context.title(of: room),
                                        phase: state.phase(of: room, at: context.now),
                                        joined: info?.membership.wantsIn ?? false, present: info?.members.count ?? 0,
                                        waiting: info?.waiting.count ?? 0,
                                        openAlerts: state.openAlerts.filter { $0.room == room }.count,
                                        unread: info?.unread ?? 0))
        }
        guard !entries.isEmpty else {
            grid.write("No sessions today · /schedule", row: row, column: 0, width: available, style: Palette.dim)
            return
        }
        let current = entries.firstIndex { $0.id == context.room }
        let gap = Span("  ")
        var spans: [[Span]] = []
        for limit in [24, 16, 12, 8, 5, 0] {
            spans = entries.enumerated().map { index, entry in
                self.entry(entry, number: index < numbered ? index + 1 : nil, titleColumns: limit,
                           current: index == current)
            }
            if spans.map(\.columns).reduce(0, +) + 2 * (spans.count - 1) <= available { break }
        }
        // Still too wide: drop rooms on the left until the current one fits, then cut at the right edge.
        var first = 0
        let lead = [Span("…", Palette.dim), gap]
        /// The columns from room `start` through the current one.
        func through(_ start: Int, _ current: Int) -> Int {
            spans[start...current].map(\.columns).reduce(0, +) + 2 * (current - start) + (start > 0 ? lead.columns : 0)
        }
        if let current {
            while first < current, through(first, current) > available { first += 1 }
        }
        var line: [Span] = first > 0 ? lead : []
        for (offset, entry) in spans[first...].enumerated() {
            if offset > 0 { line.append(gap) }
            line += entry
        }
        grid.write(line.truncated(to: available), row: row, column: 0, width: available)
    }

    /// One room: number (for Alt-1..9), title cut to `titleColumns` (none at 0), state and counts.
    static func entry(_ entry: RoomBarEntry, number: Int?, titleColumns: Int, current: Bool) -> [Span] {
        let base = entry.joined ? Palette.plain : Palette.dim
        func style(_ style: CellStyle) -> CellStyle { Palette.highlighted(style, current) }
        var spans: [Span] = []
        let title = titleColumns > 0 ? TextWidth.truncate(TextWidth.sanitized(entry.title), to: titleColumns) : ""
        let label = switch (number, title.isEmpty) {
        case (let number?, false): "\(number):\(title)"
        case (let number?, true): "\(number)"
        case (nil, false): title
        case (nil, true): "…"
        }
        spans.append(Span(label + " ", style(base)))
        let symbol: String
        switch entry.phase {
        case .upcoming?: symbol = "·"
        case .open?: symbol = "●"
        case .ended?: symbol = "✓"
        case nil: symbol = "?"
        }
        spans.append(Span(symbol, style(entry.phase == .open ? CellStyle(foreground: .green) : base)))
        if entry.joined { spans.append(Span(" p\(entry.present)", style(base))) }
        if entry.waiting > 0 { spans.append(Span(" w\(entry.waiting)", style(Palette.warningBold))) }
        if entry.openAlerts > 0 { spans.append(Span(" !\(entry.openAlerts)", style(Palette.danger))) }
        if entry.unread > 0 { spans.append(Span(" +\(entry.unread)", style(Palette.bold))) }
        return spans
    }

    /// What the bar says of the connection when it is not online.
    static func connectionLabel(_ state: ClientState) -> Span? {
        switch state.connection {
        case .online:
            return nil
        case .offline:
            return Span("offline", Palette.error)
        case .connecting, .connected:
            // A client that was signed in before is coming back.
            return Span(state.user == nil ? "connecting…" : "reconnecting…", Palette.warning)
        case .disconnected:
            return Span("reconnecting…", Palette.warning)
        case .stopped(let reason):
            let text = TextWidth.sanitized(reason)
            return Span(text.isEmpty ? "stopped" : "stopped: \(text)", CellStyle(bold: true, foreground: .red))
        }
    }
}
