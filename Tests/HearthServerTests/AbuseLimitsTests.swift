import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// What an anonymous socket may do before `hello`, how many connections one address may hold, and the abuse log.
@Suite struct AbuseLimitsTests {
    /// True when an upgrade is refused with HTTP 429 and a body containing `reason`.
    private func refused(_ server: TestServer, _ reason: String) throws -> Bool {
        let reply = try RawSocket(port: server.port).upgradeAnswer(port: server.port)
        return (reply.hasPrefix("HTTP/1.1 429") || reply.hasPrefix("HTTP/1.0 429")) && reply.contains(reason)
    }

    @Test func junkBeforeHelloIsClosedWith1008AndAMemberStillGetsAcks() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (alex, _) = try await server.joined(server.clinic.alex.token, server.clinic.group)
        let junk = try RawSocket(port: server.port)
        try junk.upgrade(port: server.port)
        // A bounded flood of 4 KiB junk frames, never reading the replies; the server may hang up part way.
        let frame = Array(String(repeating: "junk ", count: 820).utf8)
        for _ in 0..<200 { do { try junk.sendFrame(frame) } catch { break } }
        let reply = junk.read(until: { RawSocket.closeCode(in: $0) != nil })
        #expect(RawSocket.closeCode(in: reply) == 1008)
        #expect(String(decoding: reply, as: UTF8.self).contains(#""code":"bad_request""#))
        let ack = try await alex.post("still heard", to: server.clinic.group.id)
        #expect(ack.seq == 1)
    }

    @Test func aHelloOverTheByteLimitIsClosedWith1008() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let connection = try await server.client.connect(server.url)
        connection.send(ClientRequest(.hello(token: String(repeating: "t", count: 9 * 1024)), ref: "h"))
        let error = try await connection.error()
        #expect(error.code == .badRequest)
        #expect(error.message.contains("before hello"))
        #expect(try await connection.closed().code == 1008)
    }

    @Test func aBinaryFrameBeforeHelloClosesWith1008() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let connection = try await server.client.connect(server.url)
        connection.sendRaw([0x01, 0x02], binary: true)
        #expect(try await connection.error().code == .badRequest)
        #expect(try await connection.closed().code == 1008)
    }

    @Test func aMalformedFrameBeforeHelloClosesWith1008() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let connection = try await server.client.connect(server.url)
        connection.sendRaw(Array("not json".utf8))
        #expect(try await connection.error().code == .badRequest)
        #expect(try await connection.closed().code == 1008)
    }

    @Test func theCapsRefuseOneConnectionTooManyFromAnAddress() async throws {
        let server = try TestServer {
            $0.exemptLoopback = false
            $0.maxConnectionsPerAddress = 3
            $0.maxUnauthenticatedPerAddress = 2
        }
        defer { server.shutdown() }
        let first = try await server.client.connect(server.url)
        _ = try await server.client.connect(server.url)
        // Two not signed in: a third anonymous one is refused.
        #expect(try refused(server, "have not signed in"))
        await #expect(throws: HearthClientError.self) { _ = try await server.client.connect(server.url) }
        // Once one has signed in, another may open; then the address holds 3 and a fourth is refused.
        _ = try await first.hello(token: server.clinic.alex.token)
        let third = try await server.client.connect(server.url)
        #expect(try refused(server, "too many connections from this address</body>"))
        _ = try await third.hello(token: server.clinic.sam.token)
    }

    @Test func loopbackIsExemptByDefault() async throws {
        let server = try TestServer { $0.maxConnectionsPerAddress = 1; $0.maxUnauthenticatedPerAddress = 1 }
        defer { server.shutdown() }
        var open: [HearthConnection] = []
        for _ in 0..<4 { open.append(try await server.client.connect(server.url)) }
        _ = try await open[3].hello(token: server.clinic.alex.token)
    }

    @Test func aBurstOfAbuseIsLoggedOnceWithCountsPerAddress() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        for _ in 0..<5 {
            let connection = try await server.client.connect(server.url)
            connection.sendRaw([0x00], binary: true)
            #expect(try await connection.closed().code == 1008)
        }
        let deadline = ContinuousClock.now + .seconds(10)
        func lines() -> [String] {
            server.logs.text.split(separator: "\n").map(String.init).filter { $0.contains("pre_hello") }
        }
        while lines().isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let found = lines()
        #expect(found.count == 1)
        let line = try #require(found.first)
        #expect(line.hasPrefix("notice"))
        #expect(line.contains(#""hearth.abuse.addresses": 127.0.0.1=5"#) || line.contains(#""hearth.abuse.addresses": 127.0.0.1="#))
        #expect(!line.contains("hth_"))
        // Addresses appear in no other line.
        #expect(server.logs.text.split(separator: "\n").filter { $0.contains("127.0.0.1") }.count == 1)
    }
}

/// A clinical record that could not be stored is never answered `ok`, and `/healthz` says writes are failing.
@Suite struct HonestFailureTests {
    private func health(_ server: TestServer) throws -> (status: Int, json: [String: Any]) {
        let response = try RawHTTP.get(port: server.port, path: "/healthz")
        let json = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any] ?? [:]
        return (response.status, json)
    }

    @Test func aCheckinTheDatabaseCannotStoreGetsInternalAndNoAlert() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)

        // A real failure of the store: the server's writer connection refuses every write, as a full disk would.
        try await server.database.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = ON") }
        guard case .error(let error) = try await alex.request(.checkin(room: clinic.group.id, mood: 2, craving: 9, safe: false)) else {
            Issue.record("expected an error"); return
        }
        #expect(error.code == .internal)
        #expect(error.message.contains("Send it again"))
        let failing = try health(server)
        #expect(failing.status == 503)
        #expect(failing.json["database"] as? String == "failing")
        #expect(failing.json["last_failure"] is String)

        // The store recovers: the resent check-in is stored and is the first thing staff hear of.
        try await server.database.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = OFF") }
        #expect(try await alex.refusalCode(.checkin(room: clinic.group.id, mood: 3, craving: 9, safe: false)) == nil)
        let first = try await dana.expect("a check-in or an alert") { frame -> ServerFrame? in
            switch frame {
            case .checkin, .alert: frame
            default: nil
            }
        }
        guard case .checkin(let checkin) = first else { Issue.record("expected the check-in first, got \(first.type)"); return }
        #expect(checkin.checkin.mood == 3)
        _ = try await dana.alertFrame()
        let recovered = try health(server)
        #expect(recovered.status == 200)
        #expect(recovered.json["database"] as? String == "ok")
        #expect(recovered.json["last_failure"] == nil)
    }

    @Test func aMuteTheDatabaseCannotStoreGetsInternal() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        _ = try await server.joined(clinic.alex.token, clinic.group)
        try await server.database.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = ON") }
        let mute = ClientCommand.moderate(room: clinic.group.id, action: .mute(member: clinic.alex.0.id, minutes: 5, reason: nil))
        #expect(try await dana.refusalCode(mute) == .internal)
        try await server.database.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA query_only = OFF") }
        #expect(try await dana.refusalCode(mute) == nil)
    }
}

/// Behind a trusted reverse proxy, a connection's address is the one the proxy appended to `X-Forwarded-For`.
@Suite struct ForwardedForTests {
    /// Opens a WebSocket by hand with an `X-Forwarded-For` header; returns the answer's first line.
    private func upgrade(_ server: TestServer, forwardedFor: String) throws -> (RawSocket, String) {
        let socket = try RawSocket(port: server.port)
        let answer = try socket.upgradeAnswer(port: server.port, headers: "X-Forwarded-For: \(forwardedFor)\r\n")
        return (socket, String(answer.prefix { $0 != "\r" }))
    }

    @Test func theCapsCountTheAddressTheProxyAppended() throws {
        let server = try TestServer {
            $0.behindProxy = true
            $0.allowedOrigins = ["https://chat.clinic.example"]
            $0.maxUnauthenticatedPerAddress = 2
        }
        defer { server.shutdown() }
        var open: [RawSocket] = []
        // The client forged the first entry; the proxy appended 203.0.113.5 each time.
        for forged in ["10.9.9.9", "10.9.9.8"] {
            let (socket, status) = try upgrade(server, forwardedFor: "\(forged), 203.0.113.5")
            #expect(status.hasPrefix("HTTP/1.1 101"))
            open.append(socket)
        }
        #expect(try upgrade(server, forwardedFor: "10.9.9.7, 203.0.113.5").1.contains("429"))
        // Another client behind the same proxy is not affected, nor is loopback's exemption used for them.
        let (other, status) = try upgrade(server, forwardedFor: "198.51.100.7")
        #expect(status.hasPrefix("HTTP/1.1 101"))
        open.append(other)
    }

    @Test func withoutBehindProxyTheHeaderIsIgnored() throws {
        let server = try TestServer { $0.maxUnauthenticatedPerAddress = 1 }
        defer { server.shutdown() }
        // Loopback is exempt, and a client cannot make itself look like another address.
        var open: [RawSocket] = []
        for _ in 0..<3 {
            let (socket, status) = try upgrade(server, forwardedFor: "203.0.113.5")
            #expect(status.hasPrefix("HTTP/1.1 101"))
            open.append(socket)
        }
    }
}
