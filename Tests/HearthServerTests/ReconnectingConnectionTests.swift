import Foundation
import HearthClient
import HearthCore
import Testing

/// The reconnecting connection and `ClientState` together, against a real server that goes away and comes back.
struct ReconnectingConnectionTests {
    @Test func aRoomResumesAfterARestartWithoutAGapOrADuplicateAndAMessageWrittenOfflineGoesOnce() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let room = server.clinic.group
        let link = ReconnectingConnection(client: server.client, url: server.url, token: server.clinic.counselor.token,
                                          backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(400)))
        let model = ClientModel(link: link)
        link.start()
        defer { link.stop() }
        let driver = Task { for await event in link.events { await model.apply(event) } }
        defer { driver.cancel() }

        try await model.until("signed in") { $0.connection == .online }
        await model.apply(.join(room: room.id))
        try await model.until("in the room") { $0.roomStates[room.id]?.membership == .joined }

        let (alex, _) = try await server.joined(server.clinic.alex.token, room)
        for number in 1...3 { _ = try await alex.post("before \(number)", to: room.id) }
        try await model.until("three messages") { $0.roomStates[room.id]?.messages.lastSeq == 3 }

        // The server goes away; Dana writes while it is down.
        server.server.stop()
        try await model.until("disconnected") { state in
            if case .disconnected = state.connection { return true }
            return state.connection == .connecting
        }
        await model.apply(.queuedSend(room: room.id, body: "written offline", clientID: "dana-offline-1"))
        try server.restart()
        let (alexAgain, _) = try await server.joined(server.clinic.alex.token, room)
        for number in 1...2 { _ = try await alexAgain.post("after \(number)", to: room.id) }

        try await model.until("every message once, in order, the offline one included") { state in
            guard let held = state.roomStates[room.id]?.messages else { return false }
            return held.count == 6 && state.pendingSends.isEmpty
        }
        let state = await model.state
        let held = try #require(state.roomStates[room.id]?.messages)
        #expect(held.map(\.seq) == [1, 2, 3, 4, 5, 6])
        #expect(held.filter { $0.body == "written offline" }.count == 1)
        #expect(Set(held.map(\.body)) == ["before 1", "before 2", "before 3", "after 1", "after 2", "written offline"])
        #expect(try HearthStoreAccess.messageCount(room.id, in: server.database) == 6)
    }

    @Test func aRefusedTokenStopsTheConnectionForGood() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let link = ReconnectingConnection(client: server.client, url: server.url, token: "hth_not-a-token",
                                          backoff: Backoff(first: .milliseconds(10), cap: .milliseconds(20)))
        link.start()
        var seen: [ClientEvent] = []
        for await event in link.events { seen.append(event) }
        // One attempt only: the stream ends after the 4001, it does not retry with a token the server refused.
        #expect(seen.filter { $0 == .connecting }.count == 1)
        #expect(seen.last == .disconnected(code: 4001, reason: "unauthorized"))
        #expect(seen.contains { event in
            if case .frame(.error(let error)) = event { return error.code == .unauthorized }
            return false
        })
    }

    @Test func theBackoffGrowsToItsCapWithJitterInTheUpperHalf() {
        let backoff = Backoff()
        #expect(backoff.delay(attempt: 0, random: 0) == .milliseconds(125))
        #expect(backoff.delay(attempt: 0, random: 1) == .milliseconds(250))
        #expect(backoff.delay(attempt: 3, random: 1) == .seconds(2))
        #expect(backoff.delay(attempt: 50, random: 1) == .seconds(30))
        #expect(backoff.delay(attempt: 50, random: 0) == .seconds(15))
    }
}

/// One owner for a `ClientState`, as a terminal client has: events applied in order, effects handed back to the
/// connection, and tests wait for what the state shows (never for a time).
actor ClientModel {
    private(set) var state = ClientState()
    private let link: ReconnectingConnection
    private var watchers: [(id: Int, check: @Sendable (ClientState) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWatcher = 0

    init(link: ReconnectingConnection) { self.link = link }

    func apply(_ event: ClientEvent) {
        link.perform(state.apply(event, now: Date()))
        let ready = watchers.filter { $0.check(state) }
        watchers.removeAll { watcher in ready.contains { $0.id == watcher.id } }
        for watcher in ready { watcher.continuation.resume(returning: true) }
    }

    /// Waits until `check` holds (checked after each event), failing after `timeout` with `what`.
    func until(_ what: String, timeout: Duration = .seconds(15), _ check: @escaping @Sendable (ClientState) -> Bool) async throws {
        if check(state) { return }
        let id = nextWatcher
        nextWatcher += 1
        let met = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            watchers.append((id, check, continuation))
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(id)
            }
        }
        if !met { throw ModelTimeout(what: what) }
    }

    private func expire(_ id: Int) {
        guard let index = watchers.firstIndex(where: { $0.id == id }) else { return }
        watchers.remove(at: index).continuation.resume(returning: false)
    }
}

struct ModelTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "Timed out waiting for: \(what)" }
}
