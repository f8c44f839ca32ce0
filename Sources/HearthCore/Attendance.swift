import Foundation

/// A stretch of time someone was admitted to a room and connected, on the server clock, in whole seconds.
public struct PresenceInterval: Hashable, Sendable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }
}

/// When arriving counts as late and leaving as early.
public struct AttendancePolicy: Hashable, Sendable {
    /// Joining more than this many minutes after the start is late.
    public var lateAfterMinutes = 10
    /// Leaving more than this many minutes before the end is leaving early.
    public var earlyBeforeMinutes = 10

    public init() {}
}

/// One person's attendance of one occurrence, computed from their presence intervals.
public struct AttendanceFigures: Hashable, Sendable {
    public var firstJoin: Date?
    public var lastLeave: Date?
    /// Seconds present between the session's start and end, counting overlapping intervals (two devices, a
    /// reconnect) once.
    public var secondsPresent: Int
    public var late: Bool
    public var leftEarly: Bool

    /// Whole minutes present, rounded to the nearest minute.
    public var minutesPresent: Int { (secondsPresent + 30) / 60 }
    /// Never there during the session.
    public var noShow: Bool { secondsPresent == 0 }

    /// Computes the figures for a session running from `starts` to `ends`. Intervals may overlap and come in any
    /// order; time outside the session (the chat opens early and closes late) does not count.
    public static func compute(_ intervals: [PresenceInterval], starts: Date, ends: Date,
                               policy: AttendancePolicy = AttendancePolicy()) -> AttendanceFigures {
        let sorted = intervals.filter { $0.end > $0.start }.sorted { $0.start < $1.start }
        var seconds = 0.0
        var cursor = starts
        for interval in sorted {
            let from = max(interval.start, cursor), to = min(interval.end, ends)
            if to > from {
                seconds += to.timeIntervalSince(from)
                cursor = to
            }
        }
        let inSession = sorted.filter { $0.end > starts && $0.start < ends }
        let firstJoin = inSession.first?.start
        let lastLeave = inSession.map(\.end).max()
        let late = firstJoin.map { $0.timeIntervalSince(starts) > Double(policy.lateAfterMinutes) * 60 } ?? false
        let leftEarly = lastLeave.map { ends.timeIntervalSince($0) > Double(policy.earlyBeforeMinutes) * 60 } ?? false
        return AttendanceFigures(firstJoin: firstJoin, lastLeave: lastLeave, secondsPresent: Int(seconds.rounded()),
                                 late: late, leftEarly: leftEarly)
    }
}
