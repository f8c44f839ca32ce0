import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing

/// The client state reducer: rooms, snapshots, live messages, unread counts and the bounded buffer. Pure: events in,
/// state and effects out, at fixed times.
struct ClientStateTests {
    typealias F = Fixture

    // MARK: Rooms from welcome and schedule

    @Test func welcomeListsTheRoomsWithStatesComputedFromTheirWindowsAtTheGivenTime() {
        var state = ClientState()
        state.signIn(rooms: [F.morningRoom, F.groupRoom, F.familyRoom, F.tomorrowRoom])

        #expect(state.connection == .online)
        #expect(state.user == F.dana)
        #expect(state.rooms.count == 4)
        #expect(state.phase(of: F.morning, at: F.now) == .ended)
        #expect(state.phase(of: F.group, at: F.now) == .open)
        #expect(state.phase(of: F.family, at: F.now) == .upcoming)
        #expect(state.phase(of: F.tomorrow, at: F.now) == .upcoming)
        // No frame announces a window opening or closing: time alone moves the states.
        #expect(state.phase(of: F.family, at: F.time("2026-11-24T03:15:00.000Z")) == .open)
        #expect(state.phase(of: F.group, at: F.time("2026-11-24T05:10:00.000Z")) == .ended)
        #expect(state.phase(of: RoomID("r_unknown"), at: F.now) == nil)
    }

    @Test func theRoomsBarShowsTodaysSessionsAndJoinedRoomsInStartOrder() {
        var state = ClientState()
        state.signIn(rooms: [F.tomorrowRoom, F.familyRoom, F.groupRoom])
        _ = state.feed(.schedule(.init(from: "2026-11-23T08:00:00.000Z", to: "2026-11-25T08:00:00.000Z",
                                       rooms: [F.morningRoom, F.tomorrowRoom], ref: nil)))

        let bar = state.barRooms(at: F.now)

        // Tomorrow's room is known (for /join and completion) but is not one of today's sessions.
        #expect(bar.map(\.id) == [F.morning, F.group, F.family])
        #expect(bar.map(\.phase) == [.ended, .open, .upcoming])
        #expect(bar.allSatisfy { !$0.joined })
        #expect(state.rooms[F.tomorrow] != nil)

        state.enter(F.tomorrow, seq: 0)
        #expect(state.barRooms(at: F.now).map(\.id) == [F.morning, F.group, F.family, F.tomorrow])
        #expect(state.barRooms(at: F.now).last?.joined == true)
    }

    @Test func theBarCountsPresentWaitingAlertsAndUnreadForJoinedRooms() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.knock(.init(room: F.group, member: F.tom, state: .waiting)))
        _ = state.feed(.alert(.init(F.alert(1))))
        _ = state.feed(.message(F.message(4)))

        let entry = state.barRooms(at: F.now).first { $0.id == F.group }
        #expect(entry == RoomBarEntry(id: F.group, title: "Group therapy (evening IOP)", phase: .open, joined: true,
                                      present: 2, waiting: 1, openAlerts: 1, unread: 1))
    }

    @Test func aCounselorsWelcomeAsksForTheOpenAlertsAndJoinsNothingByItself() {
        var counselor = ClientState()
        let effects = counselor.signIn()
        #expect(effects.commands == [.alerts(room: nil)])

        var participant = ClientState()
        #expect(participant.signIn(as: F.alex).isEmpty)
    }

    // MARK: Joining

    @Test func aFirstJoinAsksForTheLatestPageAndItsSnapshotFillsTheRoom() throws {
        var state = ClientState()
        state.signIn()
        let effects = state.on(.join(room: F.group))
        let join = try #require(effects.requests.first)
        #expect(effects.commands == [.join(room: F.group, afterSeq: nil)])
        #expect(join.ref != nil)
        #expect(state.roomStates[F.group]?.membership == .joining)

        let pinned = F.message(2)
        _ = state.feed(F.joined(seq: 12, messages: F.messages(8...12), more: true, members: [F.alex, F.dana, F.sam],
                                waiting: [F.tom, F.chris], hands: [F.sam], reports: [F.report(1)],
                                pinned: [pinned], controls: .init(locked: true, slowSeconds: 30), ref: join.ref))

        let room = try #require(state.roomStates[F.group])
        #expect(room.membership == .joined)
        #expect(room.have == 12)
        #expect(room.messages.map(\.seq) == [8, 9, 10, 11, 12])
        #expect(room.moreBefore)
        #expect(room.members == [F.alex, F.dana, F.sam])
        #expect(state.waitingList(in: F.group) == [F.tom, F.chris])
        #expect(state.hands(in: F.group) == [F.sam])
        #expect(room.pinned == [pinned])
        #expect(room.controls.locked && room.controls.slowSeconds == 30)
        #expect(state.openReports() == [F.report(1)])
        // The snapshot is history, not news.
        #expect(room.unread == 0)
        #expect(state.canLoadEarlier(in: F.group))
    }

    @Test func joiningARoomAlreadyJoinedDoesNothing() {
        var state = ClientState.counselorInGroup()
        #expect(state.on(.join(room: F.group)).isEmpty)
    }

    @Test func aJoinAskedForWhileOfflineIsSentAfterTheWelcome() {
        var state = ClientState()
        #expect(state.on(.join(room: F.group)).isEmpty)
        #expect(state.roomStates[F.group]?.membership == .joining)
        #expect(state.signIn().commands == [.alerts(room: nil), .join(room: F.group, afterSeq: nil)])
    }

    @Test func leavingSendsLeaveAndTheRoomStopsTakingLiveFrames() throws {
        var state = ClientState.counselorInGroup()
        #expect(state.on(.leave(room: F.group)).commands == [.leave(room: F.group)])
        _ = state.feed(.message(F.message(4)))

        let room = try #require(state.roomStates[F.group])
        #expect(room.membership == .left(reason: nil))
        #expect(room.messages.map(\.seq) == [1, 2, 3])
        #expect(state.barRooms(at: F.now).first { $0.id == F.group }?.joined == false)
    }

    // MARK: Live messages

    @Test func liveMessagesAreKeptInSeqOrderAndMoveHave() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.message(F.message(4)))
        _ = state.feed(.message(F.message(5, from: F.sam)))

        #expect(state.visibleMessages(in: F.group).map(\.seq) == [1, 2, 3, 4, 5])
        #expect(state.roomStates[F.group]?.have == 5)
    }

    @Test func aRepeatedSeqIsKeptOnceAndTheLaterCopyWins() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.message(F.message(4)))
        var edited = F.message(4)
        edited.hidden = true
        _ = state.feed(.message(edited))

        #expect(state.visibleMessages(in: F.group).map(\.seq) == [1, 2, 3, 4])
        #expect(state.visibleMessages(in: F.group).last?.hidden == true)
        #expect(state.roomStates[F.group]?.unread == 1)
    }

    @Test func aMessageWithAnOlderSeqTakesItsPlaceInOrder() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.message(F.message(5)))
        _ = state.feed(.message(F.message(4)))
        #expect(state.visibleMessages(in: F.group).map(\.seq) == [1, 2, 3, 4, 5])
    }

    @Test func privateQuestionsFromOthersAreListedAcrossRooms() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.message(F.message(4, kind: .private)))
        _ = state.feed(.message(F.message(5, from: F.dana, kind: .whisper)))
        _ = state.feed(.message(F.message(6, from: F.sam, kind: .private)))

        #expect(state.privateQuestions().map(\.seq) == [4, 6])
        #expect(state.privateQuestions(in: F.family).isEmpty)
    }

    // MARK: Unread

    @Test func unreadCountsOthersMessagesWhileTheRoomIsNotShownAndFocusResetsIt() throws {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.message(F.message(4)))
        _ = state.feed(.message(F.message(5, from: F.dana)))
        _ = state.feed(.message(F.message(6, from: F.sam)))
        #expect(state.roomStates[F.group]?.unread == 2)
        #expect(state.roomStates[F.group]?.unreadFrom == 4)

        _ = state.on(.focused(room: F.group))
        #expect(state.roomStates[F.group]?.unread == 0)
        // The line marking where unread messages started stays while the room is shown.
        #expect(state.roomStates[F.group]?.unreadFrom == 4)
        _ = state.feed(.message(F.message(7)))
        #expect(state.roomStates[F.group]?.unread == 0)

        _ = state.on(.focused(room: F.family))
        #expect(state.roomStates[F.group]?.unreadFrom == nil)
        _ = state.feed(.message(F.message(8)))
        let room = try #require(state.roomStates[F.group])
        #expect(room.unread == 1 && room.unreadFrom == 8)
    }

    // MARK: The bounded buffer

    @Test func theBufferKeepsTheNewestMessagesUpToItsLimit() throws {
        var state = ClientState.counselorInGroup(seq: 3, limit: 5)
        for seq in Int64(4)...9 { _ = state.feed(.message(F.message(seq))) }

        let room = try #require(state.roomStates[F.group])
        #expect(room.messages.map(\.seq) == [5, 6, 7, 8, 9])
        #expect(room.messages.limit == 5)
        // Dropping old messages never moves `have` back.
        #expect(room.have == 9)
    }

    @Test func theBufferFindsAndReplacesMessagesBySeq() {
        var state = ClientState.counselorInGroup(seq: 0, limit: 3)
        for seq: Int64 in [10, 2, 7, 2] { _ = state.feed(.message(F.message(seq, body: "v\(seq)"))) }
        let buffer = state.visibleMessages(in: F.group)
        #expect(buffer.map(\.seq) == [2, 7, 10])
        #expect(buffer.message(seq: 7)?.body == "v7")
        #expect(buffer.message(seq: 8) == nil)
        #expect(buffer.firstSeq == 2 && buffer.lastSeq == 10)
    }

    // MARK: Scrollback

    @Test func loadingEarlierAsksForThePageBeforeTheOldestAndMergesIt() throws {
        var state = ClientState(historyPage: 2)
        state.signIn()
        state.enter(seq: 12, messages: F.messages(10...12), more: true)

        let effects = state.on(.loadEarlier(room: F.group))
        #expect(effects.commands == [.history(room: F.group, beforeSeq: 10, limit: 2)])
        // One page at a time.
        #expect(state.on(.loadEarlier(room: F.group)).isEmpty)

        _ = state.feed(.history(.init(room: F.group, messages: F.messages(8...9), more: false,
                                      ref: effects.requests[0].ref)))
        let room = try #require(state.roomStates[F.group])
        #expect(room.messages.map(\.seq) == [8, 9, 10, 11, 12])
        #expect(room.unread == 0)
        #expect(!state.canLoadEarlier(in: F.group))
        #expect(state.on(.loadEarlier(room: F.group)).isEmpty)
    }

    @Test func loadingEarlierStopsWhenTheBufferIsFull() {
        var state = ClientState(messageLimit: 3)
        state.signIn()
        state.enter(seq: 12, messages: F.messages(10...12), more: true)
        #expect(!state.canLoadEarlier(in: F.group))
        #expect(state.on(.loadEarlier(room: F.group)).isEmpty)
    }

    // MARK: Connection

    @Test func anUnauthorizedTokenStopsTheClientWithTheServersWords() {
        var state = ClientState()
        _ = state.on(.connecting)
        _ = state.on(.connected)
        _ = state.feed(.error(.init(ProtocolError(.unauthorized, "Your access has ended."), ref: nil)))
        _ = state.on(.disconnected(code: 4001, reason: "unauthorized"))
        #expect(state.connection == .stopped(reason: "Your access has ended."))
    }

    @Test func aDroppedConnectionIsShownAsDisconnectedWithItsCode() {
        var state = ClientState.counselorInGroup()
        _ = state.on(.disconnected(code: 1006, reason: "network"))
        #expect(state.connection == .disconnected(code: 1006, reason: "network"))
        _ = state.on(.connecting)
        #expect(state.connection == .connecting)
        // What was read stays on screen while reconnecting.
        #expect(state.visibleMessages(in: F.group).count == 3)
    }
}
