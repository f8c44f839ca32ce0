/// An error code on the wire. Codes are part of the protocol contract: never rename one once shipped.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    case badRequest = "bad_request"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case roomClosed = "room_closed"
    case tooLarge = "too_large"
    case rateLimited = "rate_limited"
    /// The sender has not yet accepted this session's group agreement (`agree`).
    case agreementRequired = "agreement_required"
    /// The session requires a counselor in the room and none is connected: the room is paused.
    case noStaff = "no_staff"
    case `internal`
}

/// A refused request: a code for programs and a sentence for people. Never carries message text or tokens.
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func badRequest(_ message: String) -> ProtocolError { .init(.badRequest, message) }
    public static func forbidden(_ message: String) -> ProtocolError { .init(.forbidden, message) }
    public static func notFound(_ message: String) -> ProtocolError { .init(.notFound, message) }
}
