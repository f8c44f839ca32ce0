import CLibWebSockets
import Foundation
import Logging
import Synchronization

/// What the server transport reports. Every method is called on the service thread, the only thread that may
/// call the server's `send`, `close` and `isOpen`.
public protocol WebSocketServerDelegate: AnyObject {
    /// A client completed the WebSocket handshake.
    func connectionOpened(_ connection: ConnectionID)
    /// One complete text message (already UTF-8 validated by lws).
    func received(text: [UInt8], on connection: ConnectionID)
    /// One complete binary message; Hearth's protocol has none, so the delegate refuses it.
    func receivedBinary(on connection: ConnectionID)
    /// The connection is gone; `send` to it is ignored from now on.
    func connectionClosed(_ connection: ConnectionID)
    /// Called once the events of a loop turn are handled, after `scheduleTurnEnd()` asked for it: the moment to
    /// hand batched work on (group commit).
    func loopTurnEnded()
    /// Called about once a second (timeouts, housekeeping).
    func tick()
    /// Answers an HTTP GET the transport does not serve from files (e.g. `/healthz`), or nil for 404.
    func httpResponse(path: String) -> HTTPResponse?
}

/// Which event loop libwebsockets runs on.
public enum EventLoop: String, Sendable, Codable, CaseIterable {
    /// lws' own loop: one `poll()` over every connection per wake-up.
    case poll
    /// libev (epoll) through the `libwebsockets-evlib-ev` plugin.
    case libev
    /// libuv (epoll) through the `libwebsockets-evlib-uv` plugin.
    case libuv
}

/// Settings for the listening side of the transport.
public struct WebSocketServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; read `port` after `start()`.
    public var port = 8080
    /// Static files served at `/`; nil serves none.
    public var webRoot: String?
    /// Paths answered by the delegate's `httpResponse`.
    public var dynamicPaths = ["/healthz"]
    /// The WebSocket endpoint and subprotocol.
    public var path = "/ws"
    public var subprotocol = "hearth.v1"
    /// Refuse a handshake that does not offer `subprotocol`. Off only in the conformance echo server (`hearth-echo`,
    /// docs/CONFORMANCE.md): the Autobahn cases' client offers no subprotocol.
    public var requiresSubprotocol = true
    /// Browser origins allowed to open a WebSocket; a request with no Origin (not a browser) is always allowed.
    /// Empty means: the server's own origins (`http://host:port`, `http://localhost:port`, `http://127.0.0.1:port`;
    /// `https://` ones under TLS).
    public var allowedOrigins: [String] = []
    /// Serve `https://` and `wss://` natively with these files; nil serves plain HTTP and `ws://`.
    public var tls: ServerTLS?
    /// Behind a trusted reverse proxy: a connection's address is the last address in its `X-Forwarded-For`
    /// header (the one the proxy appended), so per-address caps and the abuse log count clients, not the proxy.
    public var trustForwardedFor = false
    /// A message larger than this closes the connection with 1009.
    public var maxMessageBytes = 64 * 1024
    /// A connection whose unsent backlog passes either limit is closed with 1008.
    public var maxQueuedFrames = 256
    public var maxQueuedBytes = 96 * 1024
    /// Idle seconds before lws sends a PING, and before it hangs up on a silent peer.
    public var pingSeconds = 30
    public var hangupSeconds = 75
    /// Send frames with one `lws_write` each instead of framing a batch into one raw write (for comparison).
    public var writePerFrame = false
    /// The event loop under lws: its own `poll()` loop, or the libev / libuv plugin Debian ships.
    public var eventLoop = EventLoop.poll
    /// Per-address caps on open and not-yet-signed-in connections (off unless set).
    public var addressCaps = AddressCaps()
    /// Jobs other threads may have waiting in the inbox (`execute`); past it, those threads wait for the loop to
    /// drain it (back-pressure: a job is never dropped, and the service thread itself never waits).
    public var maxInboxJobs = 65_536

    public init() {}
}

/// The server side of the transport: one libwebsockets context, one service thread that makes every lws call.
/// Other threads talk to it only through `execute(_:)`, which queues work and wakes the loop.
public final class WebSocketServer: @unchecked Sendable {
    final class Connection {
        let id: ConnectionID
        let wsi: OpaquePointer
        /// The peer's address, kept for the per-address counts and the abuse log; never logged on its own.
        let address: String
        /// Signed in (`markAuthenticated`): no longer counted against `maxUnauthenticated`.
        var authenticated = false
        var receiveBuffer: [UInt8] = []
        var outbound = OutboundQueue()
        var closeRequest: (code: CloseCode, reason: String)?
        var closing = false
        /// Since when the backlog has been over the limits (nil while under them).
        var overLimitSince: ContinuousClock.Instant?
        /// A writeable callback has been asked for (`lws_callback_on_writable`) and not yet delivered. While it is
        /// pending, frames queued meanwhile are written by that callback: nothing asks again.
        var writablePending = false
        init(id: ConnectionID, wsi: OpaquePointer, address: String) { self.id = id; self.wsi = wsi; self.address = address }
    }

    private struct Inbox {
        var jobs: [@Sendable () -> Void] = []
        var wakePending = false
        var contextBits: UInt = 0
        /// The service thread, once it runs: its own `execute` calls never wait.
        var serviceThread: pthread_t?
        /// Threads waiting in `execute` for room in a full inbox.
        var waiters = 0
        /// The most jobs the inbox has held at once.
        var highWater = 0
    }

    public let configuration: WebSocketServerConfiguration
    let logger: Logger
    /// Set before `start()`; used only on the service thread.
    public weak var delegate: (any WebSocketServerDelegate)?

    private var context: OpaquePointer?
    private var connections: [UInt64: Connection] = [:]
    private var nextConnection: UInt64 = 1
    private var httpReplies: [UInt: HTTPResponse] = [:]
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 256 * 1024
    private let lwsPre = Int(clws_pre())
    private var allowedOrigins: Set<String> = []
    private var addresses: AddressTable
    private var abuse = AbuseTally()

    private let inbox = Mutex(Inbox())
    /// Signalled once per waiter when the loop drains the inbox (or stops).
    private let inboxSpace = DispatchSemaphore(value: 0)
    private let stopRequested = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    private var cStrings = CStringPool()
    private var protocols: UnsafeMutablePointer<lws_protocols>?
    private var mounts: UnsafeMutablePointer<lws_http_mount>?
    private var headers: UnsafeMutablePointer<lws_protocol_vhost_options>?
    private var retryPolicy: UnsafeMutablePointer<lws_retry_bo_t>?
    private var tickTimer: LoopTimer?
    private var flushTimer: LoopTimer?
    private var shutdownTimer: LoopTimer?
    private var flushScheduled = false
    private var shuttingDown = false

    /// The port actually listened on (differs from the configuration when it asked for 0).
    public private(set) var port = 0

    public init(configuration: WebSocketServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        addresses = AddressTable(caps: configuration.addressCaps)
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit { scratch.deallocate() }

    /// The receive buffer lws keeps per WebSocket connection on Hearth's subprotocol (its `rx_buffer_size`), and
    /// the one of the HTTP protocol (static files, `/healthz`, and WebSockets without the subprotocol).
    static let receiveChunkBytes = 2 * 1024
    static let httpReceiveChunkBytes = 4 * 1024
    /// The most one write puts on a socket: `writeQueued` frames up to this much of a connection's queue into one
    /// buffer, and lws may hand all of it to one `send()` (the protocols' `tx_packet_size`). Left at 0, lws would
    /// cut every write to the receive buffer's size and send the rest on later writeable turns: with 2 KiB, a
    /// fan-out took about 1.7 times the `send()` calls (docs/PERFORMANCE.md).
    static let sendChunkBytes = 64 * 1024

    /// Creates the context (binding the port) and starts the service thread.
    public func start() throws {
        LibWebSocketsLog.install(logger)
        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 3)
        protocols.initialize(repeating: lws_protocols(), count: 3)
        for (index, name) in ["hearth-http", configuration.subprotocol].enumerated() {
            protocols[index].name = cStrings.make(name)
            protocols[index].callback = serverCallback
            protocols[index].per_session_data_size = MemoryLayout<UInt64>.size
            // lws allocates this per connection; frames larger than it arrive in pieces, which `receive` joins up
            // to `maxMessageBytes`. Clients' frames are small (a message is a few hundred bytes): a WebSocket bound to
            // Hearth's subprotocol gets 2 KiB, so an idle one costs about 7 KiB in all (docs/PERFORMANCE.md). The
            // HTTP protocol keeps 4 KiB: with less, pages served over TLS stopped loading in Chromium.
            protocols[index].rx_buffer_size = index == 0 ? Self.httpReceiveChunkBytes : Self.receiveChunkBytes
            protocols[index].tx_packet_size = Self.sendChunkBytes
        }
        self.protocols = protocols

        var mountList: UnsafeMutablePointer<lws_http_mount>?
        let dynamic = configuration.dynamicPaths
        let mountCount = dynamic.count + (configuration.webRoot == nil ? 0 : 1)
        if mountCount > 0 {
            let mounts = UnsafeMutablePointer<lws_http_mount>.allocate(capacity: mountCount)
            mounts.initialize(repeating: lws_http_mount(), count: mountCount)
            var index = 0
            for path in dynamic {
                mounts[index].mountpoint = cStrings.make(path)
                mounts[index].mountpoint_len = UInt8(path.utf8.count)
                mounts[index].origin = cStrings.make("hearth-http")
                mounts[index].origin_protocol = UInt8(LWSMPRO_CALLBACK.rawValue)
                index += 1
            }
            if let webRoot = configuration.webRoot {
                mounts[index].mountpoint = cStrings.make("/")
                mounts[index].mountpoint_len = 1
                mounts[index].origin = cStrings.make(URL(fileURLWithPath: webRoot).standardizedFileURL.path)
                mounts[index].def = cStrings.make("index.html")
                mounts[index].origin_protocol = UInt8(LWSMPRO_FILE.rawValue)
            }
            for link in 0..<(mountCount - 1) { mounts[link].mount_next = UnsafePointer(mounts + link + 1) }
            self.mounts = mounts
            mountList = mounts
        }

        var securityHeaders: [(String, String)] = [
            ("content-security-policy:", "default-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
            ("x-content-type-options:", "nosniff"),
            ("x-frame-options:", "DENY"),
            ("referrer-policy:", "no-referrer"),
        ]
        if configuration.tls != nil {
            securityHeaders.append(("strict-transport-security:", ServerTLS.strictTransportSecurity))
        }
        let headers = UnsafeMutablePointer<lws_protocol_vhost_options>.allocate(capacity: securityHeaders.count)
        headers.initialize(repeating: lws_protocol_vhost_options(), count: securityHeaders.count)
        for (index, header) in securityHeaders.enumerated() {
            headers[index].name = cStrings.make(header.0)
            headers[index].value = cStrings.make(header.1)
            if index + 1 < securityHeaders.count { headers[index].next = UnsafePointer(headers + index + 1) }
        }
        self.headers = headers

        let retry = UnsafeMutablePointer<lws_retry_bo_t>.allocate(capacity: 1)
        retry.initialize(to: lws_retry_bo_t())
        retry.pointee.secs_since_valid_ping = UInt16(configuration.pingSeconds)
        retry.pointee.secs_since_valid_hangup = UInt16(configuration.hangupSeconds)
        self.retryPolicy = retry

        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = cStrings.make(configuration.host)
        info.protocols = UnsafePointer(protocols)
        info.mounts = mountList.map { UnsafePointer($0) }
        info.headers = UnsafePointer(headers)
        info.retry_and_idle_policy = UnsafePointer(retry)
        info.options = UInt64(LWS_SERVER_OPTION_VALIDATE_UTF8) | UInt64(LWS_SERVER_OPTION_DISABLE_IPV6)
        switch configuration.eventLoop {
        case .poll: break
        case .libev: info.options |= UInt64(LWS_SERVER_OPTION_LIBEV)
        case .libuv: info.options |= UInt64(LWS_SERVER_OPTION_LIBUV)
        }
        if let tls = configuration.tls {
            for path in [tls.certificatePath, tls.privateKeyPath] where !FileManager.default.isReadableFile(atPath: path) {
                releaseStaticMemory()
                throw TransportError.cannotReadTLSFile(path: path)
            }
            info.options |= UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
            info.ssl_cert_filepath = cStrings.make(tls.certificatePath)
            info.ssl_private_key_filepath = cStrings.make(tls.privateKeyPath)
            info.ssl_cipher_list = cStrings.make(ServerTLS.tls12Ciphers)
            info.tls1_3_plus_cipher_list = cStrings.make(ServerTLS.tls13Ciphers)
            info.ssl_options_set = clws_tls12_floor_options()
        }
        info.user = Unmanaged.passUnretained(self).toOpaque()
        info.count_threads = 1
        guard let context = lws_create_context(&info) else {
            releaseStaticMemory()
            if let tls = configuration.tls { throw TransportError.cannotStartTLS(certificate: tls.certificatePath) }
            throw TransportError.cannotListen(host: configuration.host, port: configuration.port,
                                              eventLoop: configuration.eventLoop)
        }
        self.context = context
        port = Int(lws_get_vhost_listen_port(lws_get_vhost_by_name(context, "default")))
        let scheme = configuration.tls == nil ? "http" : "https"
        allowedOrigins = Set(configuration.allowedOrigins.isEmpty
            ? ["\(scheme)://\(configuration.host):\(port)", "\(scheme)://localhost:\(port)", "\(scheme)://127.0.0.1:\(port)"]
            : configuration.allowedOrigins)
        inbox.withLock { $0.contextBits = UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(context))) }

        tickTimer = LoopTimer { [unowned self] in timerFired() }
        flushTimer = LoopTimer { [unowned self] in flushTimerFired() }
        shutdownTimer = LoopTimer { [unowned self] in shutdownTimerFired() }

        let thread = Thread { [self] in self.serviceLoop() }
        thread.name = "hearth-service"
        thread.start()
    }

    /// Runs `job` on the service thread soon. Safe from any thread; wakes the loop at most once per batch.
    ///
    /// The inbox holds at most `maxInboxJobs`: a thread that finds it full (the records queue, the message writer)
    /// waits until the loop has drained it, so the inbox never grows without limit and no job is dropped. The
    /// service thread (which drains it) and calls before start or after stop never wait.
    public func execute(_ job: @escaping @Sendable () -> Void) {
        let limit = configuration.maxInboxJobs
        let current = pthread_self()
        while true {
            let queued = inbox.withLock { inbox -> Bool in
                let onServiceThread = inbox.serviceThread.map { pthread_equal($0, current) != 0 } ?? false
                let room = inbox.jobs.count < limit || inbox.contextBits == 0 || onServiceThread
                if room {
                    inbox.jobs.append(job)
                    inbox.highWater = max(inbox.highWater, inbox.jobs.count)
                } else {
                    inbox.waiters += 1
                }
                if !inbox.wakePending, inbox.contextBits != 0 {
                    inbox.wakePending = true
                    lws_cancel_service(OpaquePointer(bitPattern: inbox.contextBits))
                }
                return room
            }
            if queued { return }
            inboxSpace.wait()
        }
    }

    /// Connections closed so far because they did not read their frames. Any thread.
    public var slowConsumerClosures: Int { slowClosures.load(ordering: .relaxed) }
    private let slowClosures = Atomic<Int>(0)

    /// Jobs waiting in the inbox now, and the most it has held at once (for tests and diagnostics). Any thread.
    public var inboxDepth: (now: Int, highWater: Int) { inbox.withLock { ($0.jobs.count, $0.highWater) } }

    /// Asks the loop to close every connection with 1001 and stop; returns once the context is destroyed.
    public func stop() {
        guard !stopRequested.exchange(true, ordering: .sequentiallyConsistent) else { return }
        inbox.withLock { inbox in
            if inbox.contextBits != 0 { lws_cancel_service(OpaquePointer(bitPattern: inbox.contextBits)) }
        }
        stopped.wait()
    }

    // MARK: Service-thread API

    /// Queues a text frame. `frame` is shared, not copied, between recipients. Service thread only.
    ///
    /// A burst (say, the fan-out of one group commit, or a history page) may queue more than the limits for the
    /// moment the socket needs to drain it. A connection whose backlog stays over the limits for a full second
    /// (it is not reading) is closed with 1008, and one whose backlog passes 64 times the limits is closed at once,
    /// so memory stays bounded.
    public func send(_ frame: [UInt8], to id: ConnectionID) {
        guard let connection = connections[id.rawValue], !connection.closing else { return }
        connection.outbound.append(frame)
        if connection.overLimitSince == nil, overLimit(connection, factor: 1) {
            connection.overLimitSince = .now
        }
        if connection.outbound.count > 1, overLimit(connection, factor: 64) {
            closeSlow(connection)
            return
        }
        requestWritable(connection)
    }

    /// Asks lws for a writeable callback unless one is already pending, so a burst of frames for one connection
    /// (a fan-out, a page) costs one request, not one per frame. The queue is never left non-empty without a
    /// callback pending: `send` asks when it queues, the callback clears the mark before it writes, and
    /// `writeQueued` asks again when frames remain after a write; a frame queued while a callback is pending
    /// leaves on that callback. A partial write needs nothing from here: lws keeps POLLOUT on until it has sent
    /// what it holds, and only then calls writeable again.
    private func requestWritable(_ connection: Connection) {
        guard !connection.writablePending else { return }
        // 1: asked. 0 or -1: lws is closing the socket (its LWS_CALLBACK_CLOSED follows); the next send asks again.
        if lws_callback_on_writable(connection.wsi) == 1 { connection.writablePending = true }
    }

    /// Closes connections whose backlog has stayed over the limits since the previous check.
    private func closeStalledConnections() {
        let cutoff = ContinuousClock.now - .seconds(1)
        for connection in connections.values where !connection.closing {
            if let since = connection.overLimitSince, since <= cutoff { closeSlow(connection) }
        }
    }

    private func overLimit(_ connection: Connection, factor: Int) -> Bool {
        connection.outbound.count > configuration.maxQueuedFrames * factor
            || connection.outbound.bytes > configuration.maxQueuedBytes * factor
    }

    private func closeSlow(_ connection: Connection) {
        abuse.note(.slowConsumer, address: connection.address)
        slowClosures.add(1, ordering: .relaxed)
        logger.notice("closing slow connection", metadata: [
            "hearth.connection": "\(connection.id)", "hearth.queue.frames": "\(connection.outbound.count)",
            "hearth.queue.bytes": "\(connection.outbound.bytes)",
        ])
        connection.outbound.removeAll()
        connection.closing = true
        connection.closeRequest = (.policyViolation, "too slow: reconnect and join with after_seq")
        // A choked socket may never become writable again: if it cannot take the close frame soon, drop it.
        lws_set_timeout(connection.wsi, PENDING_TIMEOUT_USER_OK, 2)
        lws_callback_on_writable(connection.wsi)
    }

    /// Sends what is queued, then closes with `code`. Service thread only.
    public func close(_ id: ConnectionID, code: CloseCode, reason: String) {
        guard let connection = connections[id.rawValue], !connection.closing else { return }
        connection.closing = true
        connection.closeRequest = (code, reason)
        lws_set_timeout(connection.wsi, PENDING_TIMEOUT_USER_OK, 5)
        lws_callback_on_writable(connection.wsi)
    }

    /// Stops counting a connection against its address's cap on connections not yet signed in. Service thread only.
    public func markAuthenticated(_ id: ConnectionID) {
        guard let connection = connections[id.rawValue], !connection.authenticated else { return }
        connection.authenticated = true
        addresses.authenticated(connection.address)
    }

    /// Counts a close or refusal for the abuse log under the connection's address. Service thread only.
    public func noteAbuse(_ reason: AbuseReason, on id: ConnectionID) {
        guard let connection = connections[id.rawValue] else { return }
        abuse.note(reason, address: connection.address)
    }

    /// Logs the abuse counts that are due: one `notice` per reason at most once a minute, with the count per
    /// address. The only log lines that carry addresses.
    private func reportAbuse() {
        for report in abuse.due(at: .now) {
            let byAddress = report.counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            let shown = byAddress.prefix(20).map { "\($0.key)=\($0.value)" }
            let others = byAddress.dropFirst(20).reduce(0) { $0 + $1.value }
            logger.notice("connections closed or refused for abuse", metadata: [
                "hearth.abuse.reason": "\(report.reason.rawValue)", "hearth.abuse.total": "\(report.total)",
                "hearth.abuse.addresses": "\(shown.joined(separator: ",") + (others > 0 ? ",others=\(others)" : ""))",
            ])
        }
    }

    /// Frames waiting for a connection (for tests and diagnostics). Service thread only.
    public func queuedFrames(_ id: ConnectionID) -> Int { connections[id.rawValue]?.outbound.count ?? 0 }

    /// How many WebSocket connections are open. Service thread only.
    public var connectionCount: Int { connections.count }

    // MARK: Loop

    /// Wakes every thread waiting for room in the inbox; when stopping, clears the context first so they (and
    /// every later `execute`) no longer wait for a loop that is gone.
    private func releaseInboxWaiters(stopping: Bool) {
        let waiters = inbox.withLock { inbox -> Int in
            if stopping { inbox.contextBits = 0 }
            defer { inbox.waiters = 0 }
            return inbox.waiters
        }
        for _ in 0..<waiters { inboxSpace.signal() }
    }

    private func serviceLoop() {
        inbox.withLock { $0.serviceThread = pthread_self() }
        guard let context else { return }
        scheduleTick()
        if configuration.eventLoop != .poll {
            // The event library runs its own loop inside lws_service until the context is destroyed from within
            // (see beginShutdown); the second destroy then finishes the job.
            _ = lws_service(context, 0)
        } else {
            while !stopRequested.load(ordering: .relaxed) {
                if lws_service(context, 0) < 0 { break }
            }
            // Polite shutdown: every client gets 1001, then the context goes.
            closeAllGoingAway()
            let deadline = Date().addingTimeInterval(3)
            while !connections.isEmpty && Date() < deadline { _ = lws_service(context, 0) }
        }
        cancelTimers()
        releaseInboxWaiters(stopping: true)
        lws_context_destroy(context)
        self.context = nil
        releaseStaticMemory()
        stopped.signal()
    }

    private func closeAllGoingAway() {
        for connection in connections.values where !connection.closing {
            connection.closing = true
            connection.closeRequest = (.goingAway, "server shutdown")
            lws_set_timeout(connection.wsi, PENDING_TIMEOUT_USER_OK, 2)
            lws_callback_on_writable(connection.wsi)
        }
    }

    /// Event-library mode: close everyone with 1001, give the close frames a moment, then destroy the context
    /// from inside the loop, which makes `lws_service` return.
    private func beginShutdown() {
        guard !shuttingDown, let context, let shutdownTimer else { return }
        shuttingDown = true
        closeAllGoingAway()
        shutdownTimer.schedule(on: context, after: 300_000)
    }

    private func shutdownTimerFired() {
        guard let context else { return }
        if !connections.isEmpty, let shutdownTimer, shutdownWaits < 10 {
            shutdownWaits += 1
            shutdownTimer.schedule(on: context, after: 200_000)
            return
        }
        cancelTimers()
        lws_context_destroy(context)
    }

    private var shutdownWaits = 0

    private func cancelTimers() {
        for timer in [tickTimer, flushTimer, shutdownTimer] { timer?.cancel() }
    }

    /// Asks for `loopTurnEnded` once the events of this loop turn are handled. Service thread only.
    public func scheduleTurnEnd() {
        guard !flushScheduled, let context, let flushTimer else { return }
        flushScheduled = true
        flushTimer.schedule(on: context, after: 0)
    }

    private func flushTimerFired() {
        flushScheduled = false
        delegate?.loopTurnEnded()
    }

    private func releaseStaticMemory() {
        protocols?.deallocate(); protocols = nil
        mounts?.deallocate(); mounts = nil
        headers?.deallocate(); headers = nil
        retryPolicy?.deallocate(); retryPolicy = nil
        tickTimer = nil
        flushTimer = nil
        shutdownTimer = nil
        cStrings.freeAll()
    }

    private func scheduleTick() {
        guard let context, let tickTimer else { return }
        tickTimer.schedule(on: context, after: 1_000_000)
    }

    private func timerFired() {
        // Safety net: jobs are normally run by the wake-up that `execute` sends; never leave one waiting longer.
        drainInbox()
        closeStalledConnections()
        delegate?.tick()
        reportAbuse()
        if !stopRequested.load(ordering: .relaxed) { scheduleTick() }
    }

    private func drainInbox() {
        let (jobs, waiters) = inbox.withLock { inbox -> ([@Sendable () -> Void], Int) in
            inbox.wakePending = false
            var jobs: [@Sendable () -> Void] = []
            swap(&jobs, &inbox.jobs)
            defer { inbox.waiters = 0 }
            return (jobs, inbox.waiters)
        }
        // Room again: let the threads waiting in `execute` queue their jobs (they run on the next wake-up).
        for _ in 0..<waiters { inboxSpace.signal() }
        for job in jobs { job() }
        if configuration.eventLoop != .poll, stopRequested.load(ordering: .relaxed) { beginShutdown() }
    }

    // MARK: Callback

    fileprivate func handle(_ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                            _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            // Delivered once per protocol (lws keeps its own copies of them): the first call drains, later ones
            // find the inbox empty.
            drainInbox()
            return 0

        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            if shuttingDown {
                // Every client was just told 1001; one that reconnects at once must not be let in and closed again.
                _ = lws_return_http_status(wsi, UInt32(HTTP_STATUS_SERVICE_UNAVAILABLE.rawValue), "shutting down")
                return 1
            }
            if header(wsi, WSI_TOKEN_GET_URI) != configuration.path {
                _ = lws_return_http_status(wsi, UInt32(HTTP_STATUS_NOT_FOUND.rawValue), "no WebSocket here")
                return 1
            }
            let offered = (header(wsi, WSI_TOKEN_PROTOCOL) ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if configuration.requiresSubprotocol, !offered.contains(configuration.subprotocol) {
                _ = lws_return_http_status(wsi, UInt32(HTTP_STATUS_BAD_REQUEST.rawValue),
                                           "the WebSocket subprotocol \(configuration.subprotocol) is required")
                return 1
            }
            if let origin = header(wsi, WSI_TOKEN_ORIGIN), !allowedOrigins.contains(origin) {
                logger.notice("websocket refused: origin not allowed")
                _ = lws_return_http_status(wsi, UInt32(HTTP_STATUS_FORBIDDEN.rawValue), "origin not allowed")
                return 1
            }
            let address = peerAddress(wsi)
            if let refusal = addresses.refusal(for: address) {
                abuse.note(refusal, address: address)
                _ = lws_return_http_status(wsi, 429, refusal == .connectionCap
                    ? "too many connections from this address"
                    : "too many connections from this address have not signed in")
                return 1
            }
            return 0

        case LWS_CALLBACK_ESTABLISHED:
            let id = ConnectionID(nextConnection)
            nextConnection += 1
            let address = peerAddress(wsi)
            connections[id.rawValue] = Connection(id: id, wsi: wsi, address: address)
            addresses.opened(address)
            user?.storeBytes(of: id.rawValue, as: UInt64.self)
            delegate?.connectionOpened(id)
            return 0

        case LWS_CALLBACK_RECEIVE:
            guard let user, let connection = connections[user.load(as: UInt64.self)] else { return -1 }
            if connection.closing { return 0 }
            let remaining = Int(lws_remaining_packet_payload(wsi))
            if connection.receiveBuffer.count + length + remaining > configuration.maxMessageBytes {
                logger.notice("closing connection: message too large", metadata: ["hearth.connection": "\(connection.id)"])
                connection.receiveBuffer = []
                // Not `return -1` here: lws 4.1 would drop the rest of the bytes it has read and lose its place in
                // the frames that follow, then kill the socket before the 1009 frame leaves. The close goes out
                // from the writeable callback (after what is already queued); the rest of the message is dropped
                // above.
                close(connection.id, code: .messageTooBig, reason: "message too large")
                return 0
            }
            if let input, length > 0 {
                connection.receiveBuffer.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
            }
            if lws_is_final_fragment(wsi) != 0 && remaining == 0 {
                let message = connection.receiveBuffer
                connection.receiveBuffer = []
                if lws_frame_is_binary(wsi) != 0 {
                    delegate?.receivedBinary(on: connection.id)
                } else {
                    delegate?.received(text: message, on: connection.id)
                }
            }
            return 0

        case LWS_CALLBACK_SERVER_WRITEABLE:
            guard let user, let connection = connections[user.load(as: UInt64.self)] else { return -1 }
            // This is the callback asked for (or one lws sends on its own): a frame queued from now on asks again.
            connection.writablePending = false
            if lwsIsClosing(connection) { return 0 }
            return writeQueued(connection)

        case LWS_CALLBACK_CLOSED:
            guard let user else { return 0 }
            let raw = user.load(as: UInt64.self)
            user.storeBytes(of: 0, as: UInt64.self)
            if let connection = connections.removeValue(forKey: raw) {
                addresses.closed(connection.address, authenticated: connection.authenticated)
                delegate?.connectionClosed(ConnectionID(raw))
            }
            return 0

        case LWS_CALLBACK_HTTP:
            let path = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "/"
            let fullPath = (header(wsi, WSI_TOKEN_GET_URI) ?? path)
            let response = delegate?.httpResponse(path: fullPath) ?? HTTPResponse(
                status: 404, contentType: "application/json", body: Array(#"{"error":"not_found"}"#.utf8))
            return startHTTPResponse(wsi, response)

        case LWS_CALLBACK_HTTP_WRITEABLE:
            let key = UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(wsi)))
            guard let response = httpReplies.removeValue(forKey: key) else {
                return lws_callback_http_dummy(wsi, reason, user, input, length)
            }
            let count = response.body.count
            ensureScratch(lwsPre + count)
            response.body.withUnsafeBytes { bytes in
                if count > 0 { (scratch + lwsPre).update(from: bytes.bindMemory(to: UInt8.self).baseAddress!, count: count) }
            }
            if lws_write(wsi, scratch + lwsPre, count, LWS_WRITE_HTTP_FINAL) != count { return -1 }
            return lws_http_transaction_completed(wsi) != 0 ? -1 : 0

        case LWS_CALLBACK_CLOSED_HTTP:
            httpReplies.removeValue(forKey: UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(wsi))))
            return lws_callback_http_dummy(wsi, reason, user, input, length)

        default:
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        }
    }

    private func startHTTPResponse(_ wsi: OpaquePointer, _ response: HTTPResponse) -> Int32 {
        var headerBuffer = [UInt8](repeating: 0, count: lwsPre + 1024)
        return headerBuffer.withUnsafeMutableBufferPointer { buffer -> Int32 in
            let start = buffer.baseAddress! + lwsPre
            var cursor: UnsafeMutablePointer<UInt8>? = start
            let end = buffer.baseAddress! + buffer.count - 1
            if lws_add_http_common_headers(wsi, UInt32(response.status), response.contentType,
                                           lws_filepos_t(response.body.count), &cursor, end) != 0 { return 1 }
            if lws_add_http_header_by_name(wsi, "cache-control:", "no-store", 8, &cursor, end) != 0 { return 1 }
            if lws_finalize_write_http_header(wsi, start, &cursor, end) != 0 { return 1 }
            httpReplies[UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(wsi)))] = response
            lws_callback_on_writable(wsi)
            return 0
        }
    }

    /// Frames as many queued messages as fit into one buffer and writes it with one `lws_write`.
    private func writeQueued(_ connection: Connection) -> Int32 {
        let wsi = connection.wsi
        if configuration.writePerFrame {
            var written = 0
            while let frame = connection.outbound.first, written < 16 {
                ensureScratch(lwsPre + frame.count)
                frame.withUnsafeBufferPointer { (scratch + lwsPre).update(from: $0.baseAddress!, count: frame.count) }
                if lws_write(wsi, scratch + lwsPre, frame.count, LWS_WRITE_TEXT) < frame.count { return -1 }
                connection.outbound.removeFirst()
                written += 1
                if lws_partial_buffered(wsi) != 0 { break }
            }
        } else if let first = connection.outbound.first {
            let budget = max(Self.sendChunkBytes, WebSocketFraming.headerLength(for: first.count) + first.count)
            ensureScratch(lwsPre + budget)
            var used = 0
            while let frame = connection.outbound.first {
                let size = WebSocketFraming.headerLength(for: frame.count) + frame.count
                if used > 0 && used + size > budget { break }
                let target = scratch + lwsPre + used
                let header = WebSocketFraming.appendTextHeader(length: frame.count, to: target)
                frame.withUnsafeBufferPointer { (target + header).update(from: $0.baseAddress!, count: frame.count) }
                used += size
                connection.outbound.removeFirst()
            }
            if lws_write(wsi, scratch + lwsPre, used, lws_write_protocol(rawValue: UInt32(clws_write_raw()))) < used {
                return -1
            }
        }
        if connection.overLimitSince != nil, !overLimit(connection, factor: 1) { connection.overLimitSince = nil }
        if !connection.outbound.isEmpty {
            // More to write. (What lws holds of a partial write it sends itself, keeping POLLOUT on, and it calls
            // back writeable only once that is out.)
            requestWritable(connection)
        } else if let request = connection.closeRequest {
            setCloseReason(wsi, request.code, request.reason)
            return -1
        }
        return 0
    }

    private func ensureScratch(_ capacity: Int) {
        guard capacity > scratchCapacity else { return }
        scratch.deallocate()
        scratchCapacity = max(capacity, scratchCapacity * 2)
        scratch = .allocate(capacity: scratchCapacity)
    }

    /// Whether lws is failing this connection itself: it found a protocol error (RSV bits, a bad opcode, invalid
    /// UTF-8, …) and set a close reason. Its close frame is queued or already sent, and no data frame may follow it
    /// (RFC 6455 5.5.1; a raw write bypasses lws' framing and would go out after it): the backlog is dropped and
    /// lws finishes the closing handshake.
    private func lwsIsClosing(_ connection: Connection) -> Bool {
        guard lws_get_close_length(connection.wsi) > 0 else { return false }
        connection.closing = true
        connection.closeRequest = nil
        connection.outbound.removeAll()
        return true
    }

    private func setCloseReason(_ wsi: OpaquePointer, _ code: CloseCode, _ reason: String) {
        var bytes = Array(reason.utf8.prefix(123))
        lws_close_reason(wsi, lws_close_status(rawValue: UInt32(code.rawValue)), &bytes, bytes.count)
    }

    /// The address a connection comes from, as text: the TCP peer (`lws_get_peer_simple`), or, behind a trusted
    /// reverse proxy (`trustForwardedFor`), the last address of `X-Forwarded-For`: the one that proxy appended (any
    /// earlier ones were sent by the client and prove nothing). Service thread only, while the headers are there.
    private func peerAddress(_ wsi: OpaquePointer) -> String {
        if configuration.trustForwardedFor, let forwarded = header(wsi, WSI_TOKEN_X_FORWARDED_FOR),
           let last = ForwardedFor.clientAddress(forwarded) {
            return last
        }
        var buffer = [CChar](repeating: 0, count: 64)
        guard lws_get_peer_simple(wsi, &buffer, buffer.count) != nil else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0, length < 4096 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        let copied = Int(lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token))
        guard copied >= 0 else { return nil }
        return String(decoding: buffer.prefix(copied).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

private func serverCallback(_ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                            _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    return Unmanaged<WebSocketServer>.fromOpaque(owner).takeUnretainedValue().handle(wsi, reason, user, input, length)
}
