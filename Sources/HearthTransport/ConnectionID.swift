/// One WebSocket connection, numbered by the transport from 1. Never reused while the process runs.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "c\(rawValue)" }
}

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

/// An HTTP response produced by the embedding application (e.g. `/healthz`).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// Why the transport could not start.
public enum TransportError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int)
    case cannotCreateClientContext

    public var description: String {
        switch self {
        case .cannotListen(let host, let port):
            "Cannot listen on \(host):\(port). Is another server using the port? Choose another with --port."
        case .cannotCreateClientContext:
            "Cannot create the WebSocket client context (libwebsockets)."
        }
    }
}
