/// The `action` of a `moderate` request and of a `moderation` frame (docs/PROTOCOL.md §10.1 and §10.8): every
/// `moderate` action, and `pass` and `break_glass`, which only frames carry. The raw values go on the wire: never
/// rename one.
///
/// A value this build does not know (a newer server's) decodes as `unknown`, kept as it came, so its frame is not
/// lost: clients ignore it, and it encodes back unchanged. Nothing in Hearth makes one.
public enum ModerationAction: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    case mute, unmute, remove, ban, unban
    case hide, unhide, pin, unpin, release
    case lock, unlock, slow, review, end
    case lowerHand, roundStart, roundEnd
    /// Frames only: the talking piece moved on (§10.3).
    case pass
    /// Frames only: an admin opened the room with break-glass (§10.7).
    case breakGlass
    /// Not one of the above: kept as sent. Never holds a known action's name.
    case unknown(String)

    /// Every action this build knows.
    public static let known: [ModerationAction] = [
        .mute, .unmute, .remove, .ban, .unban, .hide, .unhide, .pin, .unpin, .release, .lock, .unlock, .slow, .review,
        .end, .lowerHand, .roundStart, .roundEnd, .pass, .breakGlass,
    ]

    private static let byName = Dictionary(uniqueKeysWithValues: known.map { ($0.rawValue, $0) })

    /// Never fails: a name this build does not know is `unknown`.
    public init(rawValue: String) {
        self = Self.byName[rawValue] ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .mute: "mute"
        case .unmute: "unmute"
        case .remove: "remove"
        case .ban: "ban"
        case .unban: "unban"
        case .hide: "hide"
        case .unhide: "unhide"
        case .pin: "pin"
        case .unpin: "unpin"
        case .release: "release"
        case .lock: "lock"
        case .unlock: "unlock"
        case .slow: "slow"
        case .review: "review"
        case .end: "end"
        case .lowerHand: "lower_hand"
        case .roundStart: "round_start"
        case .roundEnd: "round_end"
        case .pass: "pass"
        case .breakGlass: "break_glass"
        case .unknown(let name): name
        }
    }

    /// The wire name (in logs and messages too).
    public var description: String { rawValue }
}
