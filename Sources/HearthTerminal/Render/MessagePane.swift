import Foundation
import HearthClient
import HearthCore

/// The current room's messages, newest at the bottom, each as
/// `18:04 #12 Dana M. [counselor] [pinned] body…`, the body word-wrapped under an indent of six columns.
///
/// - Marks: `[hidden]` (dimmed, with the text: staff see it, and the reason), `[pinned]`, `[held — /release SEQ]`,
///   `[whisper to NAME]`, `[private]`, `[announcement]` (bold).
/// - `── unread ──` before the first unread message; the person's pending messages after the last one, with
///   `(sending)` or `(not sent: reason)`.
/// - Scrolled back by `ViewState.scrollBack[room]` **messages** (pending ones count, after the buffer's): the bottom
///   row then says how many are below. When the oldest message held is on screen, a line above it says whether
///   earlier ones can be loaded.
/// - Only what is visible is laid out: the walk starts at the bottom message and stops when the pane is full.
enum MessagePane {
    /// One thing in the pane's list: a message held, or one of the person's not acknowledged yet.
    enum Item {
        case message(ChatMessage)
        case pending(PendingSend)
    }

    /// Columns of the continuation lines' indent ("HH:mm ").
    static let indent = 6

    static func render(into grid: inout Grid, top: Int, rows: Int, width: Int, context: RenderContext) {
        guard rows > 0, width > 0 else { return }
        guard let room = context.room else {
            renderGuide(into: &grid, top: top, rows: rows, width: width)
            return
        }
        let messages = context.state.visibleMessages(in: room)
        let pending = context.state.pending(in: room)
        let total = messages.count + pending.count
        func item(_ index: Int) -> Item {
            index < messages.count ? .message(messages[index]) : .pending(pending[index - messages.count])
        }
        let scroll = min(max(0, context.view.scrollBack[room] ?? 0), max(0, total - 1))
        let unreadFrom = context.state.roomStates[room]?.unreadFrom

        // Lines gathered bottom-up.
        var lines: [[Span]] = []
        let available = scroll > 0 ? rows - 1 : rows
        var index = total - 1 - scroll
        while index >= 0, lines.count < available {
            let current = item(index)
            lines += layout(current, width: width, context: context).reversed()
            if case .message(let message) = current, let unreadFrom, message.seq >= unreadFrom,
               index == 0 || messages[index - 1].seq < unreadFrom {
                lines.append(ruler("unread", width: width, style: Palette.danger))
            }
            index -= 1
        }
        if index < 0, lines.count < available {
            if context.state.roomStates[room]?.loadingEarlier == true {
                lines.append(ruler("loading earlier messages…", width: width, style: Palette.dim))
            } else if context.state.roomStates[room]?.moreBefore == true {
                let hint = context.state.canLoadEarlier(in: room) ? "earlier messages — PgUp" : "earlier messages not kept"
                lines.append(ruler(hint, width: width, style: Palette.dim))
            } else if total == 0 {
                lines.append([Span("No messages yet.", Palette.dim)])
            }
        }

        let shown = min(lines.count, available)
        // Bottom-aligned, like a chat: the newest line sits on the pane's last row (above the "more below" marker).
        var row = top + available - shown
        for line in lines[0..<shown].reversed() {
            grid.write(line, row: row, column: 0, width: width)
            row += 1
        }
        if scroll > 0 {
            let below = scroll == 1 ? "1 newer message" : "\(scroll) newer messages"
            grid.write(ruler("more below: \(below) — PgDn", width: width, style: Palette.warningBold), row: top + rows - 1,
                       column: 0, width: width)
        }
    }

    /// What shows before a room is chosen.
    static func renderGuide(into grid: inout Grid, top: Int, rows: Int, width: Int) {
        let guide = "/join ROOM to enter a session, Alt-1..9 to switch, /help for commands"
        let lines = TextWidth.wrap(guide, width: max(1, width - 2))
        for (offset, line) in lines.prefix(rows).enumerated() {
            grid.write(line, row: top + offset, column: 2, width: width - 2, style: Palette.dim)
        }
    }

    /// A full-width rule with a label: `── unread ─────…`.
    static func ruler(_ label: String, width: Int, style: CellStyle) -> [Span] {
        let head = "── \(label) "
        let rest = max(0, width - TextWidth.columns(head))
        return [Span(head + String(repeating: "─", count: rest), style)]
    }

    /// An item's lines, top to bottom.
    static func layout(_ item: Item, width: Int, context: RenderContext) -> [[Span]] {
        switch item {
        case .message(let message): layout(message, width: width, context: context)
        case .pending(let pending): layout(pending, width: width, context: context)
        }
    }

    static func layout(_ message: ChatMessage, width: Int, context: RenderContext) -> [[Span]] {
        var header: [Span] = [
            Span(context.clock(wire: message.ts) + " ", Palette.dim),
            Span("#\(message.seq) ", Palette.dim),
            Span(TextWidth.sanitized(message.from.name), Palette.name(message.from.role)),
            Span(" " + message.from.role.marker, Palette.dim),
        ]
        var body = Palette.plain
        switch message.kind {
        case .announcement?:
            header.append(Span(" [announcement]", Palette.warningBold))
            body = Palette.bold
        case .private?:
            header.append(Span(" [private]", CellStyle(bold: true, foreground: .magenta)))
        case .whisper?:
            let to = message.to.map { TextWidth.sanitized($0.name) } ?? "?"
            header.append(Span(" [whisper to \(to)]", CellStyle(foreground: .magenta)))
        case .chat?, nil:
            break
        }
        if message.held == true {
            header.append(Span(" [held — /release \(message.seq)]", Palette.warningBold))
        }
        if message.pinned == true { header.append(Span(" [pinned]", Palette.mark)) }
        if message.hidden == true {
            header.append(Span(" [hidden]", Palette.warning))
            if let reason = message.hiddenReason, !reason.isEmpty {
                header.append(Span(" (\(TextWidth.sanitized(reason)))", Palette.dim))
            }
            body = Palette.dim
        }
        return lines(header: header, body: message.body, bodyStyle: body, width: width)
    }

    static func layout(_ pending: PendingSend, width: Int, context: RenderContext) -> [[Span]] {
        let user = context.state.user
        var header: [Span] = [
            Span(context.clock(pending.queuedAt) + " ", Palette.dim),
            Span(TextWidth.sanitized(user?.name ?? "you"), user.map { Palette.name($0.role) } ?? Palette.bold),
        ]
        if let role = user?.role { header.append(Span(" " + role.marker, Palette.dim)) }
        if pending.announce { header.append(Span(" [announcement]", Palette.warningBold)) }
        switch pending.to {
        case .staff?: header.append(Span(" [private]", CellStyle(bold: true, foreground: .magenta)))
        case .member(let id)?:
            let name = TextWidth.sanitized(context.name(of: id, in: pending.room))
            header.append(Span(" [whisper to \(name)]", CellStyle(foreground: .magenta)))
        case nil: break
        }
        switch pending.status {
        case .queued, .sent:
            header.append(Span(" (sending)", Palette.dim))
        case .refused(.rateLimited, let reason):
            // The state sends it again by itself once the server's wait is over.
            header.append(Span(" (waiting: \(TextWidth.sanitized(reason)))", Palette.warning))
        case .refused(_, let reason):
            header.append(Span(" (not sent: \(TextWidth.sanitized(reason)))", Palette.error))
        }
        return lines(header: header, body: pending.body, bodyStyle: Palette.dim, width: width)
    }

    /// The header, then the body after it on the first line when there is room (16 columns, or a quarter of the width),
    /// else from the second line; continuation lines are indented.
    static func lines(header: [Span], body: String, bodyStyle: CellStyle, width: Int) -> [[Span]] {
        let indent = width >= 30 ? Self.indent : min(2, max(0, width - 1))
        let restWidth = max(1, width - indent)
        let headerColumns = header.columns + 1
        let firstWidth = width - headerColumns >= max(16, width / 4) ? width - headerColumns : 0
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        let wrapped = TextWidth.wrap(trimmed, width: restWidth, firstWidth: firstWidth)
        var out: [[Span]] = []
        var first = header.columns <= width ? header : header.truncated(to: width)
        if firstWidth > 0, let line = wrapped.first, !line.isEmpty { first += [Span(" "), Span(line, bodyStyle)] }
        out.append(first)
        let pad = String(repeating: " ", count: indent)
        for line in wrapped.dropFirst() { out.append([Span(pad), Span(line, bodyStyle)]) }
        return out
    }
}
