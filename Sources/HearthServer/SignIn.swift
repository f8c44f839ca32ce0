import Foundation

/// One connection's way to being signed in, and nothing else: what it may send before its `hello` succeeds (at most
/// `maxFrames` frames and `maxBytes` bytes, so retries of a `hello` answered `internal` fit), whether a `hello` is
/// being checked off the service thread, and whether the hello deadline has passed. A `hello` being checked counts as
/// said: the deadline skips it; a `hello` answered `internal` may be sent again and the deadline counts from then.
/// No I/O and no clock: the monotonic clock is passed in. Each `Connection` has one; service thread only.
struct SignIn {
    /// Most frames, and bytes in all, a connection may send before its `hello` succeeds; past either it is closed
    /// with 1008.
    static let maxFrames = 4
    static let maxBytes = 8 * 1024

    /// Frames and bytes received so far before a successful `hello`.
    private(set) var frames = 0
    private(set) var bytes = 0
    /// A `hello` is being checked (its reads, or an invitation's redemption, are under way).
    private(set) var isChecking = false
    /// Where the hello deadline counts from: the socket opening, or the last `hello` answered `internal`.
    var since: ContinuousClock.Instant

    init(openedAt: ContinuousClock.Instant) {
        since = openedAt
    }

    /// The refusal for a connection past the limits.
    static let tooMuch = "Too much before hello: at most \(maxFrames) frames and \(maxBytes / 1024) KiB."

    /// Counts a frame received before a successful `hello`: false when it goes past the limits.
    mutating func received(bytes count: Int) -> Bool {
        frames += 1
        bytes += count
        return frames <= Self.maxFrames && bytes <= Self.maxBytes
    }

    /// A `hello` is being checked: the deadline no longer applies.
    mutating func checking() {
        isChecking = true
    }

    /// The `hello` was answered `internal`: it may be sent again, and the deadline counts from `instant`.
    mutating func failed(at instant: ContinuousClock.Instant) {
        isChecking = false
        since = instant
    }

    /// The `hello` succeeded.
    mutating func succeeded() {
        isChecking = false
    }

    /// Whether a connection not signed in yet is past the hello deadline (`deadline`: now less the timeout): it has
    /// not said hello since before then, and none is being checked.
    func isOverdue(deadline: ContinuousClock.Instant) -> Bool {
        !isChecking && since < deadline
    }
}
