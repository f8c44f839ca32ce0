import Foundation
import HearthCore
import HearthTransport

/// One WebSocket connection's state in the hub. Service thread only.
final class Session {
    let connection: ConnectionID
    /// When the socket opened, on the monotonic clock (for the hello deadline).
    let openedAt: ContinuousClock.Instant
    /// Set by a successful `hello`.
    var identity: Identity?
    /// The hash of the token used, to notice a revocation while connected.
    var tokenHash: Data?
    var rooms: Set<RoomID> = []
    /// Rooms this connection is waiting to be admitted to.
    var waitingRooms: Set<RoomID> = []
    /// Rooms an admin opened with break-glass access (read-only).
    var breakGlass: Set<RoomID> = []
    var closing = false
    /// Frames and bytes received before a successful `hello` (limited: `Hub.preHelloFrames`, `preHelloBytes`).
    var preHelloFrames = 0
    var preHelloBytes = 0

    init(connection: ConnectionID, openedAt: ContinuousClock.Instant) {
        self.connection = connection
        self.openedAt = openedAt
    }
}
