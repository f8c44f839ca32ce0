import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// Sending, fan-out, order, paging and restarts over sockets: what members of a room see. Presence, idempotent
/// resends and resuming after a gap run on the in-memory hub (`MessagingRuleTests`).
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
