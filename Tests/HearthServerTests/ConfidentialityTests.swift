import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// What never leaves the server: bodies and tokens in logs, legal names on the wire.
@Suite struct ConfidentialityTests {
    @Test func logsNeverContainMessageBodiesOrTokens() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (alex, _) = try await server.joined(server.clinic.alex.token, room)
        _ = try await alex.post("my sponsor's number is 555-0199", to: room.id)
        let stranger = try await server.client.connect(server.url)
        stranger.send(ClientRequest(.hello(token: "hth_guessedTokenValue123")))
        _ = try await stranger.closed()
        server.server.stop()
        let logs = server.logs.text
        #expect(logs.contains("participant connected"))
        #expect(!logs.contains("555-0199"))
        #expect(!logs.contains(server.clinic.alex.token))
        #expect(!logs.contains("guessedTokenValue"))
        #expect(!logs.contains("Alex R."))
    }

    @Test func framesCarryDisplayNamesNeverLegalNamesOrTokens() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        // Read Sam's frames as raw bytes, so a leaked field could not hide behind decoding.
        let sam = try RawSocket(port: server.port)
        try sam.upgrade(port: server.port)
        try sam.sendFrame(Array(#"{"type":"hello","token":"\#(server.clinic.sam.token)"}"#.utf8))
        try sam.sendFrame(Array(#"{"type":"join","room":"\#(room.id)"}"#.utf8))
        _ = sam.read(until: { String(decoding: $0, as: UTF8.self).contains(#""type":"joined""#) })
        let (alex, _) = try await server.joined(server.clinic.alex.token, room)
        _ = try await alex.post("hello group", to: room.id)
        let (dana, _) = try await server.joined(server.clinic.counselor.token, room)
        _ = dana
        let seen = String(decoding: sam.read(until: { String(decoding: $0, as: UTF8.self).contains("Dana M.") }),
                          as: UTF8.self)
        #expect(seen.contains("Alex R."))
        #expect(seen.contains("hello group"))
        #expect(!seen.contains("legal"))
        #expect(!seen.contains("Surname"))
        #expect(!seen.contains("hth_"))
    }
}
