/// A consent that someone on a room's roster lacks, so they (and their family) cannot join it: shown to staff only,
/// in `joined.consent_missing` and `room_state.consent_missing` (docs/PROTOCOL.md section 9.6).
public struct MissingConsent: Codable, Hashable, Sendable {
    /// Which written consent is missing. The raw values go on the wire: never rename one.
    ///
    /// A value this build does not know (a newer server's) decodes as `unknown`, kept as it came, so the roster
    /// still shows: clients show it as it is (docs/PROTOCOL.md, MISSING). Nothing in Hearth makes one.
    public enum Kind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        /// A multi-family group consent (`hearthd consent add --participant P --multi-family`).
        case multiFamily
        /// Not one of the above: kept as sent. Never holds a known kind's name.
        case unknown(String)

        public init(rawValue: String) {
            self = rawValue == "multi_family" ? .multiFamily : .unknown(rawValue)
        }

        public var rawValue: String {
            switch self {
            case .multiFamily: "multi_family"
            case .unknown(let name): name
            }
        }

        public var description: String { rawValue }
    }

    /// The participant, by display name.
    public var member: MemberInfo
    public var consent: Kind

    public init(member: MemberInfo, consent: Kind) {
        self.member = member
        self.consent = consent
    }
}
