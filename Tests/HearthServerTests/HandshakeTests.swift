import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// `hello` and `welcome`, and everything that refuses a connection before it.
@Suite struct HandshakeTests {
    @Test func participantIsWelcomedWithTheirRoomsOnly() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (_, welcome) = try await server.connect(server.clinic.alex.token)
        #expect(welcome.user == MemberInfo(id: server.clinic.alex.0.id, name: "Alex R.", role: .participant))
        let ids = Set(welcome.rooms.map(\.id))
        #expect(ids == [server.clinic.group.id, server.clinic.family.id, server.clinic.later.id])
        let group = try #require(welcome.rooms.first { $0.id == server.clinic.group.id })
        #expect(group.open)
        #expect(group.title == "Group therapy")
        #expect(group.kind == .group)
        #expect(group.timeZone == "America/Los_Angeles")
        #expect(group.starts.hasSuffix("-08:00") || group.starts.hasSuffix("-07:00"))
        let later = try #require(welcome.rooms.first { $0.id == server.clinic.later.id })
        #expect(!later.open)
    }

    @Test func familyMemberSeesOnlyTheirParticipantsFamilySessions() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (_, maria) = try await server.connect(server.clinic.maria.token)
        #expect(maria.user.role == .family)
        #expect(maria.rooms.map(\.id) == [server.clinic.family.id])
        let (_, tom) = try await server.connect(server.clinic.tom.token)
        #expect(tom.rooms.isEmpty)
    }

    @Test func staffSeeEveryRoom() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (_, welcome) = try await server.connect(server.clinic.counselor.token)
        #expect(welcome.user.role == .counselor)
        #expect(Set(welcome.rooms.map(\.id)) == [server.clinic.group.id, server.clinic.family.id, server.clinic.later.id])
    }

    @Test(arguments: ["not-a-token", "hth_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ""])
    func badTokenGetsUnauthorizedThenClose4001(token: String) async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let connection = try await server.client.connect(server.url)
        connection.send(ClientRequest(.hello(token: token), ref: "h"))
        let error = try await connection.error()
        #expect(error.code == .unauthorized)
        #expect(error.ref == "h")
        #expect(try await connection.closed().code == 4001)
    }

    @Test func revokedTokenIsRefused() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        try HearthStoreAccess.revoke(server.clinic.sam.token, in: server.database)
        let connection = try await server.client.connect(server.url)
        connection.send(ClientRequest(.hello(token: server.clinic.sam.token)))
        #expect(try await connection.error().code == .unauthorized)
        #expect(try await connection.closed().code == 4001)
    }

    @Test func revokingATokenClosesItsOpenConnection() async throws {
        let server = try TestServer { $0.tokenRecheckSeconds = 1 }
        defer { server.shutdown() }
        let (connection, _) = try await server.joined(server.clinic.sam.token, server.clinic.group)
        try HearthStoreAccess.revoke(server.clinic.sam.token, in: server.database)
        let error = try await connection.error(timeout: .seconds(5))
        #expect(error.code == .unauthorized)
        #expect(try await connection.closed().code == 4001)
    }

    @Test func aRequestBeforeHelloIsUnauthorized() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let connection = try await server.client.connect(server.url)
        connection.send(ClientRequest(.join(room: server.clinic.group.id, afterSeq: nil)))
        #expect(try await connection.error().code == .unauthorized)
        #expect(try await connection.closed().code == 4001)
    }

    @Test func silenceAfterConnectingClosesWith4001() async throws {
        let server = try TestServer { $0.helloTimeoutSeconds = 1 }
        defer { server.shutdown() }
        let connection = try await server.client.connect(server.url)
        let error = try await connection.error(timeout: .seconds(5))
        #expect(error.code == .unauthorized)
        #expect(try await connection.closed().code == 4001)
    }

    @Test func aSecondHelloIsABadRequestAndTheConnectionStays() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (connection, _) = try await server.connect(server.clinic.alex.token)
        let reply = try await connection.request(.hello(token: server.clinic.alex.token))
        guard case .error(let error) = reply else { Issue.record("expected an error, got \(reply.type)"); return }
        #expect(error.code == .badRequest)
        _ = try await connection.join(server.clinic.group.id)
    }

    @Test func onlyTheWsPathUpgrades() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        await #expect(throws: HearthClientError.self) {
            _ = try await server.client.connect("ws://127.0.0.1:\(server.port)/chat")
        }
    }

    @Test func theHearthSubprotocolIsRequired() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        await #expect(throws: HearthClientError.self) {
            _ = try await server.client.connect(server.url, subprotocol: "chat")
        }
        let socket = try RawSocket(port: server.port)
        let request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try socket.write(Array(request.utf8))
        let reply = String(decoding: socket.read(until: { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") }),
                           as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 400") || reply.hasPrefix("HTTP/1.0 400"))
    }

    @Test func browsersFromOtherOriginsAreRefused() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        await #expect(throws: HearthClientError.self) {
            _ = try await server.client.connect(server.url, origin: "http://evil.example")
        }
        let ownOrigin = try await server.client.connect(server.url, origin: "http://127.0.0.1:\(server.port)")
        _ = try await ownOrigin.hello(token: server.clinic.alex.token)
    }

    @Test func healthzReportsVersionAndDatabase() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let response = try RawHTTP.get(port: server.port, path: "/healthz")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "ok")
        #expect(json["database"] as? String == "ok")
        #expect(json["version"] as? String == HearthServer.version)
        #expect(try RawHTTP.get(port: server.port, path: "/nothing-here").status == 404)
    }

    @Test func stoppingTheServerClosesClientsWith1001() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let (connection, _) = try await server.connect(server.clinic.alex.token)
        server.server.stop()
        #expect(try await connection.closed().code == 1001)
    }
}
