import Foundation
import HearthCore

/// What `ClientState.apply(_:now:)` learns, in the order it happened: the connection's changes, the server's
/// frames, and what the person did that the state must know about (which rooms they are in, what they wrote, which
/// room the screen shows). Requests the state does not track (`admit`, `moderate`, `alert_ack`, …) go straight to
/// the connection; their effects come back as frames.
public enum ClientEvent: Equatable, Sendable {
    /// A socket is being opened (first connection or reconnection).
    case connecting
    /// The socket is open. The connection layer sends `hello` itself; the state waits for `welcome`.
    case connected
    /// The socket closed. Code 4001 (an `unauthorized` token) stops the client for good.
    case disconnected(code: UInt16, reason: String)
    /// A frame from the server.
    case frame(ServerFrame)
    /// The person asked to enter a room (`/join`). The state joins, and rejoins it after every reconnect until
    /// `leave`. A client never joins a room by itself: a staff join un-pauses a room and counts attendance.
    case join(room: RoomID)
    /// The person left a room (`/leave`): it is no longer rejoined; what was read stays.
    case leave(room: RoomID)
    /// The person wrote a message. It stays pending (kept across disconnects) until its `ack`, or until the
    /// message with this `clientID` comes back from the server; it is sent once the room is joined and resumed.
    case queuedSend(room: RoomID, body: String, clientID: String, to: Recipient? = nil, announce: Bool = false)
    /// Sends a refused pending message again, with its same `client_id` (after `internal` or `rate_limited`).
    case retrySend(clientID: String)
    /// Forgets a pending message.
    case discardSend(clientID: String)
    /// Time passed (the app sends one every second): what a `rate_limited` error asked the state to wait for (a
    /// `join`, a pending message, the open-alert list, a `leave`) is requested again once its `retry_after` is over.
    /// Every event does this too; `tick` only makes sure it happens without one.
    case tick
    /// The person scrolled back past the oldest message held: ask for the page before it (`history`).
    case loadEarlier(room: RoomID)
    /// The screen now shows this room (nil: none). Its unread count resets; the room left behind loses its
    /// "unread from here" mark.
    case focused(room: RoomID?)
}

/// What the connection must do after the state changed, in order. Requests carry a `ref` the state chose (`cs1`,
/// `cs2`, …) and remembers, to know which `join` a `joined` answers, which `send` an error refuses, and so on:
/// send them with that `ref` unchanged, and feed every frame back as `.frame`, replies included.
public enum ClientEffect: Equatable, Sendable {
    /// Write this request on the current connection.
    case send(ClientRequest)
}
