import HearthClient
import HearthCore

/// Who is in the current room. On wide screens a pane on the right, most urgent first:
///
/// ```
/// │Waiting 1 — /admit NAME
/// │ Tom T. [family]
/// │Hands — /lower NAME
/// │ ✋1 Alex R.
/// │Round — /round next
/// │ ▶ Alex R. (1 of 3)
/// │Present 4
/// │ Sam T. muted
/// │   NOT SAFE mood 2 crav 8
/// ```
///
/// On narrow screens one line: `speaker Alex R. · 4 here: Sam T. NOT SAFE muted · Alex R. ✋1 · …`.
enum MembersPane {
    static func render(into grid: inout Grid, top: Int, rows: Int, column: Int, width: Int, context: RenderContext) {
        guard rows > 0, width > 1 else { return }
        for row in top..<(top + rows) { grid.write("│", row: row, column: column, style: Palette.separator) }
        let inner = width - 1
        guard let room = context.room else {
            grid.write("No room", row: top, column: column + 1, width: inner, style: Palette.dim)
            return
        }
        var lines = lines(room: room, width: inner, context: context)
        if lines.count > rows {
            let hidden = lines.count - rows + 1
            lines = Array(lines.prefix(rows - 1)) + [[Span("… \(hidden) more lines", Palette.dim)]]
        }
        for (offset, line) in lines.enumerated() {
            grid.write(line.truncated(to: inner), row: top + offset, column: column + 1, width: inner)
        }
    }

    /// The pane's lines, top to bottom, for `width` columns.
    static func lines(room: RoomID, width: Int, context: RenderContext) -> [[Span]] {
        let state = context.state
        var lines: [[Span]] = []
        let waiting = state.waitingList(in: room)
        if !waiting.isEmpty {
            lines.append([Span("Waiting \(waiting.count)", Palette.warningBold), Span(" — /admit NAME", Palette.dim)])
            for member in waiting { lines.append([Span(" ")] + name(member) + [Span(" " + member.role.marker, Palette.dim)]) }
        }
        let hands = state.hands(in: room)
        if !hands.isEmpty {
            lines.append([Span("Hands \(hands.count)", Palette.bold), Span(" — /lower NAME", Palette.dim)])
            for (index, member) in hands.enumerated() {
                lines.append([Span(" ✋\(index + 1) ")] + name(member))
            }
        }
        let round = state.round(in: room)
        if let round {
            lines.append([Span("Round", Palette.bold), Span(" — /round next", Palette.dim)])
            var line = [Span(" ▶ ")] + name(round.speaker)
            if let position = round.order.firstIndex(where: { $0.id == round.speaker.id }) {
                line.append(Span(" (\(position + 1) of \(round.order.count))", Palette.dim))
            }
            lines.append(line)
        }
        let members = state.roomStates[room]?.members ?? []
        let muted = Set(state.mutedMembers(in: room, at: context.now).map(\.id))
        let checkins = state.latestCheckins(in: room)
        lines.append([Span("Present \(members.count)", Palette.bold)])
        for member in members {
            var line = [Span(" ")] + name(member)
            if member.role != .participant { line.append(Span(" " + member.role.marker, Palette.dim)) }
            if let index = hands.firstIndex(where: { $0.id == member.id }) { line.append(Span(" ✋\(index + 1)")) }
            if round?.speaker.id == member.id { line.append(Span(" ▶", Palette.bold)) }
            if muted.contains(member.id) { line.append(Span(" muted", Palette.warning)) }
            lines.append(line)
            if let checkin = checkins[member.id] { lines.append([Span("  ")] + Self.checkin(checkin)) }
        }
        let missing = state.consentMissing(in: room)
        if !missing.isEmpty {
            lines.append([Span("No consent \(missing.count)", Palette.warningBold), Span(" — can't join", Palette.dim)])
            for entry in missing {
                let kind = switch entry.consent {
                case .multiFamily: "multi-family"
                case .unknown(let name): name
                }
                lines.append([Span(" ")] + name(entry.member) + [Span(" " + kind, Palette.dim)])
            }
        }
        return lines
    }

    /// The one-line summary under the messages on narrow screens.
    static func renderSummary(into grid: inout Grid, row: Int, context: RenderContext) {
        guard let room = context.room else { return }
        let state = context.state
        let members = state.roomStates[room]?.members ?? []
        let hands = state.hands(in: room)
        let muted = Set(state.mutedMembers(in: room, at: context.now).map(\.id))
        let checkins = state.latestCheckins(in: room)
        var spans: [Span] = []
        if let round = state.round(in: room) {
            spans += [Span("speaker ", Palette.bold)] + name(round.speaker) + [Span(" · ", Palette.dim)]
        }
        spans.append(Span("\(members.count) here", Palette.bold))
        // Who needs attention first: not safe, then hands in order, then the others by name.
        func rank(_ member: MemberInfo) -> Int {
            if checkins[member.id]?.safe == false { return 0 }
            if let hand = hands.firstIndex(where: { $0.id == member.id }) { return 1 + hand }
            return 1 + hands.count
        }
        let ordered = members.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
        for (index, entry) in ordered.enumerated() {
            let member = entry.element
            spans.append(Span(index == 0 ? ": " : " · ", Palette.dim))
            spans += name(member)
            if let hand = hands.firstIndex(where: { $0.id == member.id }) { spans.append(Span(" ✋\(hand + 1)")) }
            if checkins[member.id]?.safe == false { spans.append(Span(" NOT SAFE", Palette.notSafe)) }
            if muted.contains(member.id) { spans.append(Span(" muted", Palette.warning)) }
        }
        grid.write(spans.truncated(to: grid.width), row: row, column: 0, width: grid.width)
    }

    static func name(_ member: MemberInfo) -> [Span] {
        [Span(TextWidth.sanitized(member.name), Palette.name(member.role))]
    }

    /// A check-in, "NOT SAFE" first so it is never cut: `NOT SAFE mood 2 crav 8`.
    static func checkin(_ checkin: Checkin) -> [Span] {
        var spans: [Span] = []
        if checkin.safe == false { spans.append(Span("NOT SAFE", Palette.notSafe)) }
        var text: [String] = []
        if let mood = checkin.mood { text.append("mood \(mood)") }
        if let craving = checkin.craving { text.append("crav \(craving)") }
        if checkin.safe == true { text.append("safe") }
        if !text.isEmpty { spans.append(Span((spans.isEmpty ? "" : " ") + text.joined(separator: " "), Palette.dim)) }
        return spans
    }
}

/// The line of the current room's queues, each with the command that works it:
/// `waiting 2 /admit · hands 1 /lower · reports 1 /reports · private 3 /whisper · alerts 1 /ack`.
/// Non-zero counts stand out; the commands go when the line is too narrow for them.
enum QueuesLine {
    static func render(into grid: inout Grid, row: Int, context: RenderContext) {
        let state = context.state
        let alerts = state.openAlerts.count
        var queues: [(label: String, count: Int, command: String, urgent: Bool)] = []
        if let room = context.room {
            let waiting = state.waitingList(in: room)
            let admit = waiting.count == 1 ? "/admit \(TextWidth.sanitized(waiting[0].name))" : "/admit"
            queues.append(("waiting", waiting.count, admit, false))
            queues.append(("hands", state.hands(in: room).count, "/lower", false))
            queues.append(("reports", state.openReports(in: room).count, "/reports", false))
            queues.append(("private", state.privateQuestions(in: room).count, "/whisper", false))
        } else {
            queues.append(("reports", state.openReports().count, "/reports", false))
        }
        queues.append(("alerts", alerts, "/ack", true))

        func line(commands: Bool) -> [Span] {
            var spans: [Span] = []
            for (index, queue) in queues.enumerated() {
                if index > 0 { spans.append(Span(" · ", Palette.dim)) }
                let style = queue.count == 0 ? Palette.dim : (queue.urgent ? Palette.danger : Palette.warningBold)
                spans.append(Span("\(queue.label) \(queue.count)", style))
                if commands, queue.count > 0 { spans.append(Span(" " + queue.command, Palette.dim)) }
            }
            return spans
        }
        var spans = line(commands: true)
        if spans.columns > grid.width { spans = line(commands: false) }
        grid.write(spans.truncated(to: grid.width), row: row, column: 0, width: grid.width)
    }
}
