import HearthClient
import HearthCore

/// The line above the messages when the current room has a control set or the person is not (yet) in it:
/// `locked · slow 30 s · review on · paused (no staff) · round: speaker Alex R.`, or `not joined — /join`.
enum RoomInfo {
    static func render(into grid: inout Grid, row: Int, width: Int, context: RenderContext) {
        let parts = parts(state: context.state, room: context.room)
        guard !parts.isEmpty else { return }
        var spans: [Span] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { spans.append(Span(" · ", Palette.warning)) }
            spans.append(part)
        }
        grid.write(spans.truncated(to: width), row: row, column: 0, width: width)
    }

    /// What the line says, in order; empty when nothing is set (then the line is not shown).
    static func parts(state: ClientState, room: RoomID?) -> [Span] {
        guard let room else { return [] }
        guard let info = state.roomStates[room] else { return [Span("not joined — /join", Palette.warningBold)] }
        var parts: [Span] = []
        switch info.membership {
        case .none: parts.append(Span("not joined — /join", Palette.warningBold))
        case .joining: parts.append(Span("joining…", Palette.warning))
        case .waiting: parts.append(Span("waiting to be admitted", Palette.warning))
        case .left(let reason?): parts.append(Span("left: \(TextWidth.sanitized(reason)) — /join", Palette.warningBold))
        case .left(nil): parts.append(Span("left — /join", Palette.warningBold))
        case .joined: break
        }
        if let error = info.lastError { parts.append(Span("error: \(TextWidth.sanitized(error))", Palette.error)) }
        let controls = info.controls
        if controls.ended { parts.append(Span("ended", Palette.warningBold)) }
        if info.paused { parts.append(Span("paused (no staff)", Palette.warning)) }
        if controls.locked { parts.append(Span("locked", Palette.warning)) }
        if controls.slowSeconds > 0 { parts.append(Span("slow \(controls.slowSeconds) s", Palette.warning)) }
        if controls.review { parts.append(Span("review on", Palette.warning)) }
        if let round = controls.round {
            parts.append(Span("round: speaker \(TextWidth.sanitized(round.speaker.name)) — /round next",
                              Palette.warning))
        }
        return parts
    }
}
