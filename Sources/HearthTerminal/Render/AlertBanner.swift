import HearthClient
import HearthCore

/// The line under the rooms bar while any alert is open, in every view: the oldest open alert, as
/// `ALERT ESCALATED Sam T.: suicide ×4, high · Group therapy (evening IOP) · 18:04 · msg #3   /ack 3 (+1 more)`
/// (`×4`: a coalesced alert standing for four signals; 18:04 is its first).
/// The command and the count of the others keep their place at the right; the rest is cut first.
enum AlertBanner {
    static func render(into grid: inout Grid, row: Int, context: RenderContext) {
        let open = context.state.openAlerts
        guard let alert = open.first else { return }
        let escalated = alert.escalated == true
        let style = Palette.banner
        grid.fill(row: row, style: style)

        var left: [Span] = [Span("ALERT ", style)]
        if escalated { left.append(Span("ESCALATED", Palette.escalated)); left.append(Span(" ", style)) }
        // A category or severity this build does not know is shown as the server sent it.
        let category = TextWidth.sanitized(alert.category.rawValue).replacingOccurrences(of: "_", with: " ")
        var details = "\(TextWidth.sanitized(alert.member.name)): \(category)"
        if alert.signals > 1 { details += " ×\(alert.signals)" }
        details += ", \(TextWidth.sanitized(alert.severity.rawValue))"
        details += " · \(TextWidth.sanitized(context.title(of: alert.room)))"
        details += " · \(context.clock(wire: alert.ts))"
        if let seq = alert.seq { details += " · msg #\(seq)" }
        left.append(Span(details, style))

        var right = "/ack \(alert.id)"
        if open.count > 1 { right += " (+\(open.count - 1) more)" }
        let rightColumns = TextWidth.columns(right)
        let width = grid.width
        if rightColumns + 2 > width {
            grid.write(left, row: row, column: 0, width: width)
            return
        }
        let leftWidth = width - rightColumns - 2
        grid.write(left.truncated(to: leftWidth), row: row, column: 0, width: leftWidth)
        grid.write(right, row: row, column: width - rightColumns, style: style)
    }
}
