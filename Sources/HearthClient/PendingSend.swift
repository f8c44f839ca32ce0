import Foundation
import HearthCore

/// A message the person wrote that the server has not acknowledged yet. Keyed by `clientID`, the idempotency key:
/// sending it again, even after a reconnect or a server restart, never stores it twice (docs/PROTOCOL.md 8.4).
public struct PendingSend: Equatable, Sendable {
    /// Where the message stands.
    public enum Status: Equatable, Sendable {
        /// Waiting for the room to be joined and resumed (or for the connection).
        case queued
        /// Written on the current connection; the `ack` has not come.
        case sent
        /// The server refused it, in its own words. Not sent again unless the person retries (`retrySend`).
        case refused(code: ErrorCode, message: String)
    }

    public let room: RoomID
    public let body: String
    public let clientID: String
    public let to: Recipient?
    public let announce: Bool
    /// When the person wrote it.
    public let queuedAt: Date
    public internal(set) var status: Status
    /// Order of writing, so pending messages go out as they were written.
    let order: Int

    /// The `send` request for it, with the same `client_id` every time.
    var command: ClientCommand {
        .send(room: room, body: body, clientID: clientID, to: to, announce: announce)
    }
}
