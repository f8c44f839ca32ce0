import Foundation

/// A room's setting that changed and must be stored (and audited) before the change is answered `ok`.
public enum ControlChange: String, Equatable, Sendable {
    case lock, unlock, slow, review, end
}

/// What a decision of `RoomCore` asks the server to do, in order. Records (`restrict`, `lift`, `saveControl`,
/// `audit` of an action whose only record is its audit row) are stored first; the request is answered `ok` once
/// they are; the other effects follow.
public enum RoomEffect: Equatable, Sendable {
    /// Store a mute, removal or ban (and audit it).
    case restrict(RestrictionKind, MemberInfo, until: Date?, reason: String?)
    /// Store the lifting of a mute or ban (and audit it).
    case lift(RestrictionKind, MemberInfo)
    /// Store the room's controls as they now are, audited as this change with a detail.
    case saveControl(ControlChange, detail: String?)
    /// An audit row that is the action's only record.
    case audit(RoomAuditEvent)
    /// Set a flag on a stored message, then tell the room (the flag's outcome decides who hears).
    case flag(MessageFlag, seq: Int64)
    /// A `moderation` frame to an audience (participants never see the reason).
    case announce(ServerFrame.Moderation, ModerationAudience)
    /// Every connection of this member leaves the room and its waiting room.
    case evict(PersonID)
    /// The raised-hands queue to the staff in the room.
    case sendHands
    /// The session ends: `ended` to everyone, participants and family out, the waiting room closed.
    case endSession(by: MemberInfo)
}

/// Audit rows a room's rules write as an action's only record.
public enum RoomAuditEvent: Equatable, Sendable {
    case lowerHand(PersonID)
    case roundStart(members: Int)
    case roundEnd

    /// Whether the request waits for this row before its `ok`.
    public var isTheRecord: Bool {
        switch self {
        case .lowerHand, .roundStart: true
        case .roundEnd: false
        }
    }
}

extension RoomEffect {
    /// Whether this effect is a record the request's `ok` waits for.
    public var isRecord: Bool {
        switch self {
        case .restrict, .lift, .saveControl: true
        case .audit(let event): event.isTheRecord
        case .flag, .announce, .evict, .sendHands, .endSession: false
        }
    }
}
