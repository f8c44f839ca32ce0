import Foundation
import HearthClient
import HearthCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `hearthd` binary as an operator runs it: the demo clinic, SIGTERM, and `kill -9` in the middle of a burst.
@Suite(.serialized) struct LiveServerTests {
    @Test func acknowledgedMessagesSurviveKillDashNineExactlyOnce() async throws {
        // The burst is faster than a person may send: turn the per-person rate limit off for it.
        let live = try LiveServer(arguments: ["--demo-rooms", "1", "--demo-members", "2"],
                                  environment: ["HEARTH_SEND_RATE_PER_SECOND": "0"])
        defer { live.cleanUp() }
        let manifest = try live.manifest()
        let room = try #require(manifest.rooms.first?.id)
        let client = try HearthClient()
        defer { client.shutdown() }

        let speaker = try await client.connect(live.ws)
        _ = try await speaker.hello(token: manifest.participants[0].token)
        _ = try await speaker.join(room)
        let total = 300
        for number in 0..<total {
            speaker.send(ClientRequest(.send(room: room, body: "burst \(number)", clientID: "k\(number)")))
        }
        // Kill the server as soon as some acks are in, while the rest are in flight.
        var acked: [String: (seq: Int64, id: MessageID)] = [:]
        while acked.count < 40 {
            if case .ack(let ack) = try await speaker.next(timeout: .seconds(10)) { acked[ack.clientID] = (ack.seq, ack.id) }
        }
        live.kill9()
        while case .frame(let frame)? = await speaker.nextEvent(timeout: .seconds(2)) {
            if case .ack(let ack) = frame { acked[ack.clientID] = (ack.seq, ack.id) }
        }

        try live.restart(seed: false)
        let reader = try await client.connect(live.ws)
        _ = try await reader.hello(token: manifest.participants[1].token)
        var stored: [ChatMessage] = []
        var page = try await reader.join(room, afterSeq: 0)
        stored += page.messages
        while page.more {
            page = try await reader.join(room, afterSeq: stored.last!.seq)
            stored += page.messages
        }
        // Every acknowledged message is there, once, with the seq and id its ack named; seqs have no gaps.
        #expect(stored.map(\.seq) == Array(1...Int64(stored.count)))
        #expect(Set(stored.map(\.clientID)).count == stored.count)
        let byClientID = Dictionary(uniqueKeysWithValues: stored.map { ($0.clientID, $0) })
        for (clientID, ack) in acked {
            #expect(byClientID[clientID]?.seq == ack.seq)
            #expect(byClientID[clientID]?.id == ack.id)
        }

        // Resending everything with the same client_ids leaves exactly one message per client_id.
        let again = try await client.connect(live.ws)
        _ = try await again.hello(token: manifest.participants[0].token)
        _ = try await again.join(room)
        for number in 0..<total {
            let ack = try await again.post("burst \(number)", to: room, clientID: "k\(number)")
            if let before = byClientID["k\(number)"] { #expect(ack.seq == before.seq) }
        }
        let final = try await again.join(room, afterSeq: Int64(total - 1))
        #expect(final.seq == Int64(total))
        #expect(final.messages.map(\.seq) == [Int64(total)])
    }

    @Test func theDemoClinicServesItsLinksAndStopsCleanlyOnSigterm() async throws {
        let live = try LiveServer(arguments: ["--demo", "--web", LiveServer.packageRoot.appendingPathComponent("Web").path])
        defer { live.cleanUp() }
        let manifest = try live.manifest()
        #expect(manifest.url == "http://127.0.0.1:\(live.port)")
        #expect(manifest.ws == "ws://127.0.0.1:\(live.port)/ws")
        let counselor = try #require(manifest.counselors.first { $0.role == .counselor })
        #expect(counselor.token.hasPrefix("hth_"))
        let participant = try #require(manifest.participants.first)
        #expect(participant.link == "http://127.0.0.1:\(live.port)/#invite=\(participant.token)")
        let family = try #require(manifest.families.first)
        #expect(manifest.participants.contains { $0.id == family.of })

        let openGroup = manifest.rooms.first { $0.kind == .group && $0.open }
        let openFamily = manifest.rooms.first { $0.kind == .family && $0.open }
        let closedGroup = manifest.rooms.first { $0.kind == .group && !$0.open }
        #expect(openGroup != nil)
        #expect(openFamily != nil)
        #expect(closedGroup != nil)
        let kinds = Set(manifest.rooms.map { $0.kind })
        #expect(kinds.isSuperset(of: [SessionKind.group, .relapsePrevention, .skills, .individual, .family]))
        // Open now: a group that needs a counselor and has an agreement, peer support with neither, a family
        // session with a waiting room, and an individual session.
        let open = manifest.rooms.filter(\.open)
        #expect(open.contains { $0.kind == .group && $0.requiresStaff && $0.agreement && $0.admission == .auto })
        #expect(open.contains { $0.kind == .peer && !$0.requiresStaff && !$0.agreement && $0.admission == .auto })
        #expect(open.contains { $0.kind == .family && $0.admission == .waiting })
        #expect(open.contains { $0.kind == .individual && !$0.facilitators.isEmpty })

        // The demo has a past: attendance of the last eight days shows up in the report.
        let zone = TimeZone(identifier: "America/Los_Angeles")!
        let thisWeek = ISOWeek(containing: LocalDate(Date(), in: zone))
        var attended = 0
        for week in [thisWeek.adding(weeks: -1), thisWeek] {
            let process = ChildProcess()
            process.executableURL = LiveServer.binary
            process.arguments = ["report", "attendance", "--week", week.description, "--format", "json",
                                 "--db", live.folder.appendingPathComponent("hearth.db").path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let report = try JSONDecoder().decode(AttendanceReport.self, from: data)
            attended += report.sessions.filter { $0.minutes > 0 }.count
        }
        #expect(attended > 5)

        // A family member's token opens only family sessions.
        let client = try HearthClient()
        defer { client.shutdown() }
        let familyConnection = try await client.connect(manifest.ws)
        let welcome = try await familyConnection.hello(token: family.token)
        #expect(!welcome.rooms.isEmpty)
        #expect(welcome.rooms.allSatisfy { $0.kind == .family || $0.kind == .multiFamily })

        // The browser client is served at /.
        let page = try RawHTTP.get(port: live.port, path: "/")
        #expect(page.status == 200)
        #expect(page.body.contains("Hearth"))

        // Seeding again is idempotent: same rooms; the old tokens are replaced.
        let connected = try await client.connect(manifest.ws)
        _ = try await connected.hello(token: participant.token)
        live.terminate()
        #expect(live.exitStatus == 0)
        #expect(try await connected.closed().code == 1001)
        try live.restart()
        let second = try live.manifest()
        #expect(Set(second.rooms.map(\.id)) == Set(manifest.rooms.map(\.id)))
        #expect(second.participants.map(\.id) == manifest.participants.map(\.id))
        #expect(second.participants[0].token != participant.token)
        let stale = try await client.connect(second.ws)
        stale.send(ClientRequest(.hello(token: participant.token)))
        #expect(try await stale.error().code == .unauthorized)
    }
}

/// A `hearthd serve` child process on a free port and a temporary database.
final class LiveServer: @unchecked Sendable {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let folder: URL
    let port: Int
    let arguments: [String]
    let environment: [String: String]
    private var process: ChildProcess
    var ws: String { "ws://127.0.0.1:\(port)/ws" }
    var manifestPath: String { folder.appendingPathComponent("manifest.json").path }

    init(arguments: [String], environment: [String: String] = [:]) throws {
        // Many suites share the machine's two cores, and some block a test thread while they wait on a raw socket:
        // a client's hello may be late, which is not what these tests check (HandshakeTests do).
        self.environment = ["HEARTH_HELLO_TIMEOUT_SECONDS": "120"].merging(environment) { $1 }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try Self.freePort()
        self.arguments = arguments
        process = ChildProcess()
        try launch()
    }

    static var binary: URL {
        let candidates = [".build/debug/hearthd", ".build/release/hearthd"].map { packageRoot.appendingPathComponent($0) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Starts `hearthd serve`; with `seed`, the demo arguments too (writing a fresh manifest).
    private func launch(seed: Bool = true) throws {
        let seeding = seed && arguments.contains { $0.hasPrefix("--demo") }
        if seeding { try? FileManager.default.removeItem(atPath: manifestPath) }
        let process = ChildProcess()
        process.executableURL = Self.binary
        var arguments = ["serve", "--port", "\(port)", "--db", folder.appendingPathComponent("hearth.db").path,
                         "--log-level", "error"]
        if !self.arguments.contains("--web") { arguments += ["--web", ""] }
        for (index, argument) in self.arguments.enumerated() where seeding || !argument.hasPrefix("--demo") {
            // Without seeding, drop --demo* flags and their values.
            if !seeding, index > 0, self.arguments[index - 1].hasPrefix("--demo-") { continue }
            arguments.append(argument)
        }
        if seeding { arguments += ["--demo-manifest", manifestPath] }
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        // Not the test runner's stderr: a server left behind by a crashed test must not keep `swift test`'s output
        // pipe open (it would wait for it forever).
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while (try? RawHTTP.get(port: port, path: "/healthz").status) != 200 {
            guard process.isRunning, Date() < deadline else { throw RawSocketError.failed("hearthd did not start") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        while seeding && !FileManager.default.fileExists(atPath: manifestPath) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    struct Manifest: Decodable {
        struct Staff: Decodable { var name: String; var role: Role; var token: String }
        struct Participant: Decodable { var id: PersonID; var name: String; var token: String; var link: String; var rooms: [RoomID] }
        struct Family: Decodable { var id: PersonID; var name: String; var of: PersonID; var token: String; var link: String }
        var url: String
        var ws: String
        var counselors: [Staff]
        var participants: [Participant]
        var families: [Family]
        var rooms: [RoomSummary]
    }

    func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() {
        process.terminate()
        process.waitUntilExit()
    }

    var exitStatus: Int32 { process.terminationStatus }

    /// Starts the server again on the same database, seeding again only when asked.
    func restart(seed: Bool = true) throws {
        if process.isRunning { terminate() }
        try launch(seed: seed)
    }

    func cleanUp() {
        if process.isRunning { kill9() }
        try? FileManager.default.removeItem(at: folder)
    }

    /// A free port below the kernel's ephemeral range, so no in-process test server (port 0) can be given it
    /// while the child starts.
    static func freePort() throws -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20000..<30000)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(fd)
            if bound { return port }
        }
        throw RawSocketError.failed("no free port")
    }
}
