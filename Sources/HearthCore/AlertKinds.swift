/// How urgent an alert is (ALERT `severity`, docs/PROTOCOL.md §5): the highest of the signals it stands for. A
/// `not_safe` alert is `high`; a crisis signal has its lexicon phrase's severity. The raw values go on the wire.
///
/// A value this build does not know (a newer server's) decodes as `unknown`, kept as it came, so the alert is not
/// lost: clients show it as it is, and it ranks below `low`. Nothing in Hearth makes one.
public enum AlertSeverity: RawRepresentable, Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    case low, medium, high
    /// Not one of the above: kept as sent. Never holds a known severity's name.
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "low": self = .low
        case "medium": self = .medium
        case "high": self = .high
        default: self = .unknown(rawValue)
        }
    }

    /// The severity of a crisis lexicon phrase.
    public init(_ severity: CrisisSeverity) {
        switch severity {
        case .low: self = .low
        case .medium: self = .medium
        case .high: self = .high
        }
    }

    public var rawValue: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .unknown(let name): name
        }
    }

    public var description: String { rawValue }

    /// A coalesced alert keeps the highest of its signals' severities: `high` > `medium` > `low` > unknown.
    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .unknown: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        }
    }
}

/// Why an alert was raised (ALERT `category`, docs/PROTOCOL.md §5): a check-in that said "not safe", or a crisis
/// lexicon category. At most one alert per person, room and category is open. The raw values go on the wire.
///
/// A value this build does not know (a newer server's) decodes as `unknown`, kept as it came, so the alert is not
/// lost: clients show it as it is. Nothing in Hearth makes one.
public enum AlertCategory: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    /// `not_safe`: a check-in with `"safe": false`.
    case notSafe
    /// A message matched a crisis lexicon phrase of this category.
    case crisis(CrisisCategory)
    /// Not one of the above: kept as sent. Never holds a known category's name.
    case unknown(String)

    public init(rawValue: String) {
        if rawValue == "not_safe" {
            self = .notSafe
        } else if let category = CrisisCategory(rawValue: rawValue) {
            self = .crisis(category)
        } else {
            self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .notSafe: "not_safe"
        case .crisis(let category): category.rawValue
        case .unknown(let name): name
        }
    }

    public var description: String { rawValue }
}
