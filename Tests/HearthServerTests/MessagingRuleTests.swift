import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// Presence, idempotent resends and resuming after a gap, on the in-memory hub (moved from MessagingTests, which
/// keeps fan-out, concurrent senders, paging and restarts over sockets).
@Suite struct MessagingRuleTests {
    @Test func membersSeeOthersArriveAndLeave() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = hub.clinic.group
        let (alex, first) = try await hub.joined(hub.clinic.alex.token, room)
        #expect(first.members.map(\.name) == ["Alex R."])
        let (sam, _) = try await hub.joined(hub.clinic.sam.token, room)
        guard case .presence(let arrived) = try await alex.next() else { Issue.record("expected presence"); return }
        #expect(arrived.state == .joined)
        #expect(arrived.member.name == "Sam T.")

        // A second connection of the same person is not a new arrival, nor is its leaving a departure.
        let (samPhone, _) = try await hub.joined(hub.clinic.sam.token, room)
        samPhone.close()
        try await hub.settle()
        #expect(alex.drain().isEmpty)

        guard case .ok = try await sam.request(.leave(room: room.id)) else { Issue.record("expected ok"); return }
        guard case .presence(let left) = try await alex.next() else { Issue.record("expected presence"); return }
        #expect(left.state == .left)
        #expect(left.member.name == "Sam T.")

        let (jamie, _) = try await hub.joined(hub.clinic.jamie.token, room)
        _ = try await alex.next()
        jamie.close()
        guard case .presence(let gone) = try await alex.next() else { Issue.record("expected presence"); return }
        #expect(gone.member.name == "Jamie L.")
        #expect(gone.state == .left)
    }

    @Test func resendingAClientIDReturnsTheOriginalAckAndCreatesNothing() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = hub.clinic.group
        let (alex, _) = try await hub.joined(hub.clinic.alex.token, room)
        let (sam, _) = try await hub.joined(hub.clinic.sam.token, room)
        let first = try await alex.say("Checking in.", in: room.id, clientID: "retry-me")
        let again = try await alex.say("Checking in.", in: room.id, clientID: "retry-me")
        #expect(again.seq == first.seq)
        #expect(again.id == first.id)
        #expect(again.ts == first.ts)
        try await hub.settle()
        #expect(sam.drainMessages().map(\.seq) == [first.seq])
        #expect(try HearthStoreAccess.messageCount(room.id, in: hub.database) == 1)

        // Another person may use the same client_id: it is scoped to its sender.
        let samAck = try await sam.say("Me too.", in: room.id, clientID: "retry-me")
        #expect(samAck.seq == first.seq + 1)
    }

    @Test func aResendInTheSameLoopTurnIsAcknowledgedOnceStoredAndDeliveredOnce() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = hub.clinic.group
        let (alex, _) = try await hub.joined(hub.clinic.alex.token, room)
        let (sam, _) = try await hub.joined(hub.clinic.sam.token, room)
        try await hub.settle()
        _ = sam.drain()
        await hub.transport.holdingLoop {
            alex.send(ClientRequest(.send(room: room.id, body: "twice", clientID: "same"), ref: "first"))
            alex.send(ClientRequest(.send(room: room.id, body: "twice", clientID: "same"), ref: "second"))
        }
        try await hub.settle()
        let acks = alex.drainFrames().compactMap { if case .ack(let ack) = $0 { ack } else { nil } }
        #expect(acks.map(\.ref) == ["first", "second"])
        #expect(Set(acks.map(\.seq)) == [1])
        #expect(sam.drainMessages().map(\.seq) == [1])
    }

    @Test func rejoiningWithTheLastSeqGetsExactlyWhatWasMissed() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let room = hub.clinic.group
        let (alex, _) = try await hub.joined(hub.clinic.alex.token, room)
        let (sam, _) = try await hub.joined(hub.clinic.sam.token, room)
        for number in 1...3 { try await sam.say("before \(number)", in: room.id) }
        try await hub.settle()
        #expect(alex.drainMessages().map(\.seq) == [1, 2, 3])
        alex.close()
        for number in 1...5 { try await sam.say("while away \(number)", in: room.id) }

        let (back, joined) = try await hub.joined(hub.clinic.alex.token, room, afterSeq: 3)
        #expect(joined.messages.map(\.seq) == [4, 5, 6, 7, 8])
        #expect(joined.messages.first?.body == "while away 1")
        #expect(joined.seq == 8)
        #expect(!joined.more)
        try await sam.say("welcome back", in: room.id)
        try await hub.settle()
        #expect(back.drainMessages().map(\.seq) == [9])
    }
}
