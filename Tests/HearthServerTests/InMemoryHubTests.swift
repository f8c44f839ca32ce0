import Foundation
import HearthClient
import HearthCore
@testable import HearthServer
import HearthTransport
import Testing

/// The transport seam: the hub as `hearthd` assembles it, over `InMemoryTransport`. What the hub asks of a transport
/// (send, close, sign-in, abuse counts, the turn end for group commit, jobs from other threads) without a socket.
@Suite struct InMemoryHubTests {
    @Test func helloSignsTheConnectionInAndAWrongTokenClosesWith4001() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let (alex, welcome) = try await hub.connect(hub.clinic.alex.token)
        #expect(welcome.user.id == hub.clinic.alex.0.id)
        #expect(alex.isAuthenticated)

        let stranger = hub.open()
        guard case .error(let refusal) = try await stranger.request(.hello(token: "not-a-token")) else {
            Issue.record("a wrong token should be refused"); return
        }
        #expect(refusal.code == .unauthorized)
        #expect(try await stranger.closed() == (4001, "unauthorized"))
        #expect(!stranger.isAuthenticated)
        #expect(hub.transport.abuseNoted.map(\.0) == [.failedSignIn])
        #expect(hub.transport.abuseNoted.map(\.1) == [stranger.id])
    }

    @Test func somethingOtherThanHelloFirstIsRefusedAndTooMuchBeforeHelloCloses1008() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let early = hub.open()
        #expect(try await early.refusalCode(.join(room: hub.clinic.group.id, afterSeq: nil)) == .unauthorized)
        #expect(try await early.closed().code == 4001)

        let binary = hub.open()
        binary.sendRaw([0x01, 0x02], binary: true)
        guard case .error(let error) = try await binary.next() else { Issue.record("expected an error"); return }
        #expect(error.code == .badRequest)
        #expect(try await binary.closed() == (1008, "protocol violation before hello"))
        try await hub.settle()
        #expect(hub.transport.abuseNoted.map(\.0) == [.preHello])
    }

    @Test func messagesAcceptedInOneLoopTurnAreCommittedInOneTransaction() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = hub.clinic.group.id
        let (alex, _) = try await hub.joined(hub.clinic.alex.token, hub.clinic.group)
        let (sam, _) = try await hub.joined(hub.clinic.sam.token, hub.clinic.group)
        try await hub.settle()
        let before = hub.server.committed
        await hub.transport.holdingLoop {
            for number in 1...5 {
                alex.send(ClientRequest(.send(room: room, body: "a\(number)", clientID: "a\(number)"), ref: "a\(number)"))
                sam.send(ClientRequest(.send(room: room, body: "s\(number)", clientID: "s\(number)"), ref: "s\(number)"))
            }
        }
        try await hub.settle()
        let after = hub.server.committed
        #expect(after.batches == before.batches + 1)
        #expect(after.messages == before.messages + 10)
        // Each sender's acks come before the fan-out of the batch, in the order sent, and everyone sees one order.
        let alexFrames = alex.drainFrames(), samFrames = sam.drainFrames()
        #expect(alexFrames.compactMap { if case .ack(let ack) = $0 { ack.clientID } else { nil } } == (1...5).map { "a\($0)" })
        let order = alexFrames.compactMap { if case .message(let message) = $0 { message.seq } else { nil } }
        #expect(order == Array(1...10))
        #expect(samFrames.compactMap { if case .message(let message) = $0 { message.seq } else { nil } } == order)
    }

    @Test func aServerStopClosesEveryConnectionWith1001() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let (alex, _) = try await hub.joined(hub.clinic.alex.token, hub.clinic.group)
        let (dana, _) = try await hub.joined(hub.clinic.counselor.token, hub.clinic.group)
        try hub.restart()
        #expect(try await alex.closed() == (1001, "server shutdown"))
        #expect(try await dana.closed().code == 1001)
        // The old connections are gone; a new one on the new server works.
        let (again, _) = try await hub.joined(hub.clinic.alex.token, hub.clinic.group)
        #expect(try await again.say("back", in: hub.clinic.group.id).seq == 1)
    }

    @Test func healthAndClientSettingsAreAnsweredByTheHub() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        _ = try await hub.connect(hub.clinic.alex.token)
        let health = try #require(await hub.transport.httpResponse(path: "/healthz"))
        #expect(health.status == 200)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(health.body)) as? [String: Any])
        #expect(body["status"] as? String == "ok")
        #expect(body["connections"] as? Int == 1)
        #expect(await hub.transport.httpResponse(path: "/client.json")?.status == 200)
        #expect(await hub.transport.httpResponse(path: "/nope") == nil)
    }

    @Test func theHubSendsOnlyOnItsServiceThread() async throws {
        // Every service-thread call of the transport checks its thread (a precondition): a whole session of
        // requests, fan-out, records-queue results and ticks passing through proves the hub keeps the contract.
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = hub.clinic.group.id
        let (dana, alex, _) = try await hub.groupSession()
        try await alex.say("hello", in: room)
        #expect(try await dana.moderate(room, .lock) == nil)
        #expect(try await alex.refusalCode(.checkin(room: room, mood: 6, craving: 2, safe: true)) == nil)
        await hub.tick()
        try await hub.settle()
        let transport = hub.transport
        let open = await transport.perform { transport.connectionCount }
        #expect(open == 3)
    }
}
