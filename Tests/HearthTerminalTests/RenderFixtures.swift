import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
@testable import HearthTerminal

/// The rendering tests' states and helpers, over the shared fixtures. Monday 2026-11-23 in Los Angeles: the evening
/// group opens at 17:45 and closes at 21:10 (local), "now" is 18:04.
extension Fixture {
    static let zone = TimeZone(identifier: "America/Los_Angeles")!

    /// Dana in the group room with Alex and Sam, holding messages 1 to `seq`, the room on screen.
    static func counselorInGroup(seq: Int64 = 3, limit: Int = 5000) -> ClientState {
        var state = signedIn(limit: limit)
        enter(&state, seq: seq, messages: seq == 0 ? [] : messages(1...seq))
        _ = state.apply(.focused(room: group), now: now)
        return state
    }

    /// The screen showing `room`.
    static func view(_ room: RoomID? = group) -> ViewState { ViewState(currentRoom: room) }

    static func render(_ state: ClientState, _ view: ViewState, width: Int = 80, height: Int = 20) -> Grid {
        ScreenRenderer.render(state: state, view: view, width: width, height: height, now: now, timeZone: zone)
    }
}

extension Grid {
    /// Every row's text, for failure messages.
    var dump: String { (0..<height).map { "\($0): |\(line($0))|" }.joined(separator: "\n") }

    /// Whether every row takes exactly `width` columns, wide characters followed by their continuation cell.
    var rowsAreWellFormed: Bool {
        rows.allSatisfy { row in
            var index = 0
            while index < row.count {
                let cell = row[index]
                if cell.width == 2 {
                    guard index + 1 < row.count, row[index + 1] == .continuation else { return false }
                    index += 2
                } else {
                    guard cell.width == 1 else { return false }
                    index += 1
                }
            }
            return row.count == width
        } && (0..<height).allSatisfy { TextWidth.columns(line($0)) == width }
    }

    /// The first row whose text contains `text`.
    func row(containing text: String) -> Int? { (0..<height).first { line($0).contains(text) } }
}
