import Foundation
import HearthCore
import Synchronization

/// Keeps one person connected to a Hearth server: connects, says `hello`, passes every event on in order, and after
/// a drop comes back with backoff and jitter (never after 4001: the token was refused). After a `welcome` that
/// carries a `session_token` it reconnects with that token. It holds no room state: its owner applies the events
/// to a `ClientState` and hands the effects back to `perform`, which is how rooms are rejoined with `after_seq`,
/// paged and pending sends resent after every reconnect.
///
/// ```swift
/// let link = ReconnectingConnection(client: client, url: "ws://127.0.0.1:8080/ws", token: token)
/// link.start()
/// for await event in link.events {
///     link.perform(state.apply(event, now: Date()))
/// }
/// ```
public final class ReconnectingConnection: Sendable {
    /// Connection changes and frames, in order; finishes after `stop()` or a 4001.
    public let events: AsyncStream<ClientEvent>
    private let continuation: AsyncStream<ClientEvent>.Continuation
    private let client: HearthClient
    private let url: String
    private let backoff: Backoff
    private let random: @Sendable () -> Double
    private let state: Mutex<LinkState>

    private struct LinkState {
        var token: String
        /// The connection, once its `welcome` came: requests go nowhere before (a request before `hello` is refused).
        var signedIn: HearthConnection?
        var socket: HearthConnection?
        var task: Task<Void, Never>?
        var stopped = false
    }

    public init(client: HearthClient, url: String, token: String, backoff: Backoff = Backoff(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        (events, continuation) = AsyncStream.makeStream(of: ClientEvent.self)
        self.client = client
        self.url = url
        self.backoff = backoff
        self.random = random
        state = Mutex(LinkState(token: token))
    }

    /// The token the next `hello` will use (the `session_token` once a single-use invitation was spent).
    public var token: String { state.withLock { $0.token } }

    /// Starts connecting.
    public func start() {
        state.withLock { state in
            guard state.task == nil, !state.stopped else { return }
            state.task = Task { [self] in await run() }
        }
    }

    /// Closes the connection for good.
    public func stop() {
        let (task, socket) = state.withLock { state in
            state.stopped = true
            defer { state.task = nil; state.socket = nil; state.signedIn = nil }
            return (state.task, state.socket)
        }
        task?.cancel()
        socket?.close()
        continuation.finish()
    }

    /// Carries out a `ClientState`'s effects on the signed-in connection. While there is none they are dropped:
    /// the state asks again for what it needs after the next `welcome`.
    public func perform(_ effects: [ClientEffect]) {
        guard let connection = state.withLock({ $0.signedIn }) else { return }
        for case .send(let request) in effects { connection.send(request) }
    }

    /// Sends a request the state does not track (`admit`, `moderate`, `alert_ack`, …); false while not signed in.
    @discardableResult
    public func send(_ request: ClientRequest) -> Bool {
        guard let connection = state.withLock({ $0.signedIn }) else { return false }
        connection.send(request)
        return true
    }

    /// The `ref` of the connection's own `hello`.
    static let helloRef = "hello"

    private func run() async {
        var attempt = 0
        while !Task.isCancelled, !state.withLock({ $0.stopped }) {
            continuation.yield(.connecting)
            var end: (code: UInt16, reason: String) = (1006, "connection failed")
            if let connection = try? await client.connect(url) {
                // stop() may have come while the socket was opening: then it must not stay open.
                let stopped = state.withLock { state in
                    if !state.stopped { state.socket = connection }
                    return state.stopped
                }
                if stopped {
                    connection.close()
                    break
                }
                connection.send(ClientRequest(.hello(token: token), ref: Self.helloRef))
                continuation.yield(.connected)
                for await event in connection.events {
                    switch event {
                    case .frame(let frame):
                        if case .welcome(let welcome) = frame {
                            attempt = 0
                            state.withLock { state in
                                if let fresh = welcome.sessionToken { state.token = fresh }
                                state.signedIn = connection
                            }
                        }
                        // The server could not check the token (`internal`): try again later on a new connection
                        // (the server would close this one for want of a hello).
                        if case .error(let error) = frame, error.ref == Self.helloRef, error.code != .unauthorized {
                            connection.close()
                        }
                        continuation.yield(.frame(frame))
                    case .unknown:
                        continue
                    case .closed(let code, let reason):
                        end = (code, reason)
                    }
                }
                connection.close()
                state.withLock { $0.signedIn = nil; $0.socket = nil }
            }
            if state.withLock({ $0.stopped }) { break }
            continuation.yield(.disconnected(code: end.code, reason: end.reason))
            if end.code == 4001 { break }
            let delay = backoff.delay(attempt: attempt, random: random())
            attempt += 1
            try? await Task.sleep(for: delay)
        }
        continuation.finish()
    }
}
