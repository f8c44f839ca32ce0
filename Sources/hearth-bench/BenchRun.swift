import Foundation
import HearthTransport
import Logging
import Synchronization

/// One benchmark run. Every callback runs on the client transport's thread, which alone touches the state.
final class BenchRun: @unchecked Sendable {
    private struct Member {
        var token: String
        var room: String
        var connection: ConnectionID?
        var joined = false
        var sent = 0
        var acked = 0
    }

    private enum Phase { case connecting, sending, done }

    private var members: [Member]
    private var byConnection: [ConnectionID: Int] = [:]
    private let messagesPerMember: Int
    private let window: Int
    private let body: String
    private var client: WebSocketClient?
    private var phase = Phase.connecting
    private var joinedCount = 0
    private var sentAt: [String: UInt64] = [:]
    private var latencies: [UInt64] = []
    private var deliveries = 0
    private var failures: [String] = []
    private var connectStart: UInt64 = 0
    private var sendStart: UInt64 = 0
    private var sendEnd: UInt64 = 0
    private let finished = DispatchSemaphore(value: 0)
    private let membersPerRoom: [String: Int]

    init(members manifest: [LoadManifest.Participant], messagesPerMember: Int, window: Int, bodyBytes: Int) {
        members = manifest.map { Member(token: $0.token, room: $0.rooms.first ?? "") }
        var perRoom: [String: Int] = [:]
        for member in members { perRoom[member.room, default: 0] += 1 }
        membersPerRoom = perRoom
        self.messagesPerMember = messagesPerMember
        self.window = window
        body = String(repeating: "a calm and steady evening; ", count: bodyBytes / 27 + 1).prefix(bodyBytes).description
        latencies.reserveCapacity(members.count * messagesPerMember * 16)
    }

    var expectedDeliveries: Int { members.reduce(0) { $0 + messagesPerMember * (membersPerRoom[$1.room] ?? 0) } }

    func execute(endpoint url: String, timeout: Double) throws {
        guard let endpoint = WebSocketEndpoint(url: url) else { throw BenchError("bad ws URL \(url)") }
        let client = try WebSocketClient(logger: Logger(label: "hearth.bench")) { [self] event in
            handle(event)
        }
        self.client = client
        connectStart = DispatchTime.now().uptimeNanoseconds
        for index in members.indices {
            let id = client.reserveID()
            members[index].connection = id
            byConnection[id] = index
        }
        for member in members { client.connect(member.connection!, to: endpoint) }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            failures.append("timed out after \(Int(timeout)) s")
        }
        client.shutdown()
    }

    private func handle(_ event: WebSocketClientEvent) {
        switch event {
        case .opened(let id):
            guard let index = byConnection[id] else { return }
            client?.send(Array(#"{"type":"hello","token":"\#(members[index].token)"}"#.utf8), on: id)
        case .failed(_, let reason):
            failures.append("connect failed: \(reason)")
            finish()
        case .closed(_, let code, let reason):
            if phase != .done {
                failures.append("closed \(code) \(reason)")
                finish()
            }
        case .text(let id, let bytes):
            guard let index = byConnection[id] else { return }
            received(bytes, member: index, connection: id)
        }
    }

    private func received(_ bytes: [UInt8], member index: Int, connection id: ConnectionID) {
        let type = Self.field("type", in: bytes)
        switch type {
        case "message":
            deliveries += 1
            if let clientID = Self.field("client_id", in: bytes), let sent = sentAt[clientID] {
                latencies.append(DispatchTime.now().uptimeNanoseconds - sent)
            }
            if deliveries == expectedDeliveries {
                sendEnd = DispatchTime.now().uptimeNanoseconds
                finish()
            }
        case "ack":
            members[index].acked += 1
            sendNext(index)
        case "welcome":
            client?.send(Array(#"{"type":"join","room":"\#(members[index].room)"}"#.utf8), on: id)
        case "joined":
            members[index].joined = true
            joinedCount += 1
            if joinedCount == members.count { startSending() }
        case "error":
            failures.append("error frame: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        default:
            break
        }
    }

    private func startSending() {
        phase = .sending
        sendStart = DispatchTime.now().uptimeNanoseconds
        for index in members.indices {
            for _ in 0..<min(window, messagesPerMember) { sendNext(index) }
        }
    }

    private func sendNext(_ index: Int) {
        guard members[index].sent < messagesPerMember, members[index].sent - members[index].acked < window,
              let id = members[index].connection else { return }
        let clientID = "b\(index)-\(members[index].sent)"
        members[index].sent += 1
        sentAt[clientID] = DispatchTime.now().uptimeNanoseconds
        client?.send(Array(#"{"type":"send","room":"\#(members[index].room)","client_id":"\#(clientID)","body":"\#(body)"}"#.utf8), on: id)
    }

    private func finish() {
        guard phase != .done else { return }
        phase = .done
        finished.signal()
    }

    /// The string value of `"name":"…"` in a server frame. Server JSON escapes quotes inside strings, so the
    /// pattern cannot match inside a message body.
    static func field(_ name: String, in bytes: [UInt8]) -> String? {
        let pattern = Array("\"\(name)\":\"".utf8)
        guard bytes.count > pattern.count else { return nil }
        var index = 0
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == pattern[0] && bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                let start = index + pattern.count
                guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return String(decoding: bytes[start..<end], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }

    func report(serverCPUSeconds: Double?, serverPeakRSS: Int?) {
        let seconds = Double(max(sendEnd, sendStart + 1) - sendStart) / 1e9
        let connectSeconds = Double(sendStart > 0 ? sendStart - connectStart : 0) / 1e9
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "n/a" }
            let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
            return String(format: "%.2f ms", Double(value) / 1e6)
        }
        let sent = members.reduce(0) { $0 + $1.sent }
        var lines = [
            "connections:           \(members.count) (all joined in \(String(format: "%.2f", connectSeconds)) s)",
            "messages sent:         \(sent)",
            "deliveries expected:   \(expectedDeliveries)",
            "deliveries received:   \(deliveries)",
            "send phase:            \(String(format: "%.3f", seconds)) s",
            "deliveries per second: \(String(format: "%.0f", Double(deliveries) / seconds))",
            "messages per second:   \(String(format: "%.0f", Double(sent) / seconds))",
            "latency send->delivery p50 \(percentile(0.5)), p99 \(percentile(0.99)), p99.9 \(percentile(0.999)), max \(percentile(1.0))",
        ]
        if let serverCPUSeconds {
            lines.append("server CPU:            \(String(format: "%.2f", serverCPUSeconds)) s "
                         + "(\(String(format: "%.1f", serverCPUSeconds / Double(max(deliveries, 1)) * 1e6)) us per delivery, connect phase included)")
        }
        if let serverPeakRSS { lines.append("server peak RSS:       \(serverPeakRSS / 1024) MiB") }
        if !failures.isEmpty { lines.append("FAILURES: \(failures.prefix(5).joined(separator: "; "))") }
        print(lines.joined(separator: "\n"))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
