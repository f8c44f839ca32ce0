import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// One WebSocket connection's state in the hub. Service thread only.
final class Connection {
    let id: ConnectionID
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
    /// Its way to being signed in: what it sent before `hello` succeeded, a `hello` being checked, the hello
    /// deadline.
    var signIn: SignIn

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
        self.signIn = SignIn(openedAt: openedAt)
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
