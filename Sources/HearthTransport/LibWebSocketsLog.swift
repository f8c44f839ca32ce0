import CLibWebSockets
import Logging
import Synchronization

/// Routes libwebsockets' own errors and warnings into swift-log (lws would print NOTICE lines to stderr).
enum LibWebSocketsLog {
    private static let logger = Mutex<Logger?>(nil)

    static func install(_ logger: Logger) {
        let first = Self.logger.withLock { current -> Bool in
            defer { current = logger }
            return current == nil
        }
        if first { lws_set_log_level(Int32(LLL_ERR | LLL_WARN), lwsLogLine) }
    }

    fileprivate static func emit(level: Int32, line: String) {
        guard let logger = logger.withLock({ $0 }) else { return }
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if level & Int32(LLL_ERR) != 0 {
            logger.error("libwebsockets", metadata: ["lws.line": "\(text)"])
        } else {
            logger.debug("libwebsockets", metadata: ["lws.line": "\(text)"])
        }
    }
}

private func lwsLogLine(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    LibWebSocketsLog.emit(level: level, line: String(cString: line))
}
