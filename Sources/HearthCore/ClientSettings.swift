import Foundation

/// What a browser page needs before anyone signs in, served unauthenticated as `GET /client.json`
/// (docs/PROTOCOL.md section 1.2). Nothing in it is about a person: it is the clinic's settings.
public struct ClientSettings: Codable, Hashable, Sendable {
    /// One number to call or text for help, shown in the page's always-visible "Help now" area.
    public struct HelpLine: Codable, Hashable, Sendable {
        /// What the number is, e.g. "Suicide & Crisis Lifeline".
        public var label: String
        /// What to dial, e.g. "988"; it becomes a `tel:` link (and `sms:` when `text` is true).
        public var number: String
        /// Whether the number also takes text messages.
        public var text: Bool

        public init(label: String, number: String, text: Bool = false) {
            self.label = label
            self.number = number
            self.text = text
        }

        /// `text` may be left out of a configuration file: it defaults to false.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            label = try container.decode(String.self, forKey: .label)
            number = try container.decode(String.self, forKey: .number)
            text = try container.decodeIfPresent(Bool.self, forKey: .text) ?? false
        }

        enum CodingKeys: String, CodingKey { case label, number, text }
    }

    /// The supportive text a sender sees when their message matched a crisis signal (`crisis_resources`).
    public var crisisResources: String
    /// The crisis line and emergency number, in the order to show them (`help_lines`).
    public var helpLines: [HelpLine]
    /// Where "Quick exit" goes: an absolute http(s) URL, or a path on this server (`quick_exit_url`).
    public var quickExitURL: String
    /// Minutes without activity, while no session is open, before the page signs out (`idle_logoff_minutes`).
    public var idleLogoffMinutes: Int
    /// Longest message body in characters (extended grapheme clusters, `max_message_characters`).
    public var maxMessageCharacters: Int
    /// Largest request frame in bytes; a larger one closes the connection with 1009 (`max_frame_bytes`).
    public var maxFrameBytes: Int
    /// The server's version, informational.
    public var server: String

    public init(crisisResources: String, helpLines: [HelpLine], quickExitURL: String, idleLogoffMinutes: Int,
                maxMessageCharacters: Int, maxFrameBytes: Int, server: String) {
        self.crisisResources = crisisResources
        self.helpLines = helpLines
        self.quickExitURL = quickExitURL
        self.idleLogoffMinutes = idleLogoffMinutes
        self.maxMessageCharacters = maxMessageCharacters
        self.maxFrameBytes = maxFrameBytes
        self.server = server
    }

    enum CodingKeys: String, CodingKey {
        case crisisResources = "crisis_resources", helpLines = "help_lines", quickExitURL = "quick_exit_url"
        case idleLogoffMinutes = "idle_logoff_minutes", maxMessageCharacters = "max_message_characters"
        case maxFrameBytes = "max_frame_bytes", server
    }

    /// The United States' lines: 988 (call or text) and 911.
    public static let defaultHelpLines = [
        HelpLine(label: "Suicide & Crisis Lifeline (call or text)", number: "988", text: true),
        HelpLine(label: "Emergency", number: "911"),
    ]

    /// Whether `url` may be a quick-exit address: `https://…`, `http://…`, or a path on this server (`/…`, not `//…`).
    public static func isValidQuickExit(_ url: String) -> Bool {
        // Browsers read "//host" and "/\\host" as another site.
        if url.hasPrefix("/") {
            return !url.hasPrefix("//") && !url.hasPrefix("/\\") && !url.contains(where: \.isWhitespace)
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), parsed.host?.isEmpty == false
        else { return false }
        return scheme == "https" || scheme == "http"
    }
}
