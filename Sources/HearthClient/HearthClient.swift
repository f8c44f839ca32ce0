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
        case .badURL(let url): "\(url) is not a ws:// or wss:// URL, e.g. wss://chat.clinic.example/ws."
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
    private let inboxes: InboxRegistry

    /// `caFile` (PEM): trust only this CA for `wss://` servers instead of the system's CAs (a clinic's own CA,
    /// or a test certificate).
    public init(logger: Logger = Logger(label: "hearth.client"), caFile: String? = nil) throws {
        let inboxes = InboxRegistry()
        self.inboxes = inboxes
        transport = try WebSocketClient(logger: logger, caFile: caFile) { event in
            switch event {
            case .opened(let id):
                inboxes.table.withLock { $0[id] }?.opened()
            case .text(let id, let bytes):
                inboxes.table.withLock { $0[id] }?.received(bytes)
            case .closed(let id, let code, let reason):
                inboxes.table.withLock { $0.removeValue(forKey: id) }?.ended(code: code, reason: reason)
            case .failed(let id, let reason):
                inboxes.table.withLock { $0.removeValue(forKey: id) }?.failed(reason)
            }
        }
    }

    /// Opens a WebSocket to `url` (e.g. `ws://127.0.0.1:8080/ws` or `wss://chat.clinic.example/ws`) with the
    /// `hearth.v1` subprotocol. Over `wss://` a certificate that does not verify fails as `connectFailed`.
    public func connect(_ url: String, origin: String? = nil, subprotocol: String = "hearth.v1",
                        timeout: Duration = .seconds(10)) async throws -> HearthConnection {
        guard let endpoint = WebSocketEndpoint(url: url) else { throw HearthClientError.badURL(url) }
        let id = transport.reserveID()
        let inbox = ConnectionInbox()
        inboxes.table.withLock { $0[id] = inbox }
        transport.connect(id, to: endpoint, subprotocol: subprotocol, origin: origin)
        switch await inbox.handshake.next(timeout: timeout) {
        case .opened?:
            return HearthConnection(id: id, transport: transport, inbox: inbox)
        case .failed(let reason)?:
            throw HearthClientError.connectFailed(reason)
        case .closed(let code, let reason)?:
            throw HearthClientError.closed(code: code, reason: reason)
        case nil:
            transport.close(id)
            throw HearthClientError.timedOut(waitingFor: "the WebSocket handshake")
        }
    }

    /// Closes every connection and stops the client thread.
    public func shutdown() { transport.shutdown() }
}

/// Connection id to inbox, shared with the transport's event callback.
final class InboxRegistry: Sendable {
    let table = Mutex<[ConnectionID: ConnectionInbox]>([:])
}

/// How a connection attempt ended.
enum HandshakeResult: Sendable {
    case opened
    case closed(code: UInt16, reason: String)
    case failed(String)
}

/// One connection to a Hearth server, as a push API: every frame the server sends arrives, in order, in one
/// stream of events (`events`, or `next`/`nextEvent` one at a time), except the reply to a `request`, which goes to
/// that request's waiter (matched by `ref`). So no frame is dropped or taken by the wrong reader: an alert that
/// arrives while a request waits for its reply stays in the stream.
public final class HearthConnection: Sendable {
    public let id: ConnectionID
    private let transport: WebSocketClient
    private let inbox: ConnectionInbox
    private let counter = Atomic<Int>(0)

    init(id: ConnectionID, transport: WebSocketClient, inbox: ConnectionInbox) {
        self.id = id
        self.transport = transport
        self.inbox = inbox
    }

    /// What the stream carries: a frame, or the end of the connection.
    public enum Event: Sendable, Equatable {
        case frame(ServerFrame)
        /// Text that is not a frame this client knows (kept for forward compatibility).
        case unknown(String)
        case closed(code: UInt16, reason: String)
    }

    /// Every event of the connection in order, ending after `.closed`. One reader: it shares its position with
    /// `next` and `nextEvent`.
    public var events: AsyncStream<Event> {
        let finished = Mutex(false)
        return AsyncStream { [inbox] in
            if finished.withLock({ $0 }) { return nil }
            let event = await inbox.stream.next()
            if case .closed = event { finished.withLock { $0 = true } }
            return event
        }
    }

    /// Sends a request.
    public func send(_ request: ClientRequest) {
        transport.send(FrameCodec().encode(request), on: id)
    }

    /// Sends any bytes as a text (or binary) message: for tests of bad input.
    public func sendRaw(_ bytes: [UInt8], binary: Bool = false) {
        transport.send(bytes, on: id, binary: binary)
    }

    /// The next event of the stream, or nil after `timeout`.
    public func nextEvent(timeout: Duration = .seconds(5)) async -> Event? {
        await inbox.stream.next(timeout: timeout)
    }

    /// The next frame of the stream; throws when the connection closes or nothing arrives in time.
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

    /// Sends a request with a new ref and returns the reply carrying that ref. Frames that arrive meanwhile stay in
    /// the stream. Any number of requests may wait at once.
    public func request(_ command: ClientCommand, timeout: Duration = .seconds(5)) async throws -> ServerFrame {
        let ref = makeRef()
        inbox.expect(ref)
        send(ClientRequest(command, ref: ref))
        switch await inbox.reply(to: ref, timeout: timeout) {
        case .frame(let frame): return frame
        case .closed(let code, let reason): throw HearthClientError.closed(code: code, reason: reason)
        case .timedOut: throw HearthClientError.timedOut(waitingFor: "the reply to \(command.type)")
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
        case .alerts(let frame): frame.ref
        case .attendance(let frame): frame.ref
        case .summary(let frame): frame.ref
        case .invitation(let frame): frame.ref
        case .notes(let frame): frame.ref
        case .transcript(let frame): frame.ref
        case .message, .presence, .knock, .denied, .roomState, .checkin, .alert, .alertBacklog, .moderation, .ended,
             .hands, .report, .support: nil
        }
    }
}
