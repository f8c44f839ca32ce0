import Foundation
import HearthClient
import HearthCore

/// Renders what a counselor sees (the client's state and the view's) into a grid of cells: a pure function of its
/// arguments, with no terminal and no clock, so tests read the screen as text.
///
/// ```swift
/// let grid = ScreenRenderer.render(state: state, view: view, width: 80, height: 24, now: .now, timeZone: .current)
/// terminal.draw(grid)                               // only the rows that changed
/// ```
///
/// Only what is visible is laid out: the messages are walked from the newest (or the one scrolled back to) towards
/// older ones until the pane is full, so a room holding thousands of messages costs what a screenful does.
public struct ScreenRenderer: Sendable {
    /// The screen for `state` and `view` at `now`, times shown in `timeZone`.
    public static func render(state: ClientState, view: ViewState, width: Int, height: Int, now: Date,
                              timeZone: TimeZone) -> Grid {
        var grid = Grid(width: width, height: height)
        guard grid.width > 0, grid.height > 0 else { return grid }
        let layout = ScreenLayout(state: state, view: view, width: width, height: height)
        let context = RenderContext(state: state, view: view, now: now, timeZone: timeZone)

        if let row = layout.barRow { RoomsBar.render(into: &grid, row: row, context: context) }
        if let row = layout.bannerRow { AlertBanner.render(into: &grid, row: row, context: context) }
        if let overlay = view.overlay {
            OverlayPanel.render(overlay, into: &grid, top: layout.overlayTop, rows: layout.overlayRows,
                                width: layout.paneWidth)
        } else {
            if let row = layout.controlsRow {
                RoomInfo.render(into: &grid, row: row, width: layout.paneWidth, context: context)
            }
            MessagePane.render(into: &grid, top: layout.messageTop, rows: layout.messageRows, width: layout.paneWidth,
                               context: context)
        }
        if let column = layout.membersColumn {
            MembersPane.render(into: &grid, top: layout.overlayTop, rows: layout.overlayRows, column: column,
                               width: ScreenLayout.membersWidth, context: context)
        }
        if let row = layout.summaryRow { MembersPane.renderSummary(into: &grid, row: row, context: context) }
        if let row = layout.queuesRow { QueuesLine.render(into: &grid, row: row, context: context) }
        if let row = layout.statusRow { InputLine.renderStatus(into: &grid, row: row, context: context) }
        InputLine.render(into: &grid, row: layout.inputRow, context: context)
        return grid
    }

    /// Where each part goes: the same layout `render` uses.
    public static func layout(state: ClientState, view: ViewState, width: Int, height: Int) -> ScreenLayout {
        ScreenLayout(state: state, view: view, width: width, height: height)
    }

    /// The rows the messages get on a screen of this size (for paging: PgUp moves back about this many lines).
    public static func messageRows(state: ClientState, view: ViewState, width: Int, height: Int) -> Int {
        ScreenLayout(state: state, view: view, width: width, height: height).messageRows
    }

    /// The overlay's lines shown at once on a screen of this size (for paging an overlay).
    public static func overlayLines(state: ClientState, view: ViewState, width: Int, height: Int) -> Int {
        ScreenLayout(state: state, view: view, width: width, height: height).overlayLines
    }
}

/// What every part of the renderer reads: the two states, the moment, and how to show times and names.
struct RenderContext {
    let state: ClientState
    let view: ViewState
    let now: Date
    let calendar: Calendar

    init(state: ClientState, view: ViewState, now: Date, timeZone: TimeZone) {
        self.state = state
        self.view = view
        self.now = now
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    var room: RoomID? { view.currentRoom }
    var isStaff: Bool { state.user?.role.isStaff == true }

    /// HH:mm in the screen's zone.
    func clock(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    /// HH:mm of a wire time, or "--:--" when it cannot be read.
    func clock(wire: String) -> String {
        WireTime.parse(wire).map(clock) ?? "--:--"
    }

    /// The session's title, or the room id for a room never listed.
    func title(of room: RoomID) -> String {
        state.rooms[room]?.summary.title ?? room.rawValue
    }

    /// A member's display name, looked up among the people the room knows; the id when none has it.
    func name(of person: PersonID, in room: RoomID) -> String {
        if let state = self.state.roomStates[room] {
            for list in [state.members, state.waiting, state.hands] {
                if let member = list.first(where: { $0.id == person }) { return member.name }
            }
            if let muted = state.muted[person] { return muted.member.name }
        }
        return person.rawValue
    }
}

/// The screen's styles, in one place.
enum Palette {
    static let plain = CellStyle.plain
    static let dim = CellStyle(dim: true)
    static let bold = CellStyle(bold: true)
    static let current = CellStyle(bold: true, reverse: true)
    static let warning = CellStyle(foreground: .yellow)
    static let warningBold = CellStyle(bold: true, foreground: .yellow)
    static let danger = CellStyle(bold: true, foreground: .red)
    /// "NOT SAFE" beside a name: red, reversed.
    static let notSafe = CellStyle(bold: true, reverse: true, foreground: .red)
    static let banner = CellStyle(bold: true, reverse: true, foreground: .red)
    static let escalated = CellStyle(bold: true, reverse: true, underline: true, foreground: .yellow)
    static let error = CellStyle(foreground: .red)
    static let title = CellStyle(bold: true, reverse: true)
    static let separator = CellStyle(foreground: .gray)
    static let mark = CellStyle(foreground: .cyan)
    static let staffName = CellStyle(bold: true, foreground: .cyan)
    static let familyName = CellStyle(bold: true, foreground: .green)

    /// A display name's style by role.
    static func name(_ role: Role) -> CellStyle {
        switch role {
        case .counselor, .admin: staffName
        case .family: familyName
        case .participant: bold
        }
    }

    /// `base` with the current room's reverse video (and bold) added.
    static func highlighted(_ base: CellStyle, _ on: Bool) -> CellStyle {
        guard on else { return base }
        var style = base
        style.reverse = true
        style.bold = true
        style.dim = false
        return style
    }
}

extension Role {
    /// The role as the screen marks it after a name, e.g. "[counselor]".
    var marker: String { "[\(rawValue)]" }
}
