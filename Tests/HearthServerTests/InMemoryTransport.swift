import Foundation
import HearthClient
import HearthCore
import HearthTransport
import Synchronization

/// A `ServerTransport` without sockets, for running the real hub in tests (like swift-nio's embedded channel).
///
/// It has a service thread of its own, as `WebSocketServer` does: every delegate call and every job passed to
/// `execute` runs there, in order. A loop turn is the jobs waiting when the thread wakes; after them comes
/// `loopTurnEnded` if the turn asked for it (the hub's group commit). A test opens connections with `connect()`,
/// pushes text frames as a client would (`InMemoryConnection.send`), and reads what the hub sent to each connection,
/// decoded, in order, with its close code. Nothing here waits for time to pass: the 1 s tick runs when the test calls
/// `tick()`, and the service-thread methods check that they are called on the service thread.
final class InMemoryTransport: ServerTransport, @unchecked Sendable {
    weak var delegate: (any WebSocketServerDelegate)?
    let port = 0

    private struct Inbox {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var wakePending = false
        var started = false
        var stopRequested = false
        var stopping = false
        /// Set once the thread has stopped: later jobs are dropped, as `WebSocketServer` drops them after `stop()`.
        var stopped = false
        var waiting: Int { jobs.count - head }
    }

    private let inbox = Mutex(Inbox())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let lastID = Atomic<UInt64>(0)
    private let abuse = Mutex<[(AbuseReason, ConnectionID)]>([])

    // Service thread only.
    private var thread: Thread?
    private var connections: [ConnectionID: InMemoryConnection] = [:]
    private var closing: Set<ConnectionID> = []
    private var turnEndRequested = false

    init() {}

    // MARK: ServerTransport

    func start() throws {
        let thread = Thread { [self] in run() }
        thread.name = "hearth-memory-service"
        self.thread = thread
        inbox.withLock { $0.started = true }
        thread.start()
    }

    func stop() {
        // Once: a second call (or one before `start`) returns at once.
        let first = inbox.withLock { inbox -> Bool in
            if !inbox.started { inbox.stopped = true }
            defer { inbox.stopRequested = true }
            return inbox.started && !inbox.stopRequested
        }
        guard first else { return }
        execute { [self] in
            // Every client hears 1001, and the hub hears of every connection closing, as on the real loop.
            for id in connections.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
                guard let connection = connections.removeValue(forKey: id) else { continue }
                closing.remove(id)
                connection.ended(code: CloseCode.goingAway.rawValue, reason: "server shutdown")
                delegate?.connectionClosed(id)
            }
            inbox.withLock { $0.stopping = true }
        }
        finished.wait()
    }

    func execute(_ job: @escaping @Sendable () -> Void) {
        let signal = inbox.withLock { inbox -> Bool in
            guard !inbox.stopped else { return false }
            inbox.jobs.append(job)
            guard !inbox.wakePending else { return false }
            inbox.wakePending = true
            return true
        }
        if signal { wake.signal() }
    }

    func send(_ frame: [UInt8], to id: ConnectionID) {
        checkServiceThread("send")
        guard let connection = connections[id], !closing.contains(id) else { return }
        connection.received(frame)
    }

    func close(_ id: ConnectionID, code: CloseCode, reason: String) {
        checkServiceThread("close")
        guard connections[id] != nil, !closing.contains(id) else { return }
        closing.insert(id)
        // As on the wire: what was queued goes first (it already has), the close after, and the hub hears of it in
        // a later turn, never inside this call.
        execute { [self] in
            guard let connection = connections.removeValue(forKey: id) else { return }
            closing.remove(id)
            connection.ended(code: code.rawValue, reason: reason)
            delegate?.connectionClosed(id)
        }
    }

    func markAuthenticated(_ id: ConnectionID) {
        checkServiceThread("markAuthenticated")
        connections[id]?.markAuthenticated()
    }

    func noteAbuse(_ reason: AbuseReason, on id: ConnectionID) {
        checkServiceThread("noteAbuse")
        guard connections[id] != nil else { return }
        abuse.withLock { $0.append((reason, id)) }
    }

    /// Nothing here reads a socket, so no connection is ever too slow.
    var slowConsumerClosures: Int { 0 }

    func scheduleTurnEnd() {
        checkServiceThread("scheduleTurnEnd")
        turnEndRequested = true
    }

    // MARK: The client side (any thread)

    /// Opens a connection: the hub hears `connectionOpened` before anything this connection sends.
    func connect() -> InMemoryConnection {
        let id = ConnectionID(lastID.wrappingAdd(1, ordering: .relaxed).newValue)
        let connection = InMemoryConnection(id: id, transport: self)
        execute { [self] in
            connections[id] = connection
            delegate?.connectionOpened(id)
        }
        return connection
    }

    /// A client's text frame (`binary`: a binary one) arrives on a connection.
    func deliver(_ bytes: [UInt8], binary: Bool, on id: ConnectionID) {
        execute { [self] in
            guard connections[id] != nil else { return }
            if binary { delegate?.receivedBinary(on: id) } else { delegate?.received(text: bytes, on: id) }
        }
    }

    /// The client closes a connection (1000).
    func clientClosed(_ id: ConnectionID) {
        execute { [self] in
            guard let connection = connections.removeValue(forKey: id) else { return }
            closing.remove(id)
            connection.ended(code: CloseCode.normal.rawValue, reason: "")
            delegate?.connectionClosed(id)
        }
    }

    // MARK: For tests

    /// Runs `body` on the service thread, in order after the jobs queued before it, and returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            execute { continuation.resume(returning: body()) }
        }
    }

    /// Holds the service thread inside one job while `body` runs: everything `body` queues (client frames, say)
    /// arrives together in the next loop turn, as a burst read from many sockets in one `lws_service` pass would.
    func holdingLoop(_ body: () -> Void) async {
        let gate = DispatchSemaphore(value: 0)
        await withCheckedContinuation { (held: CheckedContinuation<Void, Never>) in
            execute {
                held.resume()
                gate.wait()
            }
        }
        body()
        gate.signal()
    }

    /// One housekeeping tick (the real transport's 1 s timer): the hub's `tick`, on the service thread.
    func tick() async {
        await perform { [self] in delegate?.tick() }
    }

    /// An HTTP GET the hub answers (`/healthz`, `/client.json`).
    func httpResponse(path: String) async -> HTTPResponse? {
        await perform { [self] in delegate?.httpResponse(path: path) }
    }

    /// Whether nothing is waiting to run on the service thread: no job behind the current one, no turn end asked.
    /// Service thread only.
    var isIdle: Bool {
        checkServiceThread("isIdle")
        return !turnEndRequested && inbox.withLock { $0.waiting == 0 }
    }

    /// Open connections (the real transport's `connectionCount`). Service thread only.
    var connectionCount: Int {
        checkServiceThread("connectionCount")
        return connections.count
    }

    /// Every `noteAbuse` so far, in order.
    var abuseNoted: [(AbuseReason, ConnectionID)] { abuse.withLock { $0 } }

    // MARK: The loop

    private func run() {
        while true {
            wake.wait()
            // This turn: the jobs waiting now, one at a time, so a job sees the ones behind it as still waiting.
            let count = inbox.withLock { inbox -> Int in
                inbox.wakePending = false
                return inbox.waiting
            }
            for _ in 0..<count {
                let job = inbox.withLock { inbox -> @Sendable () -> Void in
                    let job = inbox.jobs[inbox.head]
                    inbox.head += 1
                    if inbox.head == inbox.jobs.count { inbox.jobs.removeAll(keepingCapacity: true); inbox.head = 0 }
                    return job
                }
                job()
            }
            if turnEndRequested {
                turnEndRequested = false
                delegate?.loopTurnEnded()
            }
            // Jobs queued during this turn have signalled `wake` again: they run in the next one.
            let stopping = inbox.withLock { inbox -> Bool in
                if inbox.stopping { inbox.stopped = true }
                return inbox.stopping
            }
            if stopping { break }
        }
        finished.signal()
    }

    private func checkServiceThread(_ call: String) {
        precondition(Thread.current == thread, "InMemoryTransport.\(call) called off the service thread")
    }
}

/// The client end of one in-memory connection: what the hub sent, decoded, in order, and the close.
///
/// Like `HearthConnection`: every frame arrives in one ordered stream (`next`), except the reply to a `request`,
/// which goes to that request (matched by `ref`) even when other frames arrive first. Waits end on an event; their
/// timeout is only a guard against a hung test.
final class InMemoryConnection: Sendable {
    typealias Event = HearthConnection.Event

    let id: ConnectionID
    private let transport: InMemoryTransport
    private let refs = Atomic<Int>(0)

    private struct Waiter {
        var token: UInt64
        /// The reply a request waits for; nil: the next event of the stream.
        var ref: String?
        var continuation: CheckedContinuation<Event?, Never>
    }

    private struct State {
        var events: [Event] = []
        /// Refs of requests waiting for their reply: those replies skip the stream.
        var expected: Set<String> = []
        var waiters: [Waiter] = []
        var lastToken: UInt64 = 0
        var closed: (code: UInt16, reason: String)?
        var authenticated = false

        func matches(_ event: Event, ref: String?) -> Bool {
            switch event {
            case .frame(let frame):
                if let ref { return frame.ref == ref }
                return frame.ref.map { !expected.contains($0) } ?? true
            case .unknown: return ref == nil
            case .closed: return true
            }
        }
    }

    private let state = Mutex(State())

    init(id: ConnectionID, transport: InMemoryTransport) {
        self.id = id
        self.transport = transport
    }

    // MARK: As a client

    /// Sends a request.
    func send(_ request: ClientRequest) {
        transport.deliver(FrameCodec().encode(request), binary: false, on: id)
    }

    /// Sends any bytes as a text (or binary) frame.
    func sendRaw(_ bytes: [UInt8], binary: Bool = false) {
        transport.deliver(bytes, binary: binary, on: id)
    }

    /// Closes the connection from the client's side (1000).
    func close() { transport.clientClosed(id) }

    /// A fresh `ref` for a request.
    func makeRef() -> String { "m\(refs.wrappingAdd(1, ordering: .relaxed).newValue)" }

    /// Sends a request with a new ref and returns its reply; frames that arrive meanwhile stay in the stream.
    func request(_ command: ClientCommand, timeout: Duration = .seconds(10)) async throws -> ServerFrame {
        let ref = makeRef()
        state.withLock { _ = $0.expected.insert(ref) }
        send(ClientRequest(command, ref: ref))
        let event = await take(ref: ref, timeout: timeout)
        state.withLock { _ = $0.expected.remove(ref) }
        switch event {
        case .frame(let frame)?: return frame
        case .closed(let code, let reason)?: throw HearthClientError.closed(code: code, reason: reason)
        case .unknown(let text)?: throw HearthClientError.unexpected(text)
        case nil: throw HearthClientError.timedOut(waitingFor: "the reply to \(command.type)")
        }
    }

    /// The next event of the stream, or nil after `timeout`.
    func nextEvent(timeout: Duration = .seconds(10)) async -> Event? {
        await take(ref: nil, timeout: timeout)
    }

    /// The next frame of the stream; throws when the connection closed or nothing came.
    func next(timeout: Duration = .seconds(10)) async throws -> ServerFrame {
        switch await nextEvent(timeout: timeout) {
        case .frame(let frame)?: return frame
        case .unknown(let text)?: throw HearthClientError.unexpected(String(text.prefix(80)))
        case .closed(let code, let reason)?: throw HearthClientError.closed(code: code, reason: reason)
        case nil: throw HearthClientError.timedOut(waitingFor: "a frame")
        }
    }

    /// Waits for the close and returns its code and reason, skipping frames.
    func closed(timeout: Duration = .seconds(10)) async throws -> (code: UInt16, reason: String) {
        while true {
            switch await nextEvent(timeout: timeout) {
            case .closed(let code, let reason)?: return (code, reason)
            case nil: throw HearthClientError.timedOut(waitingFor: "the connection to close")
            default: continue
            }
        }
    }

    /// Takes every event in the stream now, without waiting: after `InMemoryHub.settle()`, everything the hub sent.
    func drain() -> [Event] {
        state.withLock { state in
            let visible = state.events.map { state.matches($0, ref: nil) }
            let taken = zip(state.events, visible).filter(\.1).map(\.0)
            state.events = zip(state.events, visible).filter { !$0.1 }.map(\.0)
            return taken
        }
    }

    /// The frames among `drain()`.
    func drainFrames() -> [ServerFrame] {
        drain().compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
    }

    /// How the server closed the connection, once it has (any thread).
    var closeCode: (code: UInt16, reason: String)? { state.withLock { $0.closed } }

    /// Whether the hub signed this connection in (`markAuthenticated`).
    var isAuthenticated: Bool { state.withLock { $0.authenticated } }

    // MARK: From the transport (its service thread)

    fileprivate func received(_ bytes: [UInt8]) {
        let event: Event = if let frame = try? FrameCodec().decodeServerFrame(bytes) {
            .frame(frame)
        } else {
            .unknown(String(decoding: bytes, as: UTF8.self))
        }
        push(event)
    }

    fileprivate func ended(code: UInt16, reason: String) {
        state.withLock { $0.closed = (code, reason) }
        push(.closed(code: code, reason: reason))
    }

    fileprivate func markAuthenticated() { state.withLock { $0.authenticated = true } }

    // MARK: Waiting

    private func push(_ event: Event) {
        let resumed = state.withLock { state -> [(CheckedContinuation<Event?, Never>, Event)] in
            if case .closed = event {
                // Every request still waiting learns of the close; the stream keeps it for its reader.
                let requests = state.waiters.filter { $0.ref != nil }
                state.waiters.removeAll { $0.ref != nil }
                var resumed = requests.map { ($0.continuation, event) }
                if let index = state.waiters.firstIndex(where: { $0.ref == nil }) {
                    resumed.append((state.waiters.remove(at: index).continuation, event))
                } else {
                    state.events.append(event)
                }
                return resumed
            }
            if let index = state.waiters.firstIndex(where: { state.matches(event, ref: $0.ref) }) {
                return [(state.waiters.remove(at: index).continuation, event)]
            }
            state.events.append(event)
            return []
        }
        for (continuation, event) in resumed { continuation.resume(returning: event) }
    }

    private func take(ref: String?, timeout: Duration) async -> Event? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
            let token = state.withLock { state -> UInt64? in
                if let index = state.events.firstIndex(where: { state.matches($0, ref: ref) }) {
                    let event = state.events[index]
                    // A request that finds the close leaves it in the stream for its reader.
                    if ref == nil || !(event.isClosed) { state.events.remove(at: index) }
                    continuation.resume(returning: event)
                    return nil
                }
                if ref != nil, let closed = state.closed {
                    continuation.resume(returning: .closed(code: closed.code, reason: closed.reason))
                    return nil
                }
                state.lastToken += 1
                state.waiters.append(Waiter(token: state.lastToken, ref: ref, continuation: continuation))
                return state.lastToken
            }
            guard let token else { return }
            Task { [self] in
                try? await Task.sleep(for: timeout)
                let expired = self.state.withLock { state -> CheckedContinuation<Event?, Never>? in
                    guard let index = state.waiters.firstIndex(where: { $0.token == token }) else { return nil }
                    return state.waiters.remove(at: index).continuation
                }
                expired?.resume(returning: nil)
            }
        }
    }
}

private extension HearthConnection.Event {
    var isClosed: Bool { if case .closed = self { true } else { false } }
}
