import HearthClient
import HearthCore

/// Where each part of the screen goes for a size and a state: which rows hold the rooms bar, the alert banner, the
/// room's controls, the messages, the members, the queues, the status and the input line.
///
/// From the top: the rooms bar; the alert banner while an alert is open; the room's controls line when any is set;
/// the messages (with the members pane on their right when the screen is at least `membersMinimumWidth` wide, or a
/// one-line members summary under them otherwise); the queues line; the status line; the input line. On very small
/// screens the optional rows go first (summary, controls, queues, status), the banner last.
public struct ScreenLayout: Equatable, Sendable {
    /// Screens this wide or wider show the members pane.
    public static let membersMinimumWidth = 90
    /// The members pane's width, its separator included.
    public static let membersWidth = 26

    public var width: Int
    public var height: Int
    /// Nil only on a one-row screen.
    public var barRow: Int?
    public var bannerRow: Int?
    /// The current room's controls (locked, slow, review, round, …) or where the person stands with it.
    public var controlsRow: Int?
    /// The first row of the messages and the number of rows they get.
    public var messageTop: Int
    public var messageRows: Int
    /// The columns of the messages pane (the overlay's too), from column 0.
    public var paneWidth: Int
    /// The members pane's first column (its separator) on wide screens; its rows are those of the controls line and
    /// the messages.
    public var membersColumn: Int?
    /// The one-line members summary on narrow screens.
    public var summaryRow: Int?
    public var queuesRow: Int?
    public var statusRow: Int?
    public var inputRow: Int

    /// The rows an overlay covers: the controls line's and the messages', the first for its title.
    public var overlayTop: Int { controlsRow ?? messageTop }
    public var overlayRows: Int { messageTop + messageRows - overlayTop }
    /// Lines of an overlay's text shown at once (under its title).
    public var overlayLines: Int { max(0, overlayRows - 1) }

    /// The layout of a screen of `width` × `height` showing `state` and `view`.
    public init(state: ClientState, view: ViewState, width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        inputRow = max(0, self.height - 1)
        barRow = self.height >= 2 ? 0 : nil
        var free = max(0, self.height - 2)
        /// Takes a row for an optional line when `keep` rows are left for the messages after it.
        func take(_ wanted: Bool, keep: Int) -> Bool {
            guard wanted, free - 1 >= keep else { return false }
            free -= 1
            return true
        }
        let wide = self.width >= Self.membersMinimumWidth
        let hasBanner = take(!state.openAlerts.isEmpty, keep: 1)
        let hasStatus = take(true, keep: 2)
        let hasQueues = take(true, keep: 3)
        let hasControls = take(!RoomInfo.parts(state: state, room: view.currentRoom).isEmpty, keep: 3)
        let hasSummary = take(!wide && view.currentRoom != nil, keep: 3)

        var row = barRow == nil ? 0 : 1
        bannerRow = hasBanner ? row : nil
        if hasBanner { row += 1 }
        controlsRow = hasControls ? row : nil
        if hasControls { row += 1 }
        messageTop = row
        messageRows = free
        row += free
        summaryRow = hasSummary ? row : nil
        if hasSummary { row += 1 }
        queuesRow = hasQueues ? row : nil
        if hasQueues { row += 1 }
        statusRow = hasStatus ? row : nil
        membersColumn = wide ? self.width - Self.membersWidth : nil
        paneWidth = wide ? self.width - Self.membersWidth : self.width
    }
}
