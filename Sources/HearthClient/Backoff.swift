/// How long a client waits before reconnecting: exponential backoff with jitter, as PROTOCOL.md section 11 asks
/// (0.25 s doubling to 30 s by default), each delay drawn from the upper half of its step so that many clients cut
/// off at once do not come back in step.
public struct Backoff: Sendable, Equatable {
    public var first: Duration
    public var cap: Duration

    public init(first: Duration = .milliseconds(250), cap: Duration = .seconds(30)) {
        self.first = first
        self.cap = cap
    }

    /// The delay before reconnect attempt `attempt` (0 for the first), given a random number in `0..<1`.
    public func delay(attempt: Int, random: Double) -> Duration {
        let step = min(cap, first * (1 << min(attempt, 20)))
        return step / 2 + step / 2 * min(max(random, 0), 1)
    }
}
