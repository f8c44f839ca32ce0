/// A WebSocket close code (RFC 6455 section 7.4 and Hearth's own 4000s).
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let normal = CloseCode(rawValue: 1000)
    public static let goingAway = CloseCode(rawValue: 1001)
    public static let invalidPayload = CloseCode(rawValue: 1007)
    public static let policyViolation = CloseCode(rawValue: 1008)
    public static let messageTooBig = CloseCode(rawValue: 1009)
    /// Hearth: no valid `hello` (bad, revoked or missing token).
    public static let unauthorized = CloseCode(rawValue: 4001)

    public var description: String { "\(rawValue)" }
}
