import HearthCore
import HearthStore

extension ControlChange {
    /// The audit action a change of the room's controls is recorded as.
    var auditAction: AuditAction {
        switch self {
        case .lock: .lock
        case .unlock: .unlock
        case .slow: .slow
        case .review: .review
        case .end: .end
        }
    }
}

extension RoomAuditEvent {
    /// The audit action, target and detail of the row.
    var auditAction: AuditAction {
        switch self {
        case .lowerHand: .lowerHand
        case .roundStart: .roundStart
        case .roundEnd: .roundEnd
        }
    }

    var target: String? {
        if case .lowerHand(let member) = self { return member.rawValue }
        return nil
    }

    var detail: String? {
        if case .roundStart(let members) = self { return "\(members) members" }
        return nil
    }
}
