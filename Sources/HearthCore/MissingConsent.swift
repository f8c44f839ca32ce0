/// A consent that someone on a room's roster lacks, so they (and their family) cannot join it: shown to staff only,
/// in `joined.consent_missing` and `room_state.consent_missing` (docs/PROTOCOL.md section 9.6).
public struct MissingConsent: Codable, Hashable, Sendable {
    /// Which written consent is missing. The raw values go on the wire: never rename one.
    public enum Kind: String, Codable, Sendable {
        /// A multi-family group consent (`hearthd consent add --participant P --multi-family`).
        case multiFamily = "multi_family"
    }

    /// The participant, by display name.
    public var member: MemberInfo
    public var consent: Kind

    public init(member: MemberInfo, consent: Kind) {
        self.member = member
        self.consent = consent
    }
}
