import Foundation
import GRDB
import HearthClient
import HearthCore
import HearthTransport
import Logging
import Synchronization
import Testing

/// The server's queues are bounded, and a full one refuses clearly or makes its producer wait: nothing is dropped.
@Suite struct QueueBoundsTests {
    @Test func aFullWriterQueueRefusesSendsBusyAndLosesNone() async throws {
        let server = try TestServer { $0.writerQueueLimit = 3 }
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        // Another process holds SQLite's write lock: the writer waits on it, and messages queue up behind it.
        var blocking = Configuration()
        blocking.busyMode = .timeout(10)
        blocking.allowsUnsafeTransactions = true   // the lock is held across accesses on purpose
        let blocker = try DatabaseQueue(path: server.configuration.database, configuration: blocking)
        try blocker.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        var locked = true
        defer { if locked { try? blocker.inDatabase { try $0.execute(sql: "ROLLBACK") } } }

        for index in 0..<6 {
            alex.send(ClientRequest(.send(room: room, body: "message \(index)", clientID: "c\(index)"), ref: "s\(index)"))
        }
        var replies: [String: ServerFrame] = [:]
        func collect(until done: () -> Bool) async throws {
            while !done() {
                let frame = try await alex.next(timeout: .seconds(30))
                if let ref = frame.ref, ref.hasPrefix("s") { replies[ref] = frame }
            }
        }
        func busy() -> [ServerFrame.ErrorFrame] {
            replies.values.compactMap { if case .error(let error) = $0 { error } else { nil } }
        }
        // Refusals come at once, while the writer is still stuck.
        try await collect { !busy().isEmpty }
        let refusal = try #require(busy().first)
        #expect(refusal.code == .internal && refusal.retryAfter == 1)
        #expect(refusal.message.contains("busy"))
        // A participant's crisis message still gets in (the writer's crisis reserve).
        sam.send(ClientRequest(.send(room: room, body: CrisisSafetyTests.crisis, clientID: "crisis"), ref: "crisis"))

        try blocker.inDatabase { try $0.execute(sql: "COMMIT") }
        locked = false
        try await collect { replies.count == 6 }
        let acked = (0..<6).filter { if case .ack = replies["s\($0)"]! { true } else { false } }
        #expect(acked.count + busy().count == 6)
        #expect(acked.count >= 3 && busy().count >= 1)
        var crisisReply: ServerFrame?
        while crisisReply == nil {
            let frame = try await sam.next(timeout: .seconds(30))
            if frame.ref == "crisis" { crisisReply = frame }
        }
        #expect(crisisReply?.type == "ack")
        // Dana received exactly the acknowledged messages, in order, and the crisis message; the store has them all.
        let bodies = try await dana.messages(acked.count + 1).map(\.body)
        #expect(bodies.filter { $0.hasPrefix("message") } == acked.map { "message \($0)" })
        #expect(bodies.contains(CrisisSafetyTests.crisis))
        #expect(try HearthStoreAccess.messageCount(room, in: server.database) == acked.count + 1)
    }

    @Test func aFullInboxMakesOtherThreadsWaitAndRunsEveryJobInOrder() throws {
        var configuration = WebSocketServerConfiguration()
        configuration.port = 0
        configuration.maxInboxJobs = 4
        let server = WebSocketServer(configuration: configuration, logger: Logger(label: "hearth.test.inbox"))
        try server.start()
        defer { server.stop() }
        let started = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0)
        // The loop runs one job and is held in it.
        server.execute { started.signal(); gate.wait() }
        started.wait()
        let ran = Mutex<[Int]>([])
        let producerDone = DispatchSemaphore(value: 0)
        let submitted = Atomic<Int>(0)
        Thread {
            for number in 1...20 {
                server.execute { ran.withLock { $0.append(number) } }
                submitted.add(1, ordering: .sequentiallyConsistent)
            }
            producerDone.signal()
        }.start()
        // The producer fills the inbox to its bound and waits there while the loop is held.
        let deadline = Date().addingTimeInterval(30)
        while server.inboxDepth.now < 4 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(server.inboxDepth.now == 4)
        #expect(submitted.load(ordering: .sequentiallyConsistent) <= 4)
        gate.signal()
        #expect(producerDone.wait(timeout: .now() + 30) == .success)
        let drained = DispatchSemaphore(value: 0)
        server.execute { drained.signal() }
        #expect(drained.wait(timeout: .now() + 30) == .success)
        #expect(ran.withLock { $0 } == Array(1...20))
        #expect(server.inboxDepth.highWater <= 4)
    }
}
