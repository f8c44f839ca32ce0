import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// Bad input gets a clear error and the connection stays, except where the protocol says it closes.
@Suite struct BadInputTests {
    private func joinedAlex(_ server: TestServer) async throws -> HearthConnection {
        try await server.joined(server.clinic.alex.token, server.clinic.group).0
    }

    @Test(arguments: [
        "not json at all", "[1,2,3]", #"{"ref":"x"}"#, #"{"type":"dance","ref":"x"}"#, #"{"type":"join","ref":"x"}"#,
        #"{"type":"join","room":5,"ref":"x"}"#, #"{"type":"send","room":"r_x","body":"hi","ref":"x"}"#,
        #"{"type":"history","room":"r_x","limit":"ten","ref":"x"}"#,
    ])
    func malformedFramesGetBadRequestAndTheConnectionStays(text: String) async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let alex = try await joinedAlex(server)
        alex.sendRaw(Array(text.utf8))
        let error = try await alex.error()
        #expect(error.code == .badRequest)
        #expect(!error.message.isEmpty)
        if text.contains(#""ref":"x""#) && text.hasPrefix("{") { #expect(error.ref == "x") }
        let ack = try await alex.post("still here", to: server.clinic.group.id)
        #expect(ack.seq == 1)
    }

    @Test func aBinaryFrameGetsBadRequest() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let alex = try await joinedAlex(server)
        alex.sendRaw([0x01, 0x02], binary: true)
        #expect(try await alex.error().code == .badRequest)
        _ = try await alex.post("still here", to: server.clinic.group.id)
    }

    @Test func aBodyOverTheLimitIsTooLargeAndNothingIsStored() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let alex = try await joinedAlex(server)
        let room = server.clinic.group.id
        guard case .error(let error) = try await alex.request(.send(room: room, body: String(repeating: "a", count: 4001), clientID: "big")) else {
            Issue.record("expected an error"); return
        }
        #expect(error.code == .tooLarge)
        #expect(error.message.contains("4000"))
        let exact = try await alex.post(String(repeating: "é", count: 4000), to: room)
        #expect(exact.seq == 1)
        guard case .error(let blank) = try await alex.request(.send(room: room, body: "  \n ", clientID: "blank")) else {
            Issue.record("expected an error"); return
        }
        #expect(blank.code == .badRequest)
        #expect(try HearthStoreAccess.messageCount(room, in: server.database) == 1)
    }

    /// SQLite's C strings end at U+0000 (GRDB binds and reads text with them): such a body reached the room whole
    /// and was recorded cut short, and such a client_id would be one idempotency key in the store and another in
    /// the lookup of its original. Both are refused, on `send`'s fast path and on JSONDecoder's, and so is any
    /// other string field holding one (a moderation reason, here).
    @Test func aBodyOrClientIDWithUPlus0000IsRefusedAndNothingIsStored() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let alex = try await joinedAlex(server)
        let room = server.clinic.group.id.rawValue
        let nul = "\\u0000"   // the six characters of the JSON escape
        let cases = [
            ("{\"type\":\"send\",\"room\":\"\(room)\",\"body\":\"before\(nul)after\",\"client_id\":\"n1\",\"ref\":\"n1\"}",
             "\"body\" cannot contain the character U+0000."),
            ("{\"type\":\"send\",\"room\":\"\(room)\",\"body\":\"before\(nul)after\",\"client_id\":\"n2\",\"ref\":\"n2\",\"extra\":1}",
             "\"body\" cannot contain the character U+0000."),
            ("{\"type\":\"send\",\"room\":\"\(room)\",\"body\":\"hello\",\"client_id\":\"a\(nul)b\",\"ref\":\"n3\"}",
             "\"client_id\" cannot contain the character U+0000."),
        ]
        for (index, (frame, message)) in cases.enumerated() {
            alex.sendRaw(Array(frame.utf8))
            let error = try await alex.error()
            #expect(error.code == .badRequest && error.ref == "n\(index + 1)")
            #expect(error.message == message)
        }
        #expect(try HearthStoreAccess.messageCount(server.clinic.group.id, in: server.database) == 0)
        alex.sendRaw(Array("{\"type\":\"leave\",\"room\":\"\(room)\",\"ref\":\"n4\",\"reason\":\"x\(nul)\"}".utf8))
        let reason = try await alex.error()
        #expect(reason.ref == "n4" && reason.message == "\"reason\" cannot contain the character U+0000.")
        let ack = try await alex.post("still here", to: server.clinic.group.id)
        #expect(ack.seq == 1)
    }

    @Test func theBodyLimitIsConfigurable() async throws {
        let server = try TestServer { $0.maxMessageCharacters = 10 }
        defer { server.shutdown() }
        let alex = try await joinedAlex(server)
        guard case .error(let error) = try await alex.request(.send(room: server.clinic.group.id, body: "eleven chars", clientID: "c")) else {
            Issue.record("expected an error"); return
        }
        #expect(error.code == .tooLarge)
    }

    @Test func aFrameOver64KiBClosesWith1009() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let alex = try await joinedAlex(server)
        let body = String(repeating: "x", count: 70_000)
        alex.sendRaw(Array(#"{"type":"send","room":"r","client_id":"c","body":"\#(body)"}"#.utf8))
        #expect(try await alex.closed().code == 1009)
    }

    @Test func invalidUTF8ClosesWith1007() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let socket = try RawSocket(port: server.port)
        try socket.upgrade(port: server.port)
        try socket.sendFrame([0x7B, 0xFF, 0xFE, 0x7D])
        let reply = socket.read(until: { RawSocket.closeCode(in: $0) != nil })
        #expect(RawSocket.closeCode(in: reply) == 1007)
    }

    @Test func sendingTooFastIsRateLimited() async throws {
        let clock = TestClock()
        let server = try TestServer(clock: clock) { $0.sendRatePerSecond = 1; $0.sendBurst = 3 }
        defer { server.shutdown() }
        let alex = try await joinedAlex(server)
        let room = server.clinic.group.id
        for number in 1...3 { _ = try await alex.post("burst \(number)", to: room) }
        guard case .error(let error) = try await alex.request(.send(room: room, body: "one more", clientID: "x")) else {
            Issue.record("expected an error"); return
        }
        #expect(error.code == .rateLimited)
        #expect(error.message.contains("Wait 1 s"))
        clock.advance(1)
        _ = try await alex.post("after a breath", to: room)
    }

    @Test func theRateLimitIsPerPersonNotPerConnection() async throws {
        let server = try TestServer { $0.sendRatePerSecond = 1; $0.sendBurst = 2 }
        defer { server.shutdown() }
        let room = server.clinic.group.id
        let laptop = try await joinedAlex(server)
        let phone = try await joinedAlex(server)
        _ = try await laptop.post("one", to: room)
        _ = try await phone.post("two", to: room)
        guard case .error(let error) = try await phone.request(.send(room: room, body: "three", clientID: "3")) else {
            Issue.record("expected an error"); return
        }
        #expect(error.code == .rateLimited)
        // Someone else in the room is not slowed down by Alex.
        let (sam, _) = try await server.joined(server.clinic.sam.token, server.clinic.group)
        _ = try await sam.post("hello", to: room)
    }

    @Test func aClientThatStopsReadingIsClosedAndCanResume() async throws {
        let server = try TestServer { $0.sendQueueMessages = 256; $0.sendQueueBytes = 96 * 1024 }
        defer { server.shutdown() }
        let room = server.clinic.group

        // Sam connects by hand, with a tiny receive buffer, joins, and then never reads.
        let sam = try RawSocket(port: server.port, receiveBuffer: 2048)
        try sam.upgrade(port: server.port)
        try sam.sendFrame(Array(#"{"type":"hello","token":"\#(server.clinic.sam.token)"}"#.utf8))
        try sam.sendFrame(Array(#"{"type":"join","room":"\#(room.id)"}"#.utf8))
        _ = sam.read(until: { String(decoding: $0, as: UTF8.self).contains(#""type":"joined""#) })
        let (alex, joined) = try await server.joined(server.clinic.alex.token, room)
        #expect(joined.members.map(\.name).contains("Sam T."))

        // Alex talks a lot; Sam's unread backlog grows past the limit and the server lets Sam go.
        let body = String(repeating: "long story ", count: 350)
        var sent = 0
        var answered = 0
        var samLeft = false
        while !samLeft && sent < 2000 {
            for _ in 0..<20 {
                sent += 1
                alex.send(ClientRequest(.send(room: room.id, body: body, clientID: "s\(sent)")))
            }
            let deadline = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < deadline, let event = await alex.nextEvent(timeout: .milliseconds(50)) {
                if case .frame(.ack) = event { answered += 1 }
                if case .frame(.error) = event { answered += 1 }
                if case .frame(.presence(let presence)) = event, presence.state == .left { samLeft = true; break }
            }
        }
        // Sam's backlog is over the limits by now; the close comes from the once-a-second stall check, which a busy
        // machine may run late: wait for it (the event), not for a number of sends.
        while !samLeft, let event = await alex.nextEvent(timeout: .seconds(30)) {
            if case .frame(.ack) = event { answered += 1 }
            if case .frame(.error) = event { answered += 1 }
            if case .frame(.presence(let presence)) = event, presence.state == .left { samLeft = true }
        }
        #expect(samLeft)
        // Every send is answered (ack, or an error) once it is settled: wait for all of them, so the count of
        // stored messages below is final and not a snapshot of a writer still committing.
        while answered < sent, let event = await alex.nextEvent(timeout: .seconds(10)) {
            if case .frame(.ack) = event { answered += 1 }
            if case .frame(.error) = event { answered += 1 }
        }
        #expect(answered == sent)

        // Sam's socket ends (a 1008 close frame if it could still be written, else the connection drops).
        let tail = sam.read(until: { _ in false }, timeout: 5)
        if let code = RawSocket.closeCode(in: tail) { #expect(code == 1008) }

        // Nothing was lost: Sam resumes from history, page after page, and gets every message once.
        let stored = try HearthStoreAccess.messageCount(room.id, in: server.database)
        let (samAgain, first) = try await server.joined(server.clinic.sam.token, room, afterSeq: 0)
        var seqs = first.messages.map(\.seq)
        var more = first.more
        while more {
            let page = try await samAgain.join(room.id, afterSeq: seqs.last ?? 0)
            #expect(!page.messages.isEmpty)
            seqs += page.messages.map(\.seq)
            more = page.more
        }
        #expect(seqs == Array(1...Int64(stored)))
    }
}
