import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// One WebSocket connection's state in the hub. Service thread only.
final class Connection {
    let id: ConnectionID
    /// When the socket opened, on the monotonic clock (for the hello deadline).
    let openedAt: ContinuousClock.Instant
    /// Set by a successful `hello`.
    var identity: Identity?
    /// The hash of the token used, to notice a revocation while connected.
    var tokenHash: Data?
    /// When the connection's access may end with no write to the store (its token's expiry, an enrollment's end, a
    /// consent's last day over): the tick checks it again then (`recheckAccess`).
    var accessDue: Date?
    var rooms: Set<RoomID> = []
    /// Rooms this connection is waiting to be admitted to.
    var waitingRooms: Set<RoomID> = []
    /// Rooms an admin opened with break-glass access (read-only).
    var breakGlass: Set<RoomID> = []
    var closing = false
    /// Frames and bytes received before a successful `hello` (limited: `Hub.preHelloFrames`, `preHelloBytes`).
    var preHelloFrames = 0
    var preHelloBytes = 0
    /// A `hello` is being checked off the service thread: the connection has said hello, so the hello deadline does
    /// not close it.
    var helloPending = false
    /// Where the hello deadline counts from: the socket opening, or the last `hello` answered `internal`.
    var helloSince: ContinuousClock.Instant

    /// Lookups off the service thread this connection waits for (a request's reads, a join's page). While there are
    /// any, its later frames wait in `held` and are handled in order once they are done, so a client that sends
    /// several requests at once gets its replies in the order it would if every read were instant.
    var awaiting = 0
    var held: [HeldFrame] = []
    var heldBytes = 0

    /// Rooms this connection is entering: its `joined` is being read off the service thread.
    var entering: [RoomID: Entering] = [:]

    init(id: ConnectionID, openedAt: ContinuousClock.Instant) {
        self.id = id
        self.openedAt = openedAt
        self.helloSince = openedAt
    }
}

/// A frame that arrived while its connection waited for a lookup.
enum HeldFrame {
    case text([UInt8])
    case binary
}

/// A connection on its way into a room: the page of its `joined` is being read up to `snapshot` (nil: the room was
/// not live; the read takes its latest seq). Until `joined` goes out it is not among the room's connections; the
/// messages the room delivers meanwhile that it receives are kept in `missed` and sent right after `joined`.
struct Entering {
    /// Tells this attempt from a later one (a retry, or a re-check that turned it away).
    var attempt: Int
    var snapshot: Int64?
    var missed: [StoredMessage] = []
    /// More than `Hub.maxMissedWhileEntering` were missed: the page is read again.
    var overflowed = false
    /// The person's arrival was already announced (presence, attendance): admitted from the waiting room, they are
    /// in as soon as staff admit them; only their `joined` waits for the page.
    var arrived = false
}
