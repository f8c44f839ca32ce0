/// What a person is to the clinic. The server decides every capability from it; a client never states its own role.
public enum Role: String, Codable, Sendable, CaseIterable {
    case participant, family, counselor, admin

    /// Counselors and admins: they may join every room, read closed rooms and (later) moderate.
    public var isStaff: Bool { self == .counselor || self == .admin }
}

/// The kind of a scheduled session (see docs/DOMAIN in shared notes). Family members may only ever join the family kinds.
public enum SessionKind: String, Codable, Sendable, CaseIterable {
    case group, relapsePrevention = "relapse_prevention", skills, individual, family, multiFamily = "multi_family", peer

    /// Sessions a family member can be part of.
    public var admitsFamily: Bool { self == .family || self == .multiFamily }
}
