import Foundation
import HearthClient
import HearthCore

/// What the screen shows besides the client's state: which room is in front, how far each room is scrolled back,
/// the input line, the status line and an overlay (help, a report). Changed by keys and commands (`ScreenModel`),
/// read by the renderer (`ScreenRenderer`).
public struct ViewState: Equatable, Sendable {
    /// A panel over the messages (help, attendance, a summary, notes, the reports queue); Esc closes it.
    public struct Overlay: Equatable, Sendable {
        public var title: String
        public var lines: [String]
        /// Lines scrolled past (PgUp/PgDn move it while an overlay is open).
        public var offset = 0

        public init(title: String, lines: [String], offset: Int = 0) {
            self.title = title
            self.lines = lines
            self.offset = offset
        }
    }

    /// A short line at the bottom: the result of the last command, or the server's reason for refusing it.
    public struct Status: Equatable, Sendable {
        public enum Kind: Equatable, Sendable { case info, error }
        public var kind: Kind
        public var text: String

        public init(_ kind: Kind, _ text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// The room in front (joined or not); nil before one is chosen.
    public var currentRoom: RoomID?
    /// Per room, messages scrolled back from the newest (0: at the bottom, following new messages).
    public var scrollBack: [RoomID: Int] = [:]
    /// The input line: its text and the caret as an index into the text's characters.
    public var input = ""
    public var caret = 0
    public var status: Status?
    public var overlay: Overlay?
    /// Messages (or overlay lines) one PgUp/PgDn moves: the height of the messages area, set by the app from the
    /// renderer's layout after each resize.
    public var pageSize = 10

    public init(currentRoom: RoomID? = nil) {
        self.currentRoom = currentRoom
    }
}
