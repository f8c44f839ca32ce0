import Foundation
import HearthCore
import HearthTransport
import Logging
import Synchronization

/// Why a client call failed.
public enum HearthClientError: Error, CustomStringConvertible, Equatable {
    case badURL(String)
    case connectFailed(String)
    case timedOut(waitingFor: String)
    case closed(code: UInt16, reason: String)
    case unexpected(String)
    case refused(ErrorCode, String)

    public var description: String {
        switch self {
        case .badURL(let url): "\(url) is not a ws:// URL."
        case .connectFailed(let reason): "Could not connect: \(reason). Is the server running?"
        case .timedOut(let what): "Timed out waiting for \(what)."
        case .closed(let code, let reason): "The server closed the connection (\(code) \(reason))."
        case .unexpected(let what): "Unexpected frame: \(what)."
        case .refused(let code, let message): "Refused (\(code.rawValue)): \(message)"
        }
    }
}

/// A Hearth protocol client: one libwebsockets client context and thread, any number of connections.
/// Used by the tests, the benchmark and the counselor's terminal client.
public final class HearthClient: Sendable {
    private let transport: WebSocketClient
    private let mailboxes: MailboxRegistry

    public init(logger: Logger = Logger(label: "hearth.client")) throws {
        let mailboxes = MailboxRegistry()
        self.mailboxes = mailboxes
        transport = try WebSocketClient(logger: logger) { event in
            switch event {
            case .opened(let id):
                mailboxes.table.withLock { $0[id] }?.push(.opened)
            case .text(let id, let bytes):
                mailboxes.table.withLock { $0[id] }?.push(.text(bytes))
            case .closed(let id, let code, let reason):
                mailboxes.table.withLock { $0.removeValue(forKey: id) }?.push(.closed(code: code, reason: reason))
            case .failed(let id, let reason):
                mailboxes.table.withLock { $0.removeValue(forKey: id) }?.push(.failed(reason))
            }
        }
    }

    /// Opens a WebSocket to `url` (e.g. `ws://127.0.0.1:8080/ws`) with the `hearth.v1` subprotocol.
    public func connect(_ url: String, origin: String? = nil, subprotocol: String = "hearth.v1",
                        timeout: Duration = .seconds(10)) async throws -> HearthConnection {
        guard let endpoint = WebSocketEndpoint(url: url) else { throw HearthClientError.badURL(url) }
        let id = transport.reserveID()
        let mailbox = Mailbox<ConnectionEvent>()
        mailboxes.table.withLock { $0[id] = mailbox }
        transport.connect(id, to: endpoint, subprotocol: subprotocol, origin: origin)
        switch await mailbox.next(timeout: timeout) {
        case .opened?:
            return HearthConnection(id: id, transport: transport, mailbox: mailbox)
        case .failed(let reason)?:
            throw HearthClientError.connectFailed(reason)
        case .closed(let code, let reason)?:
            throw HearthClientError.closed(code: code, reason: reason)
        case .text?, nil:
            transport.close(id)
            throw HearthClientError.timedOut(waitingFor: "the WebSocket handshake")
        }
    }

    /// Closes every connection and stops the client thread.
    public func shutdown() { transport.shutdown() }
}

/// Connection id to mailbox, shared with the transport's event callback.
final class MailboxRegistry: Sendable {
    let table = Mutex<[ConnectionID: Mailbox<ConnectionEvent>]>([:])
}

enum ConnectionEvent: Sendable {
    case opened
    case text([UInt8])
    case closed(code: UInt16, reason: String)
    case failed(String)
}

/// One connection to a Hearth server. Frames arrive in order; `next` hands them out one at a time.
public final class HearthConnection: Sendable {
    public let id: ConnectionID
    private let transport: WebSocketClient
    private let mailbox: Mailbox<ConnectionEvent>
    private let counter = Atomic<Int>(0)

    init(id: ConnectionID, transport: WebSocketClient, mailbox: Mailbox<ConnectionEvent>) {
        self.id = id
        self.transport = transport
        self.mailbox = mailbox
    }

    /// What `next` returns: a frame, or the end of the connection.
    public enum Event: Sendable, Equatable {
        case frame(ServerFrame)
        /// Text that is not a frame this client knows (kept for forward compatibility).
        case unknown(String)
        case closed(code: UInt16, reason: String)
    }

    /// Sends a request.
    public func send(_ request: ClientRequest) {
        transport.send(FrameCodec().encode(request), on: id)
    }

    /// Sends any bytes as a text (or binary) message: for tests of bad input.
    public func sendRaw(_ bytes: [UInt8], binary: Bool = false) {
        transport.send(bytes, on: id, binary: binary)
    }

    /// The next event, or nil after `timeout`.
    public func nextEvent(timeout: Duration = .seconds(5)) async -> Event? {
        switch await mailbox.next(timeout: timeout) {
        case .text(let bytes)?:
            if let frame = try? FrameCodec().decodeServerFrame(bytes) { return .frame(frame) }
            return .unknown(String(decoding: bytes, as: UTF8.self))
        case .closed(let code, let reason)?:
            return .closed(code: code, reason: reason)
        case .failed(let reason)?:
            return .closed(code: 1006, reason: reason)
        case .opened?, nil:
            return nil
        }
    }

    /// The next frame; throws when the connection closes or nothing arrives in time.
    public func next(timeout: Duration = .seconds(5)) async throws -> ServerFrame {
        switch await nextEvent(timeout: timeout) {
        case .frame(let frame)?: return frame
        case .unknown(let text)?: throw HearthClientError.unexpected(String(text.prefix(80)))
        case .closed(let code, let reason)?: throw HearthClientError.closed(code: code, reason: reason)
        case nil: throw HearthClientError.timedOut(waitingFor: "a frame")
        }
    }

    /// Waits for the connection to close and returns its close code and reason, skipping frames.
    public func closed(timeout: Duration = .seconds(5)) async throws -> (code: UInt16, reason: String) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero, let event = await nextEvent(timeout: left) else {
                throw HearthClientError.timedOut(waitingFor: "the connection to close")
            }
            if case .closed(let code, let reason) = event { return (code, reason) }
        }
    }

    /// Closes the connection (1000).
    public func close() { transport.close(id) }

    /// A fresh `ref` for a request.
    public func makeRef() -> String { "r\(counter.wrappingAdd(1, ordering: .relaxed).newValue)" }

    // MARK: Conveniences: send a request and wait for its reply (frames in between are returned to nobody).

    /// Sends a request with a new ref and returns the reply carrying that ref, skipping other frames.
    public func request(_ command: ClientCommand, timeout: Duration = .seconds(5)) async throws -> ServerFrame {
        let ref = makeRef()
        send(ClientRequest(command, ref: ref))
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame = try await next(timeout: deadline - ContinuousClock.now)
            if frame.ref == ref { return frame }
        }
    }

    /// `hello`; returns the welcome or throws the refusal.
    public func hello(token: String) async throws -> ServerFrame.Welcome {
        switch try await request(.hello(token: token)) {
        case .welcome(let welcome): return welcome
        case .error(let error): throw HearthClientError.refused(error.code, error.message)
        case let other: throw HearthClientError.unexpected(other.type)
        }
    }

    /// `join`; returns `joined` or throws the refusal.
    public func join(_ room: RoomID, afterSeq: Int64? = nil) async throws -> ServerFrame.Joined {
        switch try await request(.join(room: room, afterSeq: afterSeq)) {
        case .joined(let joined): return joined
        case .error(let error): throw HearthClientError.refused(error.code, error.message)
        case let other: throw HearthClientError.unexpected(other.type)
        }
    }

    /// `send`; returns the ack or throws the refusal.
    public func post(_ body: String, to room: RoomID, clientID: String = UUID().uuidString) async throws -> ServerFrame.Ack {
        switch try await request(.send(room: room, body: body, clientID: clientID)) {
        case .ack(let ack): return ack
        case .error(let error): throw HearthClientError.refused(error.code, error.message)
        case let other: throw HearthClientError.unexpected(other.type)
        }
    }
}

extension ServerFrame {
    /// The `ref` a reply carries, if any.
    public var ref: String? {
        switch self {
        case .welcome(let frame): frame.ref
        case .joined(let frame): frame.ref
        case .ack(let frame): frame.ref
        case .history(let frame): frame.ref
        case .ok(let frame): frame.ref
        case .error(let frame): frame.ref
        case .schedule(let frame): frame.ref
        case .waiting(let frame): frame.ref
        case .attendance(let frame): frame.ref
        case .summary(let frame): frame.ref
        case .invitation(let frame): frame.ref
        case .notes(let frame): frame.ref
        case .transcript(let frame): frame.ref
        case .message, .presence, .knock, .denied, .roomState, .checkin, .alert, .moderation, .ended, .hands, .report,
             .support: nil
        }
    }
}
