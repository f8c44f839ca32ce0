import Foundation
import HearthClient
import HearthCore

/// What the app must do after a key or a frame: apply an event to `ClientState` (and hand the effects it returns to
/// the connection), send a request of the screen's own (its `ref` is the model's), ring the bell, or quit.
public enum ScreenAction: Equatable, Sendable {
    case apply(ClientEvent)
    case send(ClientRequest)
    case bell
    case quit
}

/// The screen's input side as a pure value: keys in, actions out. It holds the view (room in front, scrolling, input
/// line, status, overlay), the line editor and Tab completion, and the requests it made (by `ref`) so it can read
/// their replies. No terminal, no clock: `now` is passed in.
///
/// ```swift
/// var model = ScreenModel(clientIDPrefix: UUID().uuidString)
/// for key in decoder.feed(bytes) {
///     for action in model.handle(key, state: state, now: .now) { perform(action) }
/// }
/// for action in model.observe(frame, state: state, now: .now) { perform(action) }   // every frame, after the state
/// ```
public struct ScreenModel: Equatable, Sendable {
    /// What a request the model made was for, to read its reply.
    public struct Ask: Equatable, Sendable {
        /// What the reply is.
        public enum Kind: Equatable, Sendable {
            /// Answered by `ok`: `done` goes in the status line.
            case action(done: String)
            case attendance, summary, notes, schedule, invitation, transcript, alerts
        }

        /// The command as typed, to name it in the server's refusal.
        public var command: String
        public var kind: Kind
    }

    public var view: ViewState
    public internal(set) var editor: LineEditor
    /// The Tab completion being cycled, if the last key was Tab or Shift-Tab.
    public internal(set) var completion: Completion?
    /// The web page's address (`http://HOST:PORT/`), for invitation links; see `webAddress(forServer:)`.
    public var webAddress: String?
    /// Requests waiting for their reply, by `ref`.
    public internal(set) var asked: [String: Ask] = [:]

    /// Prefix of the `client_id`s of messages written here: random per model, so ids never repeat across runs.
    let clientIDPrefix: String
    var nextClientID = 1
    var nextRef = 1
    /// Per room, people in the order the screen saw them arrive (members of the first snapshot in list order).
    var arrivals: [RoomID: [PersonID]] = [:]
    /// Alerts the bell rang for, with whether they were escalated then.
    var rung: [Int64: Bool] = [:]

    /// - Parameters:
    ///   - clientIDPrefix: random per run (a UUID): message ids are this, a dash and a counter.
    ///   - webAddress: the web page's address, for invitation links.
    public init(clientIDPrefix: String, view: ViewState = ViewState(), webAddress: String? = nil,
                historyLimit: Int = 500) {
        self.clientIDPrefix = clientIDPrefix
        self.view = view
        self.webAddress = webAddress
        editor = LineEditor(historyLimit: historyLimit)
    }

    /// The web page's address for a server's WebSocket URL: `ws://HOST:PORT/ws` gives `http://HOST:PORT/`.
    public static func webAddress(forServer url: String) -> String? {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            return nil
        }
        switch scheme {
        case "ws", "http": components.scheme = "http"
        case "wss", "https": components.scheme = "https"
        default: return nil
        }
        components.path = "/"
        components.query = nil
        components.fragment = nil
        return components.string
    }

    // MARK: Keys

    /// Applies one key.
    public mutating func handle(_ key: Key, state: ClientState, now: Date) -> [ScreenAction] {
        if key != .tab && key != .backTab { completion = nil }
        switch key {
        case .ctrl("c"):
            return [.quit]
        case .escape:
            if view.overlay != nil { view.overlay = nil } else { view.status = nil }
            return []
        case .tab:
            complete(step: 1, state: state, now: now)
            return []
        case .backTab:
            complete(step: -1, state: state, now: now)
            return []
        case .alt(let character) where ("1"..."9").contains(character):
            let bar = state.barRooms(at: now)
            guard let number = character.wholeNumberValue, number <= bar.count else { return [] }
            return show(bar[number - 1].id)
        case .ctrl("n"), .ctrl("p"):
            let bar = state.barRooms(at: now).map(\.id)
            guard !bar.isEmpty else { return [] }
            let step = key == .ctrl("n") ? 1 : -1
            guard let index = view.currentRoom.flatMap(bar.firstIndex(of:)) else {
                return show(step == 1 ? bar[0] : bar[bar.count - 1])
            }
            return show(bar[(index + step + bar.count) % bar.count])
        case .pageUp, .pageDown:
            return scroll(up: key == .pageUp, state: state)
        case .enter:
            let line = editor.submit()
            syncInput()
            return submit(line, state: state, now: now)
        default:
            _ = editor.handle(key)
            syncInput()
            return []
        }
    }

    /// Puts a room in front (without joining it).
    mutating func show(_ room: RoomID) -> [ScreenAction] {
        guard view.currentRoom != room else { return [] }
        view.currentRoom = room
        return [.apply(.focused(room: room))]
    }

    private mutating func syncInput() {
        view.input = editor.text
        view.caret = editor.caret
    }

    private mutating func complete(step: Int, state: ClientState, now: Date) {
        if var cycling = completion {
            cycling.advance(by: step)
            completion = cycling
            editor.replace(with: cycling.text, caret: cycling.caret)
            syncInput()
            return
        }
        let source = CompletionSource(state: state, currentRoom: view.currentRoom, now: now)
        guard var started = Completion(text: editor.text, caret: editor.caret, source: source) else { return }
        if step < 0 { started.advance(by: -1) }
        editor.replace(with: started.text, caret: started.caret)
        syncInput()
        if started.candidates.count > 1 {
            completion = started
            view.status = .init(.info, started.candidates.joined(separator: "  "))
        }
    }

    /// PgUp/PgDn: the overlay when one is open, else the room in front. Scrolling up past the oldest message held
    /// asks for the page before it.
    private mutating func scroll(up: Bool, state: ClientState) -> [ScreenAction] {
        let page = max(1, view.pageSize)
        if var overlay = view.overlay {
            let limit = max(0, overlay.lines.count - page)
            overlay.offset = min(limit, max(0, overlay.offset + (up ? -page : page)))
            view.overlay = overlay
            return []
        }
        guard let room = view.currentRoom else { return [] }
        let count = state.visibleMessages(in: room).count
        let current = view.scrollBack[room] ?? 0
        guard up else {
            view.scrollBack[room] = max(0, current - page)
            return []
        }
        let wanted = current + page
        view.scrollBack[room] = min(wanted, max(0, count - 1))
        // The top of the screen reaches the oldest message held: fetch earlier ones.
        if wanted + page >= count, state.canLoadEarlier(in: room) { return [.apply(.loadEarlier(room: room))] }
        return []
    }

    // MARK: Lines

    private mutating func submit(_ line: String, state: ClientState, now: Date) -> [ScreenAction] {
        guard !line.allSatisfy(\.isWhitespace) else { return [] }
        let arrivalOrder = view.currentRoom.flatMap { arrivals[$0] } ?? []
        let parser = CommandParser(state: state, currentRoom: view.currentRoom, now: now, arrivalOrder: arrivalOrder)
        do {
            let command = try parser.parse(line)
            view.status = nil
            return try run(command, line: line, state: state, now: now)
        } catch {
            // The line comes back, to be corrected.
            view.status = .init(.error, error.message)
            editor.replace(with: line, caret: line.count)
            syncInput()
            return []
        }
    }

    /// A fresh `client_id` for a message.
    mutating func newClientID() -> String {
        defer { nextClientID += 1 }
        return "\(clientIDPrefix)-\(nextClientID)"
    }

    /// A request of the model's own, remembered by its `ref` (`ui1`, `ui2`, …: the state's are `cs…`).
    mutating func request(_ command: ClientCommand, _ kind: Ask.Kind, line: String) -> ScreenAction {
        let ref = "ui\(nextRef)"
        nextRef += 1
        let typed = line.trimmingCharacters(in: .whitespaces)
        asked[ref] = Ask(command: typed.count > 60 ? String(typed.prefix(59)) + "…" : typed, kind: kind)
        return .send(ClientRequest(command, ref: ref))
    }
}
