import Foundation
import HearthCore

/// Where a room's chat window stands at a given moment. `ROOM.open` is only true when the frame was made, so the
/// client computes this from `opens` and `closes` (docs/PROTOCOL.md section 11.10).
public enum RoomPhase: Equatable, Sendable {
    /// Before `opens`.
    case upcoming
    /// `opens` ≤ now < `closes`, and staff have not ended the session.
    case open
    /// At or after `closes`, or ended by staff.
    case ended
}

/// A room as `welcome` and `schedule` list it (ROOM), with its times read once.
public struct ScheduledRoom: Equatable, Sendable {
    public let summary: RoomSummary
    /// The session and its chat window; nil only when the server sent a time this client cannot read.
    public let starts: Date?
    public let ends: Date?
    public let opens: Date?
    public let closes: Date?

    public init(_ summary: RoomSummary) {
        self.summary = summary
        starts = WireTime.parse(summary.starts)
        ends = WireTime.parse(summary.ends)
        opens = WireTime.parse(summary.opens)
        closes = WireTime.parse(summary.closes)
    }

    public var id: RoomID { summary.id }

    /// The window's state at `now` (not counting an `end` by staff, which `ClientState.phase(of:at:)` adds).
    public func phase(at now: Date) -> RoomPhase {
        guard let opens, let closes else { return summary.open ? .open : .upcoming }
        if now < opens { return .upcoming }
        return now < closes ? .open : .ended
    }

    /// Whether the session starts on the calendar day of `now`, in the session's own time zone.
    public func startsOnSameDay(as now: Date) -> Bool {
        guard let starts, let zone = TimeZone(identifier: summary.timeZone) else { return false }
        return LocalDate(starts, in: zone) == LocalDate(now, in: zone)
    }
}
