import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP socket speaking just enough HTTP and RFC 6455 to do what the client library will not:
/// send invalid UTF-8, stop reading, fetch a plain HTTP page.
final class RawSocket {
    let fd: Int32

    init(port: Int, receiveBuffer: Int? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocketError.failed("socket") }
        if let receiveBuffer {
            var size = Int32(receiveBuffer)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw RawSocketError.failed("connect") }
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw RawSocketError.failed("send") }
            offset += written
        }
    }

    /// Reads what is there within `timeout` seconds; empty at EOF or timeout.
    func read(max: Int = 65536, timeout: Double = 5) -> [UInt8] {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: max)
        let count = recv(fd, &buffer, max, 0)
        return count > 0 ? Array(buffer[..<count]) : []
    }

    /// Reads until `done` says the bytes so far are complete, or EOF, or the timeout.
    func read(until done: ([UInt8]) -> Bool, timeout: Double = 5) -> [UInt8] {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while !done(bytes), Date() < deadline {
            let chunk = read(timeout: deadline.timeIntervalSinceNow)
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return bytes
    }

    /// Performs the WebSocket handshake on `/ws` with the `hearth.v1` subprotocol.
    func upgrade(port: Int) throws {
        try sendUpgradeRequest(port: port)
        let reply = read(until: { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") })
        guard String(decoding: reply, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw RawSocketError.failed("upgrade: \(String(decoding: reply.prefix(40), as: UTF8.self))")
        }
    }

    /// Asks for the WebSocket upgrade as `upgrade(port:)` does, with `headers` (each line ending in CRLF) added, and
    /// returns the answer without judging it: the 101 head, or a refusal's head and page.
    func upgradeAnswer(port: Int, headers: String = "") throws -> String {
        try sendUpgradeRequest(port: port, headers: headers)
        let reply = read(until: { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            return text.contains("</html>") || (text.hasPrefix("HTTP/1.1 101") && text.contains("\r\n\r\n"))
        })
        return String(decoding: reply, as: UTF8.self)
    }

    private func sendUpgradeRequest(port: Int, headers: String = "") throws {
        let request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: hearth.v1\r\n" + headers + "\r\n"
        try write(Array(request.utf8))
    }

    /// Sends one masked client frame.
    func sendFrame(_ payload: [UInt8], opcode: UInt8 = 0x1) throws {
        var frame: [UInt8] = [0x80 | opcode]
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    /// The close code in the first close frame found in `bytes` (server frames are unmasked), if any.
    static func closeCode(in bytes: [UInt8]) -> UInt16? {
        var index = 0
        while index + 2 <= bytes.count {
            let opcode = bytes[index] & 0x0F
            var length = Int(bytes[index + 1] & 0x7F)
            var header = 2
            if length == 126 {
                guard index + 4 <= bytes.count else { return nil }
                length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                header = 4
            } else if length == 127 {
                guard index + 10 <= bytes.count else { return nil }
                length = (0..<8).reduce(0) { $0 << 8 | Int(bytes[index + 2 + $1]) }
                header = 10
            }
            if opcode == 0x8 {
                guard length >= 2, index + header + 2 <= bytes.count else { return nil }
                return UInt16(bytes[index + header]) << 8 | UInt16(bytes[index + header + 1])
            }
            index += header + length
        }
        return nil
    }
}

enum RawSocketError: Error { case failed(String) }

/// One plain HTTP GET, for `/healthz` and the static files.
enum RawHTTP {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func get(port: Int, path: String) throws -> Response {
        let socket = try RawSocket(port: port)
        try socket.write(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        let bytes = socket.read(until: { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { return false }
            let head = text[..<end.lowerBound].lowercased()
            guard let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                  let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            else { return false }
            return text.utf8.count - text[..<end.upperBound].utf8.count >= length
        }, timeout: 3)
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
