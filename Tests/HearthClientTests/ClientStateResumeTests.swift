import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing

/// Resume after a reconnect (docs/PROTOCOL.md sections 8.5 and 11): rejoin with `after_seq = have`, page one page at
/// a time until `more` is false, deduplicate by `seq`, never let `have` pass a gap, then resend what was not
/// acknowledged with its same `client_id`.
struct ClientStateResumeTests {
    typealias F = Fixture

    /// A counselor in the group room holding 1 to 3, after the connection dropped and came back.
    private func reconnected(_ state: inout ClientState) -> [ClientEffect] {
        _ = state.on(.disconnected(code: 1006, reason: "network"))
        return state.signIn()
    }

    @Test func aReconnectRejoinsTheRoomAfterTheLastSeqHeld() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        let effects = reconnected(&state)

        #expect(effects.commands == [.alerts(room: nil), .join(room: F.group, afterSeq: 3)])
        #expect(state.roomStates[F.group]?.isResuming == true)
        let ref = effects.requests[1].ref
        _ = state.feed(F.joined(seq: 5, messages: F.messages(4...5), ref: ref))

        let room = try #require(state.roomStates[F.group])
        #expect(room.messages.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(room.have == 5)
        #expect(!room.isResuming)
        // Messages missed while away are news.
        #expect(room.unread == 2)
    }

    @Test func aPageWithMoreAsksForTheNextPageAfterItsLastSeq() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        let first = try #require(reconnected(&state).requests.last)

        let next = state.feed(F.joined(seq: 9, messages: F.messages(4...5), more: true, ref: first.ref))
        #expect(next.commands == [.join(room: F.group, afterSeq: 5)])
        #expect(state.roomStates[F.group]?.have == 5)

        let last = state.feed(F.joined(seq: 9, messages: F.messages(6...9), ref: next.requests[0].ref))
        #expect(last.isEmpty)
        #expect(state.roomStates[F.group]?.have == 9)
        #expect(state.visibleMessages(in: F.group).map(\.seq) == Array(1...9))
    }

    @Test func liveMessagesDuringPagingDoNotMoveHavePastTheGap() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        let first = try #require(reconnected(&state).requests.last)
        _ = state.feed(F.joined(seq: 9, messages: F.messages(4...5), more: true, ref: first.ref))
        // Live messages above the first page's boundary arrive before the pages catch up.
        _ = state.feed(.message(F.message(10)))
        _ = state.feed(.message(F.message(11)))

        #expect(state.roomStates[F.group]?.have == 5)
        #expect(state.visibleMessages(in: F.group).map(\.seq) == [1, 2, 3, 4, 5, 10, 11])

        // The connection drops again: the next rejoin resumes from the last seq without a gap below it.
        _ = state.on(.disconnected(code: 1001, reason: "server shutdown"))
        let again = state.signIn()
        #expect(again.commands.last == .join(room: F.group, afterSeq: 5))
    }

    @Test func theLastPageMovesHaveToTheLiveMessagesAlreadyHeld() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        let first = try #require(reconnected(&state).requests.last)
        let next = state.feed(F.joined(seq: 9, messages: F.messages(4...5), more: true, ref: first.ref))
        _ = state.feed(.message(F.message(10)))
        _ = state.feed(.message(F.message(11)))

        // The later page is bounded by its own boundary, which moved on: it repeats 10 and 11.
        _ = state.feed(F.joined(seq: 11, messages: F.messages(6...11), ref: next.requests[0].ref))
        _ = state.feed(.message(F.message(12)))

        let room = try #require(state.roomStates[F.group])
        #expect(room.messages.map(\.seq) == Array(1...12))
        #expect(room.have == 12)
        // Each message counted once.
        #expect(room.unread == 9)
    }

    @Test func roomsAreRejoinedOnePageAtATimeTheShownRoomFirst() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        state.enter(F.family, seq: 7, messages: F.messages(6...7, in: F.family))
        _ = state.on(.focused(room: F.family))

        let effects = reconnected(&state)
        #expect(effects.commands == [.alerts(room: nil), .join(room: F.family, afterSeq: 7)])

        let next = state.feed(F.joined(F.family, seq: 8, messages: [F.message(8, in: F.family)],
                                       ref: effects.requests[1].ref))
        #expect(next.commands == [.join(room: F.group, afterSeq: 3)])
        #expect(state.roomStates[F.family]?.have == 8)
    }

    @Test func roomsLeftOrDeniedAreNotRejoined() {
        var state = ClientState.counselorInGroup(seq: 3)
        state.enter(F.family, seq: 0)
        _ = state.on(.leave(room: F.group))
        _ = state.feed(.denied(.init(room: F.family, message: "You are no longer on the list for this session.")))

        #expect(reconnected(&state).commands == [.alerts(room: nil)])
        #expect(state.roomStates[F.family]?.membership == .left(reason: "You are no longer on the list for this session."))
    }

    @Test func aRoomLeftAndJoinedAgainResumesFromWhereItStopped() {
        var state = ClientState.counselorInGroup(seq: 3)
        _ = state.on(.leave(room: F.group))
        #expect(state.on(.join(room: F.group)).commands == [.join(room: F.group, afterSeq: 3)])
    }

    @Test func aJoinAnsweredAfterThePersonLeftDoesNotPutTheRoomBack() {
        var state = ClientState()
        state.signIn()
        let join = state.on(.join(room: F.group))
        _ = state.on(.leave(room: F.group))
        _ = state.feed(F.joined(seq: 3, messages: F.messages(1...3), ref: join.requests[0].ref))
        #expect(state.roomStates[F.group]?.membership == .left(reason: nil))
        #expect(state.visibleMessages(in: F.group).isEmpty)
    }

    @Test func scrollbackWaitsForTheResumePageOfAnotherRoom() throws {
        var state = ClientState(historyPage: 50)
        state.signIn()
        state.enter(F.family, seq: 60, messages: F.messages(11...60, in: F.family), more: true)
        state.enter(seq: 3, messages: F.messages(1...3))
        _ = state.on(.focused(room: F.group))
        let welcome = reconnected(&state)
        let groupJoin = try #require(welcome.requests.last)
        #expect(groupJoin.command == .join(room: F.group, afterSeq: 3))

        // The family room's resume is queued behind the group's page; scrollback queues behind both.
        #expect(state.on(.loadEarlier(room: F.family)).isEmpty)
        let next = state.feed(F.joined(seq: 3, ref: groupJoin.ref))
        #expect(next.commands == [.join(room: F.family, afterSeq: 60)])
        let after = state.feed(F.joined(F.family, seq: 60, ref: next.requests[0].ref))
        #expect(after.commands == [.history(room: F.family, beforeSeq: 11, limit: 50)])
    }

    // MARK: Pending messages

    @Test func aMessageWrittenInAJoinedRoomIsSentAtOnceAndTheAckRemovesIt() throws {
        var state = ClientState.counselorInGroup()
        let effects = state.on(.queuedSend(room: F.group, body: "Welcome, everyone.", clientID: "u-1"))
        #expect(effects.commands == [.send(room: F.group, body: "Welcome, everyone.", clientID: "u-1")])
        #expect(state.pending().map(\.status) == [.sent])

        _ = state.feed(.ack(.init(room: F.group, clientID: "u-1", id: MessageID("m_4"), seq: 4,
                                  ts: "2026-11-24T02:05:00.000Z", ref: effects.requests[0].ref)))
        #expect(state.pendingSends.isEmpty)
    }

    @Test func theOwnMessageComingBackRemovesItsPendingSend() {
        var state = ClientState.counselorInGroup()
        _ = state.on(.queuedSend(room: F.group, body: "Hello", clientID: "u-1"))
        _ = state.feed(.message(F.message(4, from: F.dana, body: "Hello", clientID: "u-1")))
        #expect(state.pendingSends.isEmpty)
        // Someone else's message with the same client_id is not ours.
        _ = state.on(.queuedSend(room: F.group, body: "Again", clientID: "u-2"))
        _ = state.feed(.message(F.message(5, from: F.alex, clientID: "u-2")))
        #expect(state.pendingSends.keys.sorted() == ["u-2"])
    }

    @Test func unacknowledgedMessagesAreResentWithTheSameClientIDAfterTheResume() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        _ = state.on(.queuedSend(room: F.group, body: "First", clientID: "u-1"))
        _ = state.on(.disconnected(code: 1006, reason: "network"))
        _ = state.on(.queuedSend(room: F.group, body: "Second", clientID: "u-2", to: .member(F.alex.id)))
        #expect(state.pending().map(\.status) == [.queued, .queued])

        let welcome = state.signIn()
        // Nothing goes out before the room is resumed.
        #expect(!welcome.commands.contains { if case .send = $0 { true } else { false } })
        let next = state.feed(F.joined(seq: 5, messages: F.messages(4...5), more: true, ref: welcome.requests[1].ref))
        #expect(next.commands == [.join(room: F.group, afterSeq: 5)])

        let resent = state.feed(F.joined(seq: 6, messages: [F.message(6)], ref: next.requests[0].ref))
        #expect(resent.commands == [
            .send(room: F.group, body: "First", clientID: "u-1"),
            .send(room: F.group, body: "Second", clientID: "u-2", to: .member(F.alex.id)),
        ])
        #expect(state.pending().map(\.status) == [.sent, .sent])
    }

    @Test func aPendingMessageThatCameBackInThePagesIsNotSentAgain() throws {
        var state = ClientState.counselorInGroup(seq: 3)
        _ = state.on(.queuedSend(room: F.group, body: "First", clientID: "u-1"))
        _ = state.on(.queuedSend(room: F.group, body: "Second", clientID: "u-2"))
        // Committed before the connection dropped; the ack was lost.
        let welcome = reconnected(&state)
        let resent = state.feed(F.joined(seq: 5, messages: [F.message(4), F.message(5, from: F.dana, clientID: "u-1")],
                                         ref: welcome.requests[1].ref))

        #expect(resent.commands == [.send(room: F.group, body: "Second", clientID: "u-2")])
        #expect(state.pendingSends.keys.sorted() == ["u-2"])
    }

    @Test func aMessageWrittenWhileTheRoomIsStillJoiningWaitsForTheSnapshot() {
        var state = ClientState()
        state.signIn()
        let join = state.on(.join(room: F.group))
        #expect(state.on(.queuedSend(room: F.group, body: "Hi", clientID: "u-1")).isEmpty)
        let effects = state.feed(F.joined(seq: 0, ref: join.requests[0].ref))
        #expect(effects.commands == [.send(room: F.group, body: "Hi", clientID: "u-1")])
    }

    @Test func aRefusedMessageKeepsTheServersWordsAndARetryUsesTheSameClientID() throws {
        var state = ClientState.counselorInGroup()
        let sent = state.on(.queuedSend(room: F.group, body: "Hi", clientID: "u-1"))
        _ = state.feed(.error(.init(ProtocolError(.internal, "The message could not be saved. Send it again."),
                                    ref: sent.requests[0].ref)))
        #expect(state.pending().map(\.status)
                == [.refused(code: .internal, message: "The message could not be saved. Send it again.")])

        // A refused message is not resent by a reconnect: the person decides.
        let welcome = reconnected(&state)
        let resumed = state.feed(F.joined(seq: 3, ref: welcome.requests[1].ref))
        #expect(resumed.isEmpty)

        #expect(state.on(.retrySend(clientID: "u-1")).commands == [.send(room: F.group, body: "Hi", clientID: "u-1")])
        _ = state.on(.discardSend(clientID: "u-1"))
        #expect(state.pendingSends.isEmpty)
    }

    // MARK: Refused joins

    @Test func aRefusedJoinTakesTheRoomOutWithTheServersWords() {
        var state = ClientState()
        state.signIn()
        let join = state.on(.join(room: F.group))
        _ = state.feed(.error(.init(.forbidden("You are not on the list for this session."), ref: join.requests[0].ref)))
        #expect(state.roomStates[F.group]?.membership == .left(reason: "You are not on the list for this session."))
    }

    @Test func aJoinThatFailedInternallyKeepsTheRoomAndJoiningAgainResumes() {
        var state = ClientState.counselorInGroup(seq: 3)
        let welcome = reconnected(&state)
        let next = state.feed(.error(.init(ProtocolError(.internal, "The server could not load this room. Try again."),
                                           ref: welcome.requests[1].ref)))
        #expect(next.isEmpty)
        #expect(state.roomStates[F.group]?.membership == .joined)
        #expect(state.roomStates[F.group]?.lastError == "The server could not load this room. Try again.")
        #expect(state.on(.join(room: F.group)).commands == [.join(room: F.group, afterSeq: 3)])
    }

    // MARK: Waiting room (participants)

    @Test func anAdmissionAnswersTheJoinThatWaitedWithItsAfterSeq() throws {
        var state = ClientState()
        state.signIn(as: F.tom)
        let join = state.on(.join(room: F.family))
        _ = state.feed(.waiting(.init(room: F.family, ref: join.requests[0].ref)))
        #expect(state.roomStates[F.family]?.membership == .waiting)

        // The joined that follows the admission carries no ref.
        _ = state.feed(F.joined(F.family, seq: 2, messages: F.messages(1...2, in: F.family), members: [F.dana, F.tom],
                                role: .family, waiting: nil, hands: nil, reports: nil, ref: nil))
        #expect(state.roomStates[F.family]?.membership == .joined)
        #expect(state.roomStates[F.family]?.have == 2)

        // Reconnected after admission: straight back in, resuming.
        _ = state.on(.disconnected(code: 1006, reason: "network"))
        #expect(state.signIn(as: F.tom).commands == [.join(room: F.family, afterSeq: 2)])
    }
}
