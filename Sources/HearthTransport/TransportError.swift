/// Why the transport could not start.
public enum TransportError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int, eventLoop: EventLoop)
    case cannotCreateClientContext
    /// The metrics listener's address (`metrics_address`) cannot be bound.
    case cannotListenForMetrics(host: String, port: Int)
    /// A TLS certificate, key or CA file is missing or unreadable.
    case cannotReadTLSFile(path: String)
    /// libwebsockets refused the certificate and key (not PEM, or the key does not match the certificate).
    case cannotStartTLS(certificate: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let eventLoop):
            "Cannot listen on \(host):\(port). Is another server using the port? Choose another with --port."
                + (eventLoop == .poll ? "" : " Or the libwebsockets \(eventLoop.rawValue) plugin is missing: "
                    + "apt-get install libwebsockets-evlib-\(eventLoop == .libev ? "ev" : "uv"), or set event_loop to poll.")
        case .cannotListenForMetrics(let host, let port):
            "Cannot serve metrics on \(host):\(port). Is another program using the port? Choose another metrics_address."
        case .cannotCreateClientContext:
            "Cannot create the WebSocket client context (libwebsockets)."
        case .cannotReadTLSFile(let path):
            "Cannot read \(path). Check the path and that this user may read it (a key should be mode 0600)."
        case .cannotStartTLS(let certificate):
            "Cannot start TLS with the certificate \(certificate) and its key: both must be PEM files, and the key "
                + "must belong to the certificate (compare `openssl x509 -noout -pubkey -in CERT` with "
                + "`openssl pkey -pubout -in KEY`)."
        }
    }
}
