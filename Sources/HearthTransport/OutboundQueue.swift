/// The frames waiting for one connection's socket: shared payload buffers, drained front to back.
/// Owned by the service thread; no locks.
struct OutboundQueue {
    private var frames: [[UInt8]] = []
    private var head = 0
    private(set) var bytes = 0

    var count: Int { frames.count - head }
    var isEmpty: Bool { head == frames.count }

    mutating func append(_ frame: [UInt8]) {
        frames.append(frame)
        bytes += frame.count
    }

    /// The next frame, without removing it.
    var first: [UInt8]? { isEmpty ? nil : frames[head] }

    mutating func removeFirst() {
        bytes -= frames[head].count
        frames[head] = []
        head += 1
        if head == frames.count {
            frames.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= frames.count {
            frames.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        frames.removeAll()
        head = 0
        bytes = 0
    }
}

/// RFC 6455 framing of server-to-client text frames (unmasked, FIN set), so that many queued frames can leave
/// the process in one write.
enum WebSocketFraming {
    /// Appends the header of an unmasked final text frame carrying `length` bytes.
    static func appendTextHeader(length: Int, to buffer: UnsafeMutablePointer<UInt8>) -> Int {
        buffer[0] = 0x81
        if length < 126 {
            buffer[1] = UInt8(length)
            return 2
        } else if length <= 0xFFFF {
            buffer[1] = 126
            buffer[2] = UInt8(length >> 8)
            buffer[3] = UInt8(length & 0xFF)
            return 4
        } else {
            buffer[1] = 127
            for index in 0..<8 { buffer[2 + index] = UInt8((UInt64(length) >> (56 - 8 * UInt64(index))) & 0xFF) }
            return 10
        }
    }

    static func headerLength(for length: Int) -> Int { length < 126 ? 2 : (length <= 0xFFFF ? 4 : 10) }
}
