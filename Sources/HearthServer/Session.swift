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
    var closing = false

    init(connection: ConnectionID, openedAt: ContinuousClock.Instant) {
        self.connection = connection
        self.openedAt = openedAt
    }
}

/// A token bucket: `rate` sends a second on average, bursts up to `burst`. Time is passed in, never read.
struct SendAllowance {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var updated: Date

    init(rate: Double, burst: Int, now: Date) {
        self.rate = rate
        self.burst = Double(burst)
        tokens = Double(burst)
        updated = now
    }

    /// Takes one send and returns nil, or returns how many seconds until one is allowed.
    mutating func take(now: Date) -> Double? {
        guard rate > 0 else { return nil }
        tokens = min(burst, tokens + max(0, now.timeIntervalSince(updated)) * rate)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }
}

/// A room with people in it. Service thread only.
final class LiveRoom {
    var descriptor: RoomDescriptor
    /// Every connection that joined, for fan-out.
    var connections: Set<ConnectionID> = []
    /// People present and how many of their connections are in the room.
    var present: [PersonID: (member: MemberInfo, connections: Int)] = [:]
    /// The highest seq delivered live. Snapshots (`joined`, `history`) stop here; live delivery continues after it.
    var deliveredSeq: Int64
    /// Messages handed to the writer and not yet committed.
    var inFlight = 0

    init(descriptor: RoomDescriptor, deliveredSeq: Int64) {
        self.descriptor = descriptor
        self.deliveredSeq = deliveredSeq
    }

    var members: [MemberInfo] {
        present.values.map(\.member).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    var isIdle: Bool { connections.isEmpty && inFlight == 0 }
}
