import Foundation
import HearthClient
import HearthCore
import Testing

/// The client library's push API: every frame reaches the connection's stream in order, and a request's reply goes
/// to that request, so a frame that arrives while a request waits (an alert, a message) is never lost.
struct ClientConnectionTests {
    @Test func aMessageThatArrivesWhileARequestWaitsStaysInTheStream() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (dana, _) = try await server.joined(server.clinic.counselor.token, room)
        let (alex, _) = try await server.joined(server.clinic.alex.token, room)
        let ack = try await alex.post("Is anyone there?", to: room.id)
        // The server queues Alex's message to Dana before it can answer her request, so it arrives first.
        guard case .schedule = try await dana.request(.schedule(from: nil, to: nil)) else {
            Issue.record("expected the schedule reply")
            return
        }
        let message = try #require(try await dana.messages(1).first)
        #expect(message.seq == ack.seq)
        #expect(message.body == "Is anyone there?")
    }

    @Test func severalRequestsWaitAtOnceAndEachGetsItsOwnReply() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (dana, _) = try await server.joined(server.clinic.counselor.token, room)
        async let schedule = dana.request(.schedule(from: nil, to: nil))
        async let summary = dana.request(.summary(room: room.id))
        async let history = dana.request(.history(room: room.id, beforeSeq: nil, limit: 10))
        let replies = try await [schedule, summary, history].map(\.type)
        #expect(replies == ["schedule", "summary", "history"])
    }

    @Test func theStreamEndsWithTheCloseAndALaterRequestIsToldWhy() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let connection = try await server.client.connect(server.url)
        // A request other than hello before hello: its refusal is its reply, then the server closes with 4001.
        guard case .error(let refusal) = try await connection.request(.schedule(from: nil, to: nil)) else {
            Issue.record("expected the refusal as the reply")
            return
        }
        #expect(refusal.code == .unauthorized)
        var seen: [HearthConnection.Event] = []
        for await event in connection.events { seen.append(event) }
        #expect(seen == [.closed(code: 4001, reason: "unauthorized")])
        await #expect(throws: HearthClientError.closed(code: 4001, reason: "unauthorized")) {
            _ = try await connection.request(.schedule(from: nil, to: nil))
        }
    }
}
