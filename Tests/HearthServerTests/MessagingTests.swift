import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// Sending, fan-out, order, idempotency, resume and history: what members of a room see.
@Suite struct MessagingTests {
    @Test func aMessageIsAcknowledgedToItsSenderAndDeliveredToEveryMember() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (alex, _) = try await server.joined(server.clinic.alex.token, room)
        let (sam, _) = try await server.joined(server.clinic.sam.token, room)
        let (dana, joined) = try await server.joined(server.clinic.counselor.token, room)
        #expect(Set(joined.members.map(\.name)) == ["Alex R.", "Sam T.", "Dana M."])
        #expect(joined.role == .counselor)

        let ack = try await alex.post("I made it through the weekend.", to: room.id, clientID: "alex-1")
        #expect(ack.seq == 1)
        #expect(ack.clientID == "alex-1")
        for member in [alex, sam, dana] {
            let message = try #require(try await member.messages(1).first)
            #expect(message.seq == 1)
            #expect(message.id == ack.id)
            #expect(message.ts == ack.ts)
            #expect(message.body == "I made it through the weekend.")
            #expect(message.from == MemberInfo(id: server.clinic.alex.0.id, name: "Alex R.", role: .participant))
            #expect(message.clientID == "alex-1")
            #expect(message.room == room.id)
        }
    }

    @Test func membersSeeOthersArriveAndLeave() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (alex, first) = try await server.joined(server.clinic.alex.token, room)
        #expect(first.members.map(\.name) == ["Alex R."])
        let (sam, _) = try await server.joined(server.clinic.sam.token, room)
        guard case .presence(let arrived) = try await alex.next() else { Issue.record("expected presence"); return }
        #expect(arrived.state == .joined)
        #expect(arrived.member.name == "Sam T.")

        // A second connection of the same person is not a new arrival.
        let (samPhone, _) = try await server.joined(server.clinic.sam.token, room)
        #expect(await alex.quiet() == nil)
        samPhone.close()
        #expect(await alex.quiet() == nil)

        guard case .ok = try await sam.request(.leave(room: room.id)) else { Issue.record("expected ok"); return }
        guard case .presence(let left) = try await alex.next() else { Issue.record("expected presence"); return }
        #expect(left.state == .left)
        #expect(left.member.name == "Sam T.")

        let (jamie, _) = try await server.joined(server.clinic.jamie.token, room)
        _ = try await alex.next()
        jamie.close()
        guard case .presence(let gone) = try await alex.next() else { Issue.record("expected presence"); return }
        #expect(gone.member.name == "Jamie L.")
        #expect(gone.state == .left)
    }

    @Test func concurrentSendersProduceOneGaplessOrderSeenByEveryone() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let tokens = [server.clinic.alex.token, server.clinic.sam.token, server.clinic.jamie.token,
                      server.clinic.counselor.token]
        var members: [HearthConnection] = []
        for token in tokens { members.append(try await server.joined(token, room).0) }
        let perSender = 50
        for (index, member) in members.enumerated() {
            for number in 0..<perSender {
                member.send(ClientRequest(.send(room: room.id, body: "m \(index) \(number)", clientID: "\(index)-\(number)")))
            }
        }
        let total = perSender * members.count
        var orders: [[Int64]] = []
        for member in members {
            let received = try await member.messages(total, timeout: .seconds(20))
            orders.append(received.map(\.seq))
            // Each sender's own messages arrive in the order they were sent.
            for sender in 0..<members.count {
                let mine = received.filter { $0.clientID.hasPrefix("\(sender)-") }.map(\.clientID)
                #expect(mine == (0..<perSender).map { "\(sender)-\($0)" })
            }
        }
        for order in orders { #expect(order == Array(1...Int64(total))) }
    }

    @Test func resendingAClientIDReturnsTheOriginalAckAndCreatesNothing() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (alex, _) = try await server.joined(server.clinic.alex.token, room)
        let (sam, _) = try await server.joined(server.clinic.sam.token, room)
        let first = try await alex.post("Checking in.", to: room.id, clientID: "retry-me")
        let again = try await alex.post("Checking in.", to: room.id, clientID: "retry-me")
        #expect(again.seq == first.seq)
        #expect(again.id == first.id)
        #expect(again.ts == first.ts)
        #expect(try await sam.messages(1).map(\.seq) == [first.seq])
        #expect(await sam.quiet() == nil)
        #expect(try HearthStoreAccess.messageCount(room.id, in: server.database) == 1)

        // Another person may use the same client_id: it is scoped to its sender.
        let samAck = try await sam.post("Me too.", to: room.id, clientID: "retry-me")
        #expect(samAck.seq == first.seq + 1)
    }

    @Test func rejoiningWithTheLastSeqGetsExactlyWhatWasMissed() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (alex, _) = try await server.joined(server.clinic.alex.token, room)
        let (sam, _) = try await server.joined(server.clinic.sam.token, room)
        for number in 1...3 { _ = try await sam.post("before \(number)", to: room.id) }
        let seen = try await alex.messages(3).map(\.seq)
        #expect(seen == [1, 2, 3])
        alex.close()
        for number in 1...5 { _ = try await sam.post("while away \(number)", to: room.id) }

        let (back, joined) = try await server.joined(server.clinic.alex.token, room, afterSeq: 3)
        #expect(joined.messages.map(\.seq) == [4, 5, 6, 7, 8])
        #expect(joined.messages.first?.body == "while away 1")
        #expect(joined.seq == 8)
        #expect(!joined.more)
        _ = try await sam.post("welcome back", to: room.id)
        let live = try await back.messages(1)
        #expect(live.map(\.seq) == [9])
        #expect(await back.quiet() == nil)
    }

    @Test func joinShowsTheLatestFiftyAndHistoryPagesBackwards() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (sam, _) = try await server.joined(server.clinic.sam.token, room)
        for number in 1...120 { sam.send(ClientRequest(.send(room: room.id, body: "n\(number)", clientID: "c\(number)"))) }
        _ = try await sam.messages(120, timeout: .seconds(20))

        let (alex, joined) = try await server.joined(server.clinic.alex.token, room)
        #expect(joined.messages.map(\.seq) == Array(71...120))
        #expect(joined.more)
        #expect(joined.seq == 120)

        guard case .history(let page) = try await alex.request(.history(room: room.id, beforeSeq: 71, limit: 60)) else {
            Issue.record("expected history"); return
        }
        #expect(page.messages.map(\.seq) == Array(11...70))
        #expect(page.more)
        guard case .history(let last) = try await alex.request(.history(room: room.id, beforeSeq: 11, limit: 200)) else {
            Issue.record("expected history"); return
        }
        #expect(last.messages.map(\.seq) == Array(1...10))
        #expect(!last.more)
        #expect(last.messages.first?.body == "n1")

        guard case .error(let error) = try await alex.request(.history(room: room.id, beforeSeq: 50, limit: 201)) else {
            Issue.record("expected error"); return
        }
        #expect(error.code == .badRequest)
    }

    @Test func resumingFarBehindComesInPagesOfFiveHundred() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (sam, _) = try await server.joined(server.clinic.sam.token, room)
        for number in 1...520 { sam.send(ClientRequest(.send(room: room.id, body: "n\(number)", clientID: "c\(number)"))) }
        _ = try await sam.messages(520, timeout: .seconds(30))
        let (alex, first) = try await server.joined(server.clinic.alex.token, room, afterSeq: 0)
        #expect(first.messages.map(\.seq) == Array(1...500))
        #expect(first.more)
        let next = try await alex.join(room.id, afterSeq: 500)
        #expect(next.messages.map(\.seq) == Array(501...520))
        #expect(!next.more)
    }

    @Test func acknowledgedMessagesSurviveARestartWithTheirSeqs() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let (alex, _) = try await server.joined(server.clinic.alex.token, room)
        var acks: [ServerFrame.Ack] = []
        for number in 1...5 { acks.append(try await alex.post("before restart \(number)", to: room.id, clientID: "k\(number)")) }

        try server.restart()
        let (again, joined) = try await server.joined(server.clinic.alex.token, room)
        #expect(joined.messages.map(\.seq) == acks.map(\.seq))
        #expect(joined.messages.map(\.id) == acks.map(\.id))
        let repeated = try await again.post("before restart 5", to: room.id, clientID: "k5")
        #expect(repeated.seq == acks[4].seq)
        #expect(repeated.id == acks[4].id)
        let fresh = try await again.post("after restart", to: room.id, clientID: "k6")
        #expect(fresh.seq == 6)
        _ = alex
    }
}
