import Foundation
import HearthAdmin
import HearthClient
import HearthCore
@testable import HearthServer
import HearthStore
import Logging
import Synchronization
import Testing

/// Store reads run off the service thread (the lookups queue), and nothing a client sees changes for it: replies
/// keep their order per connection, a join's snapshot and the live messages after it meet without a gap or a
/// repeat, and one connection's slow read never holds up another connection. The lookups queue is paused to hold
/// a read in place: every wait here is for an event, never for time to pass.
@Suite struct OffTheLoopTests {
    /// Waits until `condition`, checked on the service thread, holds (it is a state the test caused).
    private func until(_ server: TestServer, _ what: String,
                       _ condition: @escaping @Sendable (Hub) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while await !server.server.onServiceThread(condition) {
            guard ContinuousClock.now < deadline else { throw HearthClientError.timedOut(waitingFor: what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private func frames(_ connection: HearthConnection, _ count: Int) async throws -> [ServerFrame] {
        var frames: [ServerFrame] = []
        while frames.count < count { frames.append(try await connection.next(timeout: .seconds(10))) }
        return frames
    }

    @Test func helloJoinAndSendSentTogetherAreAnsweredInTheirOrder() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let alex = try await server.client.connect(server.url)
        // The hello's reads are held in place, so the join and the send arrive while it is still being checked.
        server.server.lookups.pause()
        alex.send(ClientRequest(.hello(token: clinic.alex.token), ref: "h"))
        alex.send(ClientRequest(.join(room: room, afterSeq: nil), ref: "j"))
        alex.send(ClientRequest(.send(room: room, body: "made it", clientID: "c1"), ref: "s"))
        try await until(server, "the join and the send to wait behind the hello") { hub in
            hub.connections.values.contains { $0.held.count == 2 }
        }
        server.server.lookups.resume()

        let replies = try await frames(alex, 4)
        guard case .welcome(let welcome) = replies[0], case .joined(let joined) = replies[1],
              case .ack(let ack) = replies[2], case .message(let message) = replies[3] else {
            Issue.record("expected welcome, joined, ack, message; got \(replies.map(\.type))")
            return
        }
        #expect(welcome.ref == "h" && joined.ref == "j" && ack.ref == "s")
        #expect(joined.room == room && joined.seq == 0)
        #expect(ack.seq == 1 && message.seq == 1 && message.body == "made it")
    }

    @Test func aJoinWhileMessagesCommitGetsEachOnceAndJoinedFirst() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        for index in 1...3 { _ = try await dana.post("before \(index)", to: room) }
        let (alex, _) = try await server.connect(clinic.alex.token)

        // Alex's join reads its page up to seq 3; while that read is held, five more messages commit and are
        // delivered to the room.
        server.server.lookups.pause()
        alex.send(ClientRequest(.join(room: room, afterSeq: nil), ref: "j"))
        try await until(server, "the join to be under way") { hub in hub.book.entering[room]?.count == 1 }
        for index in 4...8 { _ = try await dana.post("during \(index)", to: room) }
        server.server.lookups.resume()
        _ = try await dana.post("after 9", to: room)

        let received = try await frames(alex, 7)
        guard case .joined(let joined) = received[0] else {
            Issue.record("the first frame was \(received[0].type), not joined")
            return
        }
        #expect(joined.ref == "j")
        #expect(joined.seq == 3)
        #expect(joined.messages.map(\.seq) == [1, 2, 3])
        let live = received.dropFirst().compactMap { frame -> Int64? in
            if case .message(let message) = frame { message.seq } else { nil }
        }
        #expect(live == [4, 5, 6, 7, 8, 9])
        #expect(await alex.quiet() == nil)
    }

    @Test func aRequestWaitingForTheStoreHoldsUpNoOtherConnection() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)

        // Alex asks for the schedule (a read, held in place), then sends a message: it waits behind the schedule.
        server.server.lookups.pause()
        alex.send(ClientRequest(.schedule(from: nil, to: nil), ref: "sc"))
        alex.send(ClientRequest(.send(room: room, body: "from alex", clientID: "a1"), ref: "a1"))
        try await until(server, "Alex's send to wait behind the schedule") { hub in
            hub.connections.values.contains { $0.held.count == 1 }
        }
        // Meanwhile Sam's message is stored and delivered to everyone, Alex included.
        #expect(try await sam.post("from sam", to: room).seq == 1)
        guard case .message(let fromSam) = try await alex.nextSkippingPresence() else {
            Issue.record("Alex did not receive Sam's message first")
            return
        }
        #expect(fromSam.body == "from sam")
        server.server.lookups.resume()

        let rest = try await frames(alex, 3)
        guard case .schedule(let schedule) = rest[0], case .ack(let ack) = rest[1], case .message(let own) = rest[2] else {
            Issue.record("expected schedule, ack, message; got \(rest.map(\.type))")
            return
        }
        #expect(schedule.ref == "sc" && schedule.rooms.map(\.id).contains(room))
        #expect(ack.ref == "a1" && ack.seq == 2 && own.seq == 2)
    }

    @Test func aConnectionWhoseHelloIsBeingCheckedIsNotClosedForTheHelloDeadline() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        server.server.lookups.pause()
        let checked = try await server.client.connect(server.url)
        checked.send(ClientRequest(.hello(token: server.clinic.alex.token), ref: "h"))
        try await until(server, "the hello to be under way") { hub in hub.connections.values.contains { $0.signIn.isChecking } }
        let silent = try await server.client.connect(server.url)
        try await until(server, "the second connection") { hub in hub.connections.count == 2 }
        // Both connections opened long ago, as far as the hello deadline can tell: the next tick closes the one
        // that said nothing, not the one whose hello is being checked.
        await server.server.onServiceThread { hub in
            for connection in hub.connections.values { connection.signIn.since = .now - .seconds(3600) }
        }
        #expect(try await silent.error(timeout: .seconds(30)).code == .unauthorized)
        #expect(try await silent.closed().code == 4001)
        server.server.lookups.resume()
        guard case .welcome(let welcome) = try await checked.next(timeout: .seconds(30)) else {
            Issue.record("the connection whose hello was being checked got no welcome")
            return
        }
        #expect(welcome.ref == "h")
    }

    @Test func aSingleUseInvitationIsRedeemedOffTheLoopAndWelcomed() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let invitation = try Directory(server.database).issueInvitation(family: clinic.maria.0.id, room: clinic.family.id,
                                                                        expires: clinic.family.closes, now: server.clock.now)
        let (maria, welcome) = try await server.connect(invitation)
        #expect(welcome.sessionToken != nil)
        #expect(welcome.rooms.map(\.id) == [clinic.family.id])
        _ = try await maria.join(clinic.family.id)
        // Spent: a second connection with the same invitation is refused.
        let again = try await server.client.connect(server.url)
        await #expect(throws: HearthClientError.self) { _ = try await again.hello(token: invitation) }
    }
}

/// A participant's `hello` reads only their own rooms, so it costs the same in a clinic of a few rooms as in one of
/// hundreds; pinned and held messages and a person's rooms are found through indexes.
@Suite struct PersonalReadsTests {
    /// Counts the statements of a hello through a real server on a traced database whose clinic has `others` more
    /// rooms today, none of them Alex's.
    private func helloStatements(others: Int) async throws -> (statements: Int, rooms: [RoomID]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let counting = Mutex<(on: Bool, statements: [String])>((false, []))
        let path = folder.appendingPathComponent("hearth.db").path
        let database = try HearthDatabase(path: path, trace: { sql in
            counting.withLock { if $0.on { $0.statements.append(sql) } }
        })
        let now = Date()
        let clinic = try TestClinic.seed(database, now: now)
        let zone = TestClinic.zone
        let starts = now.addingTimeInterval(3600)
        let local = Calendar.gregorian(in: zone).dateComponents([.hour, .minute], from: starts)
        let schedule = SessionSchedule(recurrence: .once(LocalDate(starts, in: zone)),
                                       start: LocalTime(hour: local.hour!, minute: local.minute!)!,
                                       durationMinutes: 60, timeZone: zone)
        let store = ScheduleStore(database)
        _ = try store.importSeries((0..<others).map { index in
            .init(key: "other-\(index)", title: "Other group \(index)", kind: .group, schedule: schedule, window: nil,
                  roster: [clinic.outsider.0.id])
        }, now: now)
        try store.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(2 * 86400), now: now)

        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.database = path
        configuration.web = nil
        configuration.eventLoop = .poll
        configuration.retentionDays = 0
        configuration.helloTimeoutSeconds = 120
        let server = HearthServer(configuration: configuration, database: database, logger: Logger(label: "hearth.test"),
                                  clock: { now })
        try server.start()
        defer { server.stop() }
        let client = try HearthClient()
        defer { client.shutdown() }
        let connection = try await client.connect("ws://127.0.0.1:\(server.port)/ws")
        counting.withLock { $0.on = true }
        let welcome = try await connection.hello(token: clinic.alex.token)
        let statements = counting.withLock { state in
            state.on = false
            // Not the hello's own reads: the tick's once-a-second read of the access version, the audit head logged
            // at start, transaction brackets, and GRDB reading the schema on a reader connection's first use.
            return state.statements.filter { sql in
                !["meta", "audit", "BEGIN", "COMMIT", "PRAGMA", "sqlite_"].contains { sql.contains($0) }
            }
        }
        return (statements.count, welcome.rooms.map(\.id))
    }

    @Test func aParticipantsHelloReadsTheSameInAClinicOfFiveRoomsOrThreeHundred() async throws {
        // Background work (a re-check's token read, a heartbeat) can land in the counting window and only ever adds
        // statements: the fewer of two tries is the hello's own count.
        func fewest(others: Int) async throws -> (statements: Int, rooms: [RoomID]) {
            let first = try await helloStatements(others: others)
            let second = try await helloStatements(others: others)
            return first.statements <= second.statements ? first : second
        }
        let small = try await fewest(others: 5)
        let large = try await fewest(others: 300)
        #expect(small.rooms.count == 3)
        #expect(large.rooms.count == 3)
        // The token, the person's standing, their series' rooms, and each of their three rooms' descriptor: a few
        // dozen statements at most, whatever the clinic's size (reading every room of the day took 3 per room).
        #expect(small.statements == large.statements)
        #expect((8..<40).contains(large.statements), "\(large.statements) statements")
    }

    @Test func aPersonsRoomsAreFoundThroughIndexesOnly() throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, now = server.clock.now, store = ScheduleStore(server.database)
        for identity in [clinic.alex.0.identity, clinic.maria.0.identity, clinic.counselor.0.identity] {
            let plans = try store.personalRoomPlans(for: identity, from: now.addingTimeInterval(-36 * 3600),
                                                    to: now.addingTimeInterval(36 * 3600), next: now)
            #expect(!plans.contains { $0.hasPrefix("SCAN room") || $0.hasPrefix("SCAN r") }, "\(identity.role): \(plans)")
            #expect(plans.contains { $0.contains("room_series_endsAt") || $0.contains("room_endsAt") }, "\(plans)")
        }
    }

    @Test func pinnedAndHeldMessagesAreFoundThroughTheirIndexes() throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let plans = try MessageStore(server.database).queryPlans(room: server.clinic.group.id)
        #expect(plans.pinned.contains { $0.contains("USING INDEX message_pinned") }, "\(plans.pinned)")
        #expect(plans.held.contains { $0.contains("USING INDEX message_held") }, "\(plans.held)")
        #expect(!(plans.pinned + plans.held).contains { $0.hasPrefix("SCAN m") }, "\(plans)")
    }

    @Test func aHeldMessageIsListedUntilReleasedAndAPinnedOneUntilUnpinned() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id, store = MessageStore(server.database)
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(try await dana.request(.moderate(room: room, action: .review(on: true))).type == "ok")
        _ = try await alex.post("held for review", to: room)
        _ = try await dana.post("shown", to: room)
        #expect(try store.held(in: room).map(\.seq) == [1])
        #expect(try store.pinned(in: room, reader: nil).isEmpty)
        #expect(try await dana.request(.moderate(room: room, action: .release(seq: 1))).type == "ok")
        #expect(try await dana.request(.moderate(room: room, action: .pin(seq: 2))).type == "ok")
        #expect(try store.held(in: room).isEmpty)
        #expect(try store.pinned(in: room, reader: clinic.alex.0.id).map(\.seq) == [2])
    }
}

/// Access that ends with no write to the store (a token's last day, a consent's last day) is checked when it comes
/// due, not at the next periodic re-check (here once an hour, so only the due time can close the connection).
@Suite struct AccessComingDueTests {
    @Test func aConnectionIsClosedWhenItsTokenExpires() async throws {
        let server = try TestServer { $0.tokenRecheckSeconds = 3600 }
        defer { server.shutdown() }
        let zone = TimeZone.current, today = LocalDate(server.clock.now, in: zone)
        let token = try Directory(server.database).issueToken(for: server.clinic.alex.0.id, lastDay: today, in: zone,
                                                              now: server.clock.now)
        let (alex, _) = try await server.connect(token)
        server.clock.set(Directory.endOfDay(today, in: zone))
        let error = try await alex.error(timeout: .seconds(30))
        #expect(error.code == .unauthorized)
        #expect(error.message == "Your access has ended: it was revoked, or the session it was for is over.")
        #expect(try await alex.closed().code == 4001)
    }

    @Test func aFamilyMemberIsClosedWhenTheConsentsLastDayIsOver() async throws {
        let server = try TestServer { $0.tokenRecheckSeconds = 3600 }
        defer { server.shutdown() }
        let clinic = server.clinic, now = server.clock.now
        let zone = TimeZone.current, today = LocalDate(now, in: zone)
        let directory = Directory(server.database)
        let lee = try directory.addPerson(role: .family, displayName: "Lee L.", familyOf: clinic.jamie.0.id, now: now)
        try ConsentStore(server.database).add(participant: clinic.jamie.0.id, family: lee.id, expiresOn: today, now: now)
        let token = try directory.issueToken(for: lee.id, now: now)
        let (connection, _) = try await server.connect(token)
        server.clock.set(Directory.endOfDay(today, in: zone))
        let error = try await connection.error(timeout: .seconds(30))
        #expect(error.code == .unauthorized)
        #expect(error.message.contains("consent"))
        #expect(try await connection.closed().code == 4001)
    }

    /// Reads may finish out of order (several lookup queues): a room's descriptor read at an older access version
    /// never replaces one read at a newer version, whichever comes back last.
    @Test func anOlderDescriptorNeverReplacesANewerOne() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let dana = try await server.client.connect(server.url)
        _ = try await dana.hello(token: clinic.counselor.token)
        _ = try await dana.join(room)
        let titles = await server.server.onServiceThread { hub -> [String] in
            guard let live = hub.rooms[room] else { return [] }
            let version = hub.book.descriptorVersions[room] ?? 0
            var newer = live.descriptor, older = live.descriptor
            newer.title = "Read at the newer version"
            older.title = "Read at an older version"
            hub.refresh(live, newer, readAt: version + 2)
            let afterNewer = live.descriptor.title
            hub.refresh(live, older, readAt: version + 1)
            return [afterNewer, live.descriptor.title]
        }
        #expect(titles == ["Read at the newer version", "Read at the newer version"])
    }
}
