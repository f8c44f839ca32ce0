import CLibWebSockets
import Foundation
import Logging
import Synchronization

/// What the client transport reports, on its service thread.
public enum WebSocketClientEvent: Sendable {
    case opened(ConnectionID)
    case text(ConnectionID, [UInt8])
    /// The server closed the connection with a code and reason (RFC 6455 close frame), or the socket dropped (1006).
    case closed(ConnectionID, code: UInt16, reason: String)
    /// The connection could not be made.
    case failed(ConnectionID, reason: String)
}

/// Where to connect.
public struct WebSocketEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var path: String
    /// `wss://`: TLS, with the server's certificate verified against the client's trusted CAs.
    public var secure: Bool

    public init(host: String, port: Int, path: String = "/ws", secure: Bool = false) {
        self.host = host
        self.port = port
        self.path = path
        self.secure = secure
    }

    /// Parses `ws://host:port/path` or `wss://host:port/path`.
    public init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "ws" || scheme == "wss", let host = components.host, !host.isEmpty else {
            return nil
        }
        let secure = scheme == "wss"
        self.init(host: host, port: components.port ?? (secure ? 443 : 80),
                  path: components.path.isEmpty ? "/" : components.path, secure: secure)
    }
}

/// The client side of the transport: many connections on one lws context and one service thread.
/// `connect`, `send` and `close` are safe from any thread; events arrive through `onEvent` on the service thread.
public final class WebSocketClient: @unchecked Sendable {
    private final class Connection {
        let id: ConnectionID
        var wsi: OpaquePointer?
        var outbound: [(bytes: [UInt8], binary: Bool)] = []
        var receiveBuffer: [UInt8] = []
        var closeCode: UInt16 = 1006
        var closeReason = ""
        var closeRequested = false
        init(id: ConnectionID) { self.id = id }
    }

    private enum Command: Sendable {
        case connect(ConnectionID, WebSocketEndpoint, subprotocol: String, origin: String?)
        case send(ConnectionID, [UInt8], binary: Bool)
        case close(ConnectionID)
    }

    private struct Inbox {
        var commands: [Command] = []
        var wakePending = false
        var contextBits: UInt = 0
    }

    private let onEvent: @Sendable (WebSocketClientEvent) -> Void
    private var context: OpaquePointer?
    private var protocols: UnsafeMutablePointer<lws_protocols>?
    private var connections: [UInt64: Connection] = [:]
    private let nextID = Atomic<UInt64>(1)
    private let inbox = Mutex(Inbox())
    private let stopRequested = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    private var cStrings = CStringPool()
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 128 * 1024
    private let lwsPre = Int(clws_pre())
    private var pollTimer: LoopTimer?

    /// Creates the context and starts its thread. `wss://` connections verify the server's certificate against
    /// the system's CAs, or only against `caFile` (PEM) when it is given.
    public init(logger: Logger, caFile: String? = nil,
                onEvent: @escaping @Sendable (WebSocketClientEvent) -> Void) throws {
        self.onEvent = onEvent
        scratch = .allocate(capacity: scratchCapacity)
        LibWebSocketsLog.install(logger)
        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = cStrings.make("hearth-client")
        protocols[0].callback = clientCallback
        protocols[0].rx_buffer_size = 64 * 1024
        self.protocols = protocols
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(protocols)
        info.user = Unmanaged.passUnretained(self).toOpaque()
        info.count_threads = 1
        info.fd_limit_per_thread = 4096
        info.options |= UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT) | UInt64(LWS_SERVER_OPTION_JUST_USE_RAW_ORIGIN)
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                protocols.deallocate()
                cStrings.freeAll()
                scratch.deallocate()
                throw TransportError.cannotReadTLSFile(path: caFile)
            }
            info.client_ssl_ca_filepath = cStrings.make(caFile)
        }
        guard let context = lws_create_context(&info) else {
            protocols.deallocate()
            cStrings.freeAll()
            scratch.deallocate()
            throw TransportError.cannotCreateClientContext
        }
        self.context = context
        inbox.withLock { $0.contextBits = UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(context))) }
        pollTimer = LoopTimer { [unowned self] in pollTimerFired() }
        let thread = Thread { [self] in self.serviceLoop() }
        thread.name = "hearth-client"
        thread.start()
    }

    deinit { scratch.deallocate() }

    /// A fresh id for `connect(_:to:)`, so the caller can be ready for its events before they can arrive.
    public func reserveID() -> ConnectionID {
        ConnectionID(nextID.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    /// Starts connecting; the result arrives as `.opened` or `.failed` with this id.
    public func connect(_ id: ConnectionID, to endpoint: WebSocketEndpoint, subprotocol: String = "hearth.v1",
                        origin: String? = nil) {
        post(.connect(id, endpoint, subprotocol: subprotocol, origin: origin))
    }

    /// Queues a text message (or a binary one, which Hearth refuses: for tests).
    public func send(_ bytes: [UInt8], on id: ConnectionID, binary: Bool = false) {
        post(.send(id, bytes, binary: binary))
    }

    /// Closes a connection with 1000.
    public func close(_ id: ConnectionID) { post(.close(id)) }

    /// Closes everything and stops the thread.
    public func shutdown() {
        guard !stopRequested.exchange(true, ordering: .sequentiallyConsistent) else { return }
        inbox.withLock { inbox in
            if inbox.contextBits != 0 { lws_cancel_service(OpaquePointer(bitPattern: inbox.contextBits)) }
        }
        stopped.wait()
    }

    private func post(_ command: Command) {
        inbox.withLock { inbox in
            inbox.commands.append(command)
            if !inbox.wakePending, inbox.contextBits != 0 {
                inbox.wakePending = true
                lws_cancel_service(OpaquePointer(bitPattern: inbox.contextBits))
            }
        }
    }

    private func serviceLoop() {
        guard let context else { return }
        schedulePoll()
        while !stopRequested.load(ordering: .relaxed) {
            if lws_service(context, 0) < 0 { break }
        }
        pollTimer?.cancel()
        inbox.withLock { $0.contextBits = 0 }
        lws_context_destroy(context)
        self.context = nil
        protocols?.deallocate()
        protocols = nil
        pollTimer = nil
        cStrings.freeAll()
        stopped.signal()
    }

    private func schedulePoll() {
        guard let context, let pollTimer else { return }
        pollTimer.schedule(on: context, after: 250_000)
    }

    /// Safety net: commands are normally run by the wake-up `post` sends; never leave one waiting long.
    private func pollTimerFired() {
        drainInbox()
        if !stopRequested.load(ordering: .relaxed) { schedulePoll() }
    }

    private func drainInbox() {
        let commands = inbox.withLock { inbox -> [Command] in
            inbox.wakePending = false
            var commands: [Command] = []
            swap(&commands, &inbox.commands)
            return commands
        }
        for command in commands {
            switch command {
            case .connect(let id, let endpoint, let subprotocol, let origin):
                open(id, endpoint, subprotocol: subprotocol, origin: origin)
            case .send(let id, let bytes, let binary):
                guard let connection = connections[id.rawValue] else { continue }
                connection.outbound.append((bytes, binary))
                if let wsi = connection.wsi { lws_callback_on_writable(wsi) }
            case .close(let id):
                guard let connection = connections[id.rawValue] else { continue }
                connection.closeRequested = true
                if let wsi = connection.wsi { lws_callback_on_writable(wsi) }
            }
        }
    }

    private func open(_ id: ConnectionID, _ endpoint: WebSocketEndpoint, subprotocol: String, origin: String?) {
        guard let context else { return }
        let connection = Connection(id: id)
        connections[id.rawValue] = connection
        var info = lws_client_connect_info()
        info.context = context
        info.port = Int32(endpoint.port)
        info.ssl_connection = endpoint.secure ? Int32(LCCSCF_USE_SSL.rawValue) : 0
        info.pwsi = nil
        let userBits = UnsafeMutableRawPointer(bitPattern: UInt(id.rawValue))
        info.userdata = userBits
        let wsi: OpaquePointer? = endpoint.host.withCString { host in
            endpoint.path.withCString { path in
                subprotocol.withCString { proto in
                    func go(_ originPointer: UnsafePointer<CChar>?) -> OpaquePointer? {
                        info.address = host
                        info.host = host
                        info.path = path
                        info.protocol = proto
                        info.origin = originPointer
                        info.local_protocol_name = UnsafePointer(protocols![0].name)
                        return lws_client_connect_via_info(&info)
                    }
                    // The context has JUST_USE_RAW_ORIGIN: lws writes this value as the Origin header, unchanged.
                    if let origin { return origin.withCString { go($0) } }
                    return go(nil)
                }
            }
        }
        if wsi == nil, connections[id.rawValue] != nil {
            connections.removeValue(forKey: id.rawValue)
            onEvent(.failed(id, reason: "connect failed"))
        } else {
            connection.wsi = wsi
        }
    }

    fileprivate func handle(_ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                            _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        if reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED {
            drainInbox()
            return 0
        }
        guard let user else { return 0 }
        let key = UInt64(UInt(bitPattern: user))
        switch reason {
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            let message = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "connection error"
            if connections.removeValue(forKey: key) != nil { onEvent(.failed(ConnectionID(key), reason: message)) }
            return 0
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            guard let connection = connections[key] else { return -1 }
            connection.wsi = wsi
            onEvent(.opened(connection.id))
            if !connection.outbound.isEmpty || connection.closeRequested { lws_callback_on_writable(wsi) }
            return 0
        case LWS_CALLBACK_CLIENT_RECEIVE:
            guard let connection = connections[key] else { return -1 }
            if let input, length > 0 {
                connection.receiveBuffer.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
            }
            if lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0 {
                let message = connection.receiveBuffer
                connection.receiveBuffer = []
                onEvent(.text(connection.id, message))
            }
            return 0
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            guard let connection = connections[key], let input, length >= 2 else { return 0 }
            let bytes = UnsafeRawBufferPointer(start: input, count: length)
            connection.closeCode = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
            connection.closeReason = String(decoding: bytes[2...], as: UTF8.self)
            return 0
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            guard let connection = connections[key] else { return -1 }
            if !connection.outbound.isEmpty {
                let (bytes, binary) = connection.outbound.removeFirst()
                if lwsPre + bytes.count > scratchCapacity {
                    scratch.deallocate()
                    scratchCapacity = lwsPre + bytes.count
                    scratch = .allocate(capacity: scratchCapacity)
                }
                bytes.withUnsafeBufferPointer { buffer in
                    if let base = buffer.baseAddress { (scratch + lwsPre).update(from: base, count: bytes.count) }
                }
                let written = lws_write(wsi, scratch + lwsPre, bytes.count, binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT)
                if written < bytes.count { return -1 }
                if !connection.outbound.isEmpty || connection.closeRequested { lws_callback_on_writable(wsi) }
                return 0
            }
            if connection.closeRequested {
                connection.closeCode = 1000
                connection.closeReason = "client closed"
                var reason = Array("bye".utf8)
                lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, &reason, reason.count)
                return -1
            }
            return 0
        case LWS_CALLBACK_CLIENT_CLOSED:
            if let connection = connections.removeValue(forKey: key) {
                onEvent(.closed(connection.id, code: connection.closeCode, reason: connection.closeReason))
            }
            return 0
        default:
            return 0
        }
    }
}

private func clientCallback(_ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                            _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else { return 0 }
    return Unmanaged<WebSocketClient>.fromOpaque(owner).takeUnretainedValue().handle(wsi, reason, user, input, length)
}
