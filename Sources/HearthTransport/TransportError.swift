/// Why the transport could not start.
public enum TransportError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int, eventLoop: EventLoop)
    case cannotCreateClientContext

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let eventLoop):
            "Cannot listen on \(host):\(port). Is another server using the port? Choose another with --port."
                + (eventLoop == .poll ? "" : " Or the libwebsockets \(eventLoop.rawValue) plugin is missing: "
                    + "apt-get install libwebsockets-evlib-\(eventLoop == .libev ? "ev" : "uv"), or set event_loop to poll.")
        case .cannotCreateClientContext:
            "Cannot create the WebSocket client context (libwebsockets)."
        }
    }
}
