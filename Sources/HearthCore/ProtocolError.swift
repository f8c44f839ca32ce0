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
    /// A counselor muted the sender (for a time, or until unmuted).
    case muted
    /// A counselor removed the member from this occurrence.
    case removed
    /// A counselor banned the member from this series' sessions until the ban is lifted.
    case banned
    /// A check-in round is running and someone else holds the talking piece.
    case notYourTurn = "not_your_turn"
    /// Staff ended the session: nothing more can be sent.
    case ended
    case `internal`
}

/// A refused request: a code for programs and a sentence for people. Never carries message text or tokens.
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// For `rate_limited`, and for a busy `internal` (a full server queue): whole seconds to wait before sending again.
    public var retryAfter: Int?

    public init(_ code: ErrorCode, _ message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func badRequest(_ message: String) -> ProtocolError { .init(.badRequest, message) }
    public static func forbidden(_ message: String) -> ProtocolError { .init(.forbidden, message) }
    public static func notFound(_ message: String) -> ProtocolError { .init(.notFound, message) }
}

extension ProtocolError {
    /// A request refused because a server queue is full: nothing was stored; the client tries again in a second.
    public static let busy = ProtocolError(.internal, "The server is busy: try again in a moment.", retryAfter: 1)
}
