import Foundation

/// Who a message is for. Staff read every kind; `docs/PROTOCOL.md` §MSG says who else does.
public enum MessageKind: String, Codable, Sendable, CaseIterable {
    /// To the room.
    case chat
    /// A highlighted message from staff, to the room.
    case announcement
    /// A participant's question for the counselor: only the sender and staff see it.
    case `private`
    /// Between staff and one member (`to`): only that member and staff see it.
    case whisper
}

/// Where a message stands with respect to a viewer: the rule that decides who receives it, live or in a page.
public struct MessageAudience: Equatable, Sendable {
    public var kind: MessageKind
    public var sender: PersonID
    public var to: PersonID?
    /// Held for a counselor's review and not yet released.
    public var held: Bool

    public init(kind: MessageKind, sender: PersonID, to: PersonID?, held: Bool) {
        self.kind = kind; self.sender = sender; self.to = to; self.held = held
    }

    /// Whether someone with this id and role receives the message.
    public func includes(_ viewer: PersonID, role: Role) -> Bool {
        if role.isStaff || viewer == sender { return true }
        switch kind {
        case .private: return false
        case .whisper: return viewer == to
        case .chat, .announcement: return !held
        }
    }

    /// Whether every member of the room receives it (one shared frame fans out to all).
    public var isForEveryone: Bool { !held && (kind == .chat || kind == .announcement) }
}
