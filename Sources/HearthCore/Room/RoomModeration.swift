import Foundation

/// What a restriction does: `mute` and `remove` hold for one occurrence, `ban` for a series.
public enum RestrictionKind: String, Sendable {
    case mute, remove, ban
}

/// A mute, removal or ban in force.
public struct Restriction: Equatable, Sendable {
    public var kind: RestrictionKind
    public var person: PersonID
    /// Nil: until lifted.
    public var until: Date?
    public var by: PersonID
    public var reason: String?

    public init(kind: RestrictionKind, person: PersonID, until: Date?, by: PersonID, reason: String?) {
        self.kind = kind; self.person = person; self.until = until; self.by = by; self.reason = reason
    }
}

/// A room's moderation settings, kept across restarts.
public struct RoomControl: Equatable, Sendable {
    public var locked = false
    /// 0: slow mode off.
    public var slowSeconds = 0
    /// Every participant message waits for a counselor's release.
    public var reviewMode = false
    public var endedAt: Date?
    public init() {}
}

/// A flag a counselor sets on one message.
public enum MessageFlag: Equatable, Sendable {
    case hidden(reason: String), shown, pinned, unpinned, released

    /// The action that sets it, as the room hears of it.
    public var action: ModerationAction {
        switch self {
        case .hidden: .hide
        case .shown: .unhide
        case .pinned: .pin
        case .unpinned: .unpin
        case .released: .release
        }
    }
}

/// Who hears of a moderation action.
public enum ModerationAudience: Equatable, Sendable {
    /// Everyone in the room (participants without the reason).
    case everyone
    /// Staff in the room and the member acted on.
    case staffAnd(PersonID)
    case staffOnly
}
