import CLibWebSockets
import Foundation
import Logging
import Synchronization

/// A plain HTTP listener for Prometheus scrapes (`GET /metrics`), on its own address, lws context and thread, so
/// that metrics are never served on the public port and a scrape never runs on the service thread. Every other path
/// answers 404. `body` makes the exposition text; it runs on this listener's thread, so it must be safe to call from
/// any thread (the Prometheus registry is).
public final class MetricsListener: @unchecked Sendable {
    /// Where the metrics are served.
    public let host: String
    public let port: Int
    private let body: @Sendable () -> [UInt8]
    private let logger: Logger
    private var cStrings = CStringPool()
    private let lwsPre = Int(clws_pre())
    private var protocols: UnsafeMutablePointer<lws_protocols>?
    // Touched by the listener's thread only, once `start` has returned.
    private var context: OpaquePointer?
    private var replies: [UInt: [UInt8]] = [:]
    private let stopRequested = Atomic<Bool>(false)
    private let contextBits = Mutex<UInt>(0)
    private let stopped = DispatchSemaphore(value: 0)
    private var running = false

    public init(host: String, port: Int, logger: Logger, body: @escaping @Sendable () -> [UInt8]) {
        self.host = host
        self.port = port
        self.logger = logger
        self.body = body
    }

    /// Starts listening; throws when the address cannot be bound.
    public func start() throws {
        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = cStrings.make("http")
        protocols[0].callback = metricsCallback
        self.protocols = protocols

        var info = lws_context_creation_info()
        info.port = Int32(port)
        info.iface = cStrings.make(host)
        info.protocols = UnsafePointer(protocols)
        info.options = UInt64(LWS_SERVER_OPTION_DISABLE_IPV6)
        info.user = Unmanaged.passUnretained(self).toOpaque()
        info.count_threads = 1
        guard let context = lws_create_context(&info) else {
            protocols.deallocate()
            self.protocols = nil
            throw TransportError.cannotListenForMetrics(host: host, port: port)
        }
        self.context = context
        contextBits.withLock { $0 = UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(context))) }
        running = true
        let thread = Thread { [self] in serve() }
        thread.name = "hearth-metrics"
        thread.start()
        logger.info("metrics listening", metadata: ["hearth.metrics": "http://\(host):\(port)/metrics"])
    }

    /// Stops listening; returns once the listener's thread has finished.
    public func stop() {
        guard running, !stopRequested.exchange(true, ordering: .sequentiallyConsistent) else { return }
        contextBits.withLock { bits in
            if bits != 0 { lws_cancel_service(OpaquePointer(bitPattern: bits)) }
        }
        stopped.wait()
    }

    private func serve() {
        guard let context else { return }
        while !stopRequested.load(ordering: .relaxed) {
            if lws_service(context, 0) < 0 { break }
        }
        contextBits.withLock { $0 = 0 }
        lws_context_destroy(context)
        self.context = nil
        protocols?.deallocate()
        protocols = nil
        cStrings.freeAll()
        stopped.signal()
    }

    fileprivate func handle(_ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                            _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        let key = UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(wsi)))
        switch reason {
        case LWS_CALLBACK_HTTP:
            let path = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "/"
            guard path == "/metrics" else {
                _ = lws_return_http_status(wsi, UInt32(HTTP_STATUS_NOT_FOUND.rawValue), "metrics are at /metrics")
                return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
            }
            let reply = body()
            var headerBuffer = [UInt8](repeating: 0, count: lwsPre + 512)
            let started = headerBuffer.withUnsafeMutableBufferPointer { buffer -> Bool in
                let start = buffer.baseAddress! + lwsPre
                var cursor: UnsafeMutablePointer<UInt8>? = start
                let end = buffer.baseAddress! + buffer.count - 1
                return lws_add_http_common_headers(wsi, UInt32(HTTP_STATUS_OK.rawValue),
                                                   "text/plain; version=0.0.4; charset=utf-8",
                                                   lws_filepos_t(reply.count), &cursor, end) == 0
                    && lws_add_http_header_by_name(wsi, "cache-control:", "no-store", 8, &cursor, end) == 0
                    && lws_finalize_write_http_header(wsi, start, &cursor, end) == 0
            }
            guard started else { return -1 }
            replies[key] = reply
            lws_callback_on_writable(wsi)
            return 0

        case LWS_CALLBACK_HTTP_WRITEABLE:
            guard let reply = replies.removeValue(forKey: key) else {
                return lws_callback_http_dummy(wsi, reason, user, input, length)
            }
            var buffer = [UInt8](repeating: 0, count: lwsPre + reply.count)
            buffer.replaceSubrange(lwsPre..., with: reply)
            let written = buffer.withUnsafeMutableBufferPointer { pointer in
                lws_write(wsi, pointer.baseAddress! + lwsPre, reply.count, LWS_WRITE_HTTP_FINAL)
            }
            if written != reply.count { return -1 }
            return lws_http_transaction_completed(wsi) != 0 ? -1 : 0

        case LWS_CALLBACK_CLOSED_HTTP:
            replies.removeValue(forKey: key)
            return lws_callback_http_dummy(wsi, reason, user, input, length)

        default:
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        }
    }
}

private func metricsCallback(_ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
                             _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let owner = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    return Unmanaged<MetricsListener>.fromOpaque(owner).takeUnretainedValue().handle(wsi, reason, user, input, length)
}
