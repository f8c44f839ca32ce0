import Foundation

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
