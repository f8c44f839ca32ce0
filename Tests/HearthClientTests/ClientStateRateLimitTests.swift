import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing

/// `rate_limited` on the state's own requests (docs/PROTOCOL.md 6 and 11): the server's words are kept for the
/// screen, and the request is made again once `retry_after` is over, never dropped.
struct ClientStateRateLimitTests {
    typealias F = Fixture

    private func limited(_ ref: String?, _ message: String = "Too many joins and leaves at once. Wait 3 s.",
                         after seconds: Int = 3) -> ServerFrame {
        .error(.init(ProtocolError(.rateLimited, message, retryAfter: seconds), ref: ref))
    }

    @Test func aRateLimitedJoinKeepsTheRoomAndJoinsAgainAfterTheWait() throws {
        var state = ClientState()
        state.signIn()
        let ref = state.on(.join(room: F.group)).requests.first?.ref
        _ = state.feed(limited(ref))

        let room = try #require(state.roomStates[F.group])
        // Not dropped: still wanted, with the server's words to show.
        #expect(room.membership == .joining)
        #expect(room.lastError == "Too many joins and leaves at once. Wait 3 s.")
        // Nothing goes before the wait is over; then the join goes again by itself.
        #expect(state.on(.tick, now: F.now.addingTimeInterval(2)).isEmpty)
        let again = state.on(.tick, now: F.now.addingTimeInterval(3))
        #expect(again.commands == [.join(room: F.group, afterSeq: nil)])
        #expect(state.on(.tick, now: F.now.addingTimeInterval(10)).isEmpty)

        _ = state.feed(F.joined(seq: 2, messages: F.messages(1...2), ref: again.requests.first?.ref))
        #expect(state.roomStates[F.group]?.membership == .joined)
        #expect(state.roomStates[F.group]?.lastError == nil)
    }

    @Test func aRateLimitedResumePageKeepsItsPlaceAndResumesFromIt() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        _ = state.on(.disconnected(code: 1006, reason: "network"))
        let first = try #require(state.signIn().requests.last)
        let next = state.feed(F.joined(seq: 9, messages: F.messages(4...5), more: true, ref: first.ref))
        _ = state.feed(limited(next.requests.first?.ref, after: 1))
        // A live message meanwhile does not move `have` past the gap.
        _ = state.feed(.message(F.message(10)))
        #expect(state.roomStates[F.group]?.have == 5)
        #expect(state.on(.tick, now: F.now.addingTimeInterval(1)).commands == [.join(room: F.group, afterSeq: 5)])
    }

    @Test func aRateLimitedSendStaysPendingAndGoesAgainWithItsClientIDAfterTheWait() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        let sent = state.on(.queuedSend(room: F.group, body: "Hi", clientID: "u-1"))
        _ = state.feed(limited(sent.requests.first?.ref, "You are sending too fast. Wait 2 s.", after: 2))

        let pending = try #require(state.pendingSends["u-1"])
        #expect(pending.status == .refused(code: .rateLimited, message: "You are sending too fast. Wait 2 s."))
        #expect(state.on(.tick, now: F.now.addingTimeInterval(1)).isEmpty)
        let again = state.on(.tick, now: F.now.addingTimeInterval(2))
        #expect(again.commands == [.send(room: F.group, body: "Hi", clientID: "u-1")])
        #expect(state.pendingSends["u-1"]?.status == .sent)

        // Refused again, the person may also retry at once themselves.
        _ = state.feed(limited(again.requests.first?.ref, after: 5), now: F.now.addingTimeInterval(2))
        #expect(state.on(.retrySend(clientID: "u-1"), now: F.now.addingTimeInterval(3)).commands
                == [.send(room: F.group, body: "Hi", clientID: "u-1")])
        // The scheduled retry then finds it already sent, and sends nothing twice.
        #expect(state.on(.tick, now: F.now.addingTimeInterval(8)).isEmpty)
    }

    @Test func aDiscardedOrOtherwiseRefusedSendIsNotRetried() {
        var state = ClientState.counselorInGroup(seq: 3)
        let sent = state.on(.queuedSend(room: F.group, body: "Hi", clientID: "u-1"))
        _ = state.feed(limited(sent.requests.first?.ref, after: 1))
        _ = state.on(.discardSend(clientID: "u-1"))
        #expect(state.on(.tick, now: F.now.addingTimeInterval(5)).isEmpty)

        let muted = state.on(.queuedSend(room: F.group, body: "Hey", clientID: "u-2"))
        _ = state.feed(.error(.init(ProtocolError(.muted, "A counselor has muted you."), ref: muted.requests.first?.ref)))
        #expect(state.on(.tick, now: F.now.addingTimeInterval(60)).isEmpty)
    }

    @Test func aRateLimitedAlertListIsAskedForAgain() {
        var state = ClientState()
        let welcome = state.signIn()
        _ = state.feed(limited(welcome.requests.first?.ref, "Too many requests for records at once. Wait 1 s.", after: 1))
        #expect(state.on(.tick, now: F.now.addingTimeInterval(1)).commands == [.alerts(room: nil)])
    }

    @Test func waitingRetriesOfJoinsEndWithTheConnectionAndTheWelcomeRejoins() {
        var state = ClientState()
        state.signIn()
        let ref = state.on(.join(room: F.group)).requests.first?.ref
        _ = state.feed(limited(ref, after: 30))
        _ = state.on(.disconnected(code: 1006, reason: "network"))
        let welcome = state.signIn()
        #expect(welcome.commands == [.alerts(room: nil), .join(room: F.group, afterSeq: nil)])
        #expect(state.on(.tick, now: F.now.addingTimeInterval(60)).isEmpty)
    }
}
