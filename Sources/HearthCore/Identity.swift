import Foundation

/// Who a connection belongs to, as established by `hello`.
public struct Identity: Hashable, Sendable {
    public var id: PersonID
    public var role: Role
    public var displayName: String
    /// For a family member: the participant they belong to.
    public var familyOf: PersonID?
    /// Set when the token admits to one room only (a family invitation for one occurrence).
    public var onlyRoom: RoomID?

    public init(id: PersonID, role: Role, displayName: String, familyOf: PersonID? = nil, onlyRoom: RoomID? = nil) {
        self.id = id
        self.role = role
        self.displayName = displayName
        self.familyOf = familyOf
        self.onlyRoom = onlyRoom
    }

    /// How others see this person.
    public var member: MemberInfo { MemberInfo(id: id, name: displayName, role: role) }
}
