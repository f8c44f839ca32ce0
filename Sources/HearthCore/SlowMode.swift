import Foundation

/// Slow mode's rule: at most one message per `seconds` per participant.
public struct SlowMode: Equatable, Sendable {
    /// 0: off.
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    /// Whole seconds to wait before someone who last sent at `last` may send again; nil when they may send now.
    public func wait(since last: Date?, now: Date) -> Int? {
        guard seconds > 0, let last else { return nil }
        let remaining = Double(seconds) - now.timeIntervalSince(last)
        guard remaining > 0 else { return nil }
        return max(1, Int(remaining.rounded(.up)))
    }
}
