import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing

/// What a counselor's client keeps besides messages: presence, the waiting room, hands, the round, moderation
/// flags and controls, alerts, reports and check-ins.
struct ClientStateStaffTests {
    typealias F = Fixture

    // MARK: Presence and the waiting room

    @Test func presenceKeepsMembersSortedByNameThenID() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.presence(.init(room: F.group, member: F.sam, state: .joined)))
        _ = state.feed(.presence(.init(room: F.group, member: F.chris, state: .joined)))
        #expect(state.roomStates[F.group]?.members == [F.alex, F.chris, F.dana, F.sam])

        _ = state.feed(.presence(.init(room: F.group, member: F.alex, state: .left)))
        // A second connection of someone present causes no frame; a repeat changes nothing either.
        _ = state.feed(.presence(.init(room: F.group, member: F.sam, state: .joined)))
        #expect(state.roomStates[F.group]?.members == [F.chris, F.dana, F.sam])
    }

    @Test func knocksKeepTheWaitingListInOrderOfArrival() {
        var state = ClientState.counselorInGroup()
        for member in [F.tom, F.sam, F.chris] {
            _ = state.feed(.knock(.init(room: F.group, member: member, state: .waiting)))
        }
        #expect(state.waitingList(in: F.group) == [F.tom, F.sam, F.chris])

        _ = state.feed(.knock(.init(room: F.group, member: F.sam, state: .admitted)))
        _ = state.feed(.knock(.init(room: F.group, member: F.tom, state: .denied)))
        #expect(state.waitingList(in: F.group) == [F.chris])
        _ = state.feed(.knock(.init(room: F.group, member: F.chris, state: .left)))
        #expect(state.waitingList(in: F.group).isEmpty)
    }

    @Test func knocksAtARoomTheCounselorLeadsButHasNotJoinedAreKept() {
        var state = ClientState()
        state.signIn()
        _ = state.feed(.knock(.init(room: F.family, member: F.tom, state: .waiting)))

        #expect(state.waitingList(in: F.family) == [F.tom])
        #expect(state.roomStates[F.family]?.membership == RoomState.Membership.none)
        // Not a room the counselor is in: no rejoin after a reconnect.
        _ = state.on(.disconnected(code: 1006, reason: "network"))
        #expect(state.signIn().commands == [.alerts(room: nil)])
    }

    @Test func theSnapshotReplacesTheWaitingListHeardFromKnocks() {
        var state = ClientState()
        state.signIn()
        _ = state.feed(.knock(.init(room: F.group, member: F.tom, state: .waiting)))
        state.enter(seq: 0, waiting: [F.sam])
        #expect(state.waitingList(in: F.group) == [F.sam])
    }

    // MARK: Hands and the check-in round

    @Test func handsFollowTheQueueTheServerSends() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.hands(.init(room: F.group, queue: [F.sam, F.alex])))
        #expect(state.hands(in: F.group) == [F.sam, F.alex])
        _ = state.feed(F.moderation(.lowerHand, target: F.sam))
        #expect(state.hands(in: F.group) == [F.alex])
        _ = state.feed(.hands(.init(room: F.group, queue: [])))
        #expect(state.hands(in: F.group).isEmpty)
    }

    @Test func theRoundFollowsRoundStartPassAndRoundEnd() {
        var state = ClientState.counselorInGroup()
        let order = [F.alex, F.sam]
        _ = state.feed(F.moderation(.roundStart, round: .init(order: order, speaker: F.alex)))
        #expect(state.round(in: F.group) == .init(order: order, speaker: F.alex))
        _ = state.feed(F.moderation(.pass, round: .init(order: order, speaker: F.sam)))
        #expect(state.round(in: F.group)?.speaker == F.sam)
        _ = state.feed(F.moderation(.roundEnd))
        #expect(state.round(in: F.group) == nil)
    }

    // MARK: Moderation

    @Test func hidePinAndReleaseChangeTheMessageWhereverItIsHeld() throws {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.message(F.message(4, held: true)))

        _ = state.feed(F.moderation(.hide, seq: 2, reason: "personal attack"))
        _ = state.feed(F.moderation(.pin, seq: 3))
        _ = state.feed(F.moderation(.release, seq: 4))
        var room = try #require(state.roomStates[F.group])
        let hidden = try #require(room.messages.message(seq: 2))
        // Staff keep the text and see why.
        #expect(hidden.hidden == true && hidden.hiddenReason == "personal attack" && hidden.body == "message 2")
        #expect(room.messages.message(seq: 3)?.pinned == true)
        #expect(room.pinned.map(\.seq) == [3])
        #expect(room.messages.message(seq: 4)?.held == nil)

        _ = state.feed(F.moderation(.hide, seq: 3, reason: "off topic"))
        #expect(state.roomStates[F.group]?.pinned.first?.hidden == true)
        _ = state.feed(F.moderation(.unhide, seq: 2))
        _ = state.feed(F.moderation(.unpin, seq: 3))
        room = try #require(state.roomStates[F.group])
        #expect(room.messages.message(seq: 2)?.hidden == nil)
        #expect(room.messages.message(seq: 2)?.hiddenReason == nil)
        #expect(room.messages.message(seq: 3)?.pinned == nil)
        #expect(room.pinned.isEmpty)
    }

    @Test func aParticipantSeesAHiddenMessageWithoutTextAndAsksForItAgainWhenUnhidden() throws {
        var state = ClientState()
        state.signIn(as: F.alex)
        state.enter(seq: 3, messages: F.messages(1...3), role: .participant)
        _ = state.feed(F.moderation(.hide, seq: 2))
        #expect(state.visibleMessages(in: F.group).message(seq: 2)?.body == "")

        let effects = state.feed(F.moderation(.unhide, seq: 2))
        #expect(effects.commands == [.history(room: F.group, beforeSeq: 3, limit: 1)])
        _ = state.feed(.history(.init(room: F.group, messages: [F.message(2)], more: false, ref: effects.requests[0].ref)))
        #expect(state.visibleMessages(in: F.group).message(seq: 2)?.body == "message 2")
    }

    @Test func lockSlowAndReviewSetTheRoomsControls() throws {
        var state = ClientState.counselorInGroup()
        _ = state.feed(F.moderation(.lock))
        _ = state.feed(F.moderation(.slow, seconds: 30))
        _ = state.feed(F.moderation(.review, on: true))
        var controls = try #require(state.roomStates[F.group]?.controls)
        #expect(controls.locked && controls.slowSeconds == 30 && controls.review)

        _ = state.feed(F.moderation(.unlock))
        _ = state.feed(F.moderation(.slow, seconds: 0))
        _ = state.feed(F.moderation(.review, on: false))
        controls = try #require(state.roomStates[F.group]?.controls)
        #expect(!controls.locked && controls.slowSeconds == 0 && !controls.review)
    }

    @Test func mutesAreListedUntilUnmutedOrTheirTimeIsUp() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(F.moderation(.mute, target: F.sam, until: "2026-11-24T02:09:00.000Z"))
        _ = state.feed(F.moderation(.mute, target: F.alex))
        #expect(state.mutedMembers(in: F.group, at: F.now) == [F.alex, F.sam])
        // A timed mute ends by itself, even if its `unmute` was missed.
        #expect(state.mutedMembers(in: F.group, at: F.time("2026-11-24T02:09:00.000Z")) == [F.alex])
        _ = state.feed(F.moderation(.unmute, target: F.alex))
        #expect(state.mutedMembers(in: F.group, at: F.now) == [F.sam])
    }

    @Test func endedKeepsAStaffMemberInTheRoomReadOnly() throws {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.hands(.init(room: F.group, queue: [F.sam])))
        _ = state.feed(.ended(.init(room: F.group, by: F.luis)))

        let room = try #require(state.roomStates[F.group])
        #expect(room.membership == .joined)
        #expect(room.controls.ended)
        #expect(room.hands.isEmpty)
        #expect(state.phase(of: F.group, at: F.now) == .ended)
    }

    @Test func aModerationActionThisBuildDoesNotKnowIsKeptAndChangesNothing() throws {
        var state = ClientState.counselorInGroup()
        let before = state
        let frame = try FrameCodec().decodeServerFrame(Array(#"""
            {"action":"spotlight","room":"r_group","target":{"id":"p_sam","name":"Sam T.","role":"participant"},"type":"moderation"}
            """#.utf8))
        guard case .moderation(let moderation) = frame else { Issue.record("not a moderation frame: \(frame)"); return }
        #expect(moderation.action == .unknown("spotlight"))
        #expect(state.feed(frame).isEmpty)
        #expect(state == before)
    }

    // MARK: Alerts

    @Test func anAlertOfACategoryAndSeverityThisBuildDoesNotKnowIsKeptAsSent() throws {
        var state = ClientState.counselorInGroup()
        let frame = try FrameCodec().decodeServerFrame(Array(#"""
            {"category":"gambling","id":7,"member":{"id":"p_sam","name":"Sam T.","role":"participant"},"room":"r_group","severity":"critical","ts":"2026-11-24T02:04:55.610Z","type":"alert"}
            """#.utf8))
        _ = state.feed(frame)
        let alert = try #require(state.alerts[7])
        #expect(alert.category == .unknown("gambling") && alert.severity == .unknown("critical"))
        #expect(state.openAlerts.map(\.id) == [7])
    }

    @Test func aLaterAlertFrameReplacesTheEarlierOneByID() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.alert(.init(F.alert(2, ts: "2026-11-24T02:06:00.000Z"))))
        _ = state.feed(.alert(.init(F.alert(1))))
        #expect(state.openAlerts.map(\.id) == [1, 2])

        _ = state.feed(.alert(.init(F.alert(1, escalated: true))))
        #expect(state.alerts.count == 2)
        #expect(state.openAlerts.first?.escalated == true)

        _ = state.feed(.alert(.init(F.alert(1, escalated: true, acknowledgedBy: F.luis))))
        #expect(state.openAlerts.map(\.id) == [2])
        // Acknowledged alerts stay, marked.
        #expect(state.alerts[1]?.acknowledgedBy == F.luis)
        #expect(state.alerts[1]?.isOpen == false)
    }

    @Test func theAlertsReplyReplacesTheOpenAlertsHeld() throws {
        var state = ClientState()
        _ = state.on(.connected)
        _ = state.feed(.welcome(.init(user: F.dana, rooms: [], server: "hearth/0.1.0", ref: nil)))
        _ = state.feed(.alert(.init(F.alert(1))))
        _ = state.feed(.alert(.init(F.alert(2, acknowledgedBy: F.luis))))
        _ = state.on(.disconnected(code: 1006, reason: "network"))

        let welcome = state.signIn()
        let ask = try #require(welcome.requests.first)
        #expect(ask.command == .alerts(room: nil))
        // Replayed after the welcome: alert 3 is still open; alert 1 was acknowledged while away, so it is not.
        _ = state.feed(.alert(.init(F.alert(3, ts: "2026-11-24T02:07:00.000Z"))))
        _ = state.feed(.alerts(.init(alerts: [F.alert(3, ts: "2026-11-24T02:07:00.000Z")], ref: ask.ref)))

        #expect(state.openAlerts.map(\.id) == [3])
        #expect(state.alerts[1] == nil)
        #expect(state.alerts[2]?.acknowledgedBy == F.luis)
    }

    @Test func anAlertsReplyTheStateDidNotAskForOnlyAdds() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.alert(.init(F.alert(1))))
        _ = state.feed(.alerts(.init(alerts: [F.alert(4, room: F.family)], ref: "screen-7")))
        #expect(state.openAlerts.map(\.id) == [1, 4])
    }

    // MARK: Reports and check-ins

    @Test func reportsAreKeptByIDUntilResolved() {
        var state = ClientState.counselorInGroup()
        _ = state.feed(.report(F.report(1)))
        _ = state.feed(.report(F.report(2, seq: 3)))
        #expect(state.openReports(in: F.group).map(\.id) == [1, 2])

        _ = state.feed(.report(F.report(1, resolved: true)))
        #expect(state.openReports().map(\.id) == [2])
        #expect(state.reports[1]?.resolved == true)
    }

    @Test func aSnapshotMarksReportsMissingFromItAsResolved() {
        var state = ClientState.counselorInGroup(seq: 3)
        _ = state.feed(.report(F.report(1)))
        _ = state.feed(.report(F.report(2)))
        _ = state.feed(.report(F.report(9, room: F.family)))
        _ = state.on(.disconnected(code: 1006, reason: "network"))
        let welcome = state.signIn()
        _ = state.feed(F.joined(seq: 3, reports: [F.report(2)], ref: welcome.requests[1].ref))

        #expect(state.openReports().map(\.id) == [2, 9])
        #expect(state.reports[1]?.resolved == true)
    }

    @Test func checkinsAreKeptPerMemberInTheOrderReceived() {
        var state = ClientState.counselorInGroup()
        let first = Checkin(room: F.group, member: F.alex, mood: 4, craving: 6, safe: true, ts: "2026-11-24T02:04:51.990Z")
        let second = Checkin(room: F.group, member: F.alex, mood: 6, craving: 3, safe: true, ts: "2026-11-24T02:30:00.000Z")
        let sams = Checkin(room: F.group, member: F.sam, mood: nil, craving: nil, safe: false, ts: "2026-11-24T02:05:00.000Z")
        for checkin in [first, sams, second] { _ = state.feed(.checkin(.init(checkin))) }

        #expect(state.roomStates[F.group]?.checkins[F.alex.id] == [first, second])
        #expect(state.latestCheckins(in: F.group) == [F.alex.id: second, F.sam.id: sams])
    }

    @Test func checkinsForARoomTheCounselorLeadsArriveBeforeJoiningIt() {
        var state = ClientState()
        state.signIn()
        let checkin = Checkin(room: F.family, member: F.alex, mood: 5, craving: nil, safe: nil, ts: "2026-11-24T03:20:00.000Z")
        _ = state.feed(.checkin(.init(checkin)))
        #expect(state.latestCheckins(in: F.family) == [F.alex.id: checkin])
    }
}
