import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing
@testable import HearthTerminal

struct ScreenModelTests {
    typealias F = Fixture

    private func press(_ keys: Key..., on model: inout ScreenModel, state: ClientState) -> [ScreenAction] {
        keys.flatMap { model.handle($0, state: state, now: F.now) }
    }

    private func enter(_ line: String, on model: inout ScreenModel, state: ClientState) -> [ScreenAction] {
        F.type(line, then: [.enter], into: &model, state: state)
    }

    // MARK: Rooms

    @Test func alt2SwitchesToTheSecondRoomOfTheBarAndEmitsFocused() {
        let state = F.signedIn(rooms: F.roomsWithSkills)
        var model = F.model(room: F.group)
        #expect(state.barRooms(at: F.now).map(\.id) == [F.group, F.family, F.skills])
        #expect(press(.alt("2"), on: &model, state: state) == [.apply(.focused(room: F.family))])
        #expect(model.view.currentRoom == F.family)
        // The room in front already: nothing to do. Past the bar's end: nothing either.
        #expect(press(.alt("2"), .alt("9"), on: &model, state: state) == [])
        #expect(model.view.currentRoom == F.family)
    }

    @Test func ctrlNAndCtrlPCycleThroughTheBar() {
        let state = F.signedIn(rooms: F.roomsWithSkills)
        var model = F.model(room: F.skills)
        #expect(press(.ctrl("n"), on: &model, state: state) == [.apply(.focused(room: F.group))])
        #expect(press(.ctrl("p"), on: &model, state: state) == [.apply(.focused(room: F.skills))])
        #expect(press(.ctrl("p"), on: &model, state: state) == [.apply(.focused(room: F.family))])
    }

    @Test func goOnlySwitchesTheViewAndJoinJoins() {
        let state = F.signedIn(rooms: F.roomsWithSkills)
        var model = F.model(room: nil)
        #expect(enter("/go family", on: &model, state: state) == [.apply(.focused(room: F.family))])
        #expect(enter("/join group th", on: &model, state: state)
                == [.apply(.join(room: F.group)), .apply(.focused(room: F.group))])
        #expect(model.view.currentRoom == F.group)
        #expect(model.view.status == .init(.info, "Joining Group therapy (evening IOP)…"))
        // Once the room answers, the status line goes back to its default (the room and who one is).
        let joined = ServerFrame.joined(.init(room: F.group, role: .counselor, open: true, members: [], messages: [],
                                              seq: 0, more: false, waiting: [], hands: [], reports: [], ref: "cs9"))
        _ = model.observe(joined, state: state, now: F.now)
        #expect(model.view.status == nil)
    }

    @Test func theFirstOpenRoomIsPutInFrontOnWelcomeWithoutJoiningIt() {
        let state = F.signedIn(rooms: F.roomsWithSkills)
        var model = F.model(room: nil)
        let welcome = ServerFrame.welcome(.init(user: F.dana, rooms: [F.familyRoom, F.groupRoom, F.skillsRoom],
                                                server: "hearth", ref: nil))
        #expect(model.observe(welcome, state: state, now: F.now) == [.apply(.focused(room: F.group))])
        // A later welcome (a reconnect) leaves the view alone.
        #expect(model.observe(welcome, state: state, now: F.now) == [])
    }

    @Test func requestsUnansweredWhenTheConnectionDroppedAreReportedOnTheNextWelcome() {
        let state = F.inGroup()
        var model = F.model()
        _ = enter("/lock", on: &model, state: state)
        let welcome = ServerFrame.welcome(.init(user: F.dana, rooms: [F.groupRoom], server: "hearth", ref: nil))
        _ = model.observe(welcome, state: state, now: F.now)
        #expect(model.asked.isEmpty)
        #expect(model.view.status == .init(.error, "The connection dropped before the server answered /lock: check whether it was done, and try again."))
        // A late reply to the old ref is ignored.
        _ = model.observe(.ok(.init(ref: "ui1")), state: state, now: F.now)
        #expect(model.view.status?.kind == .error)
    }

    @Test func leaveLeavesTheRoomInFront() {
        let state = F.inGroup()
        var model = F.model()
        #expect(enter("/leave", on: &model, state: state) == [.apply(.leave(room: F.group))])
    }

    // MARK: Messages

    @Test func typingAMessageEmitsQueuedSendForTheRoomInFront() {
        let state = F.inGroup()
        var model = F.model()
        let actions = enter("Welcome, everyone 👋", on: &model, state: state)
        #expect(actions == [.apply(.queuedSend(room: F.group, body: "Welcome, everyone 👋", clientID: "t-1"))])
        #expect(model.view.input == "")
        #expect(model.view.caret == 0)
        #expect(enter("second", on: &model, state: state)
                == [.apply(.queuedSend(room: F.group, body: "second", clientID: "t-2"))])
    }

    @Test func aMessageToARoomNotJoinedIsRefusedAndTheLineKept() {
        let state = F.inGroup()
        var model = F.model(room: F.family)
        #expect(enter("hello", on: &model, state: state) == [])
        #expect(model.view.status == .init(.error, "You have not joined Family therapy: Alex R.: /join it first to write there."))
        #expect(model.view.input == "hello")
    }

    @Test func announceAndWhisperAreSendsWithTheirFields() {
        let state = F.inGroup()
        var model = F.model()
        #expect(enter("/announce Break in 5", on: &model, state: state)
                == [.apply(.queuedSend(room: F.group, body: "Break in 5", clientID: "t-1", announce: true))])
        #expect(enter("/whisper Sam T. are you OK?", on: &model, state: state)
                == [.apply(.queuedSend(room: F.group, body: "are you OK?", clientID: "t-2", to: .member(F.sam.id)))])
    }

    @Test func aBlankLineDoesNothing() {
        var model = F.model()
        #expect(enter("   ", on: &model, state: F.inGroup()) == [])
    }

    // MARK: Requests and replies

    @Test func muteSamT5EmitsTheModerateRequest() {
        var model = F.model()
        let actions = enter("/mute Sam T. 5", on: &model, state: F.inGroup())
        #expect(actions == [.send(ClientRequest(.moderate(room: F.group, action: .mute(member: F.sam.id, minutes: 5,
                                                                                        reason: nil)), ref: "ui1"))])
        #expect(model.asked["ui1"]?.command == "/mute Sam T. 5")
    }

    @Test func moderationCommandsBuildTheProtocolsFields() {
        let state = F.inGroup()
        var model = F.model()
        let cases: [(String, ClientCommand)] = [
            ("/slow off", .moderate(room: F.group, action: .slow(seconds: 0))),
            ("/slow 30", .moderate(room: F.group, action: .slow(seconds: 30))),
            ("/review on", .moderate(room: F.group, action: .review(on: true))),
            ("/hide 3 personal attack", .moderate(room: F.group, action: .hide(seq: 3, reason: "personal attack"))),
            ("/lower Sam T.", .moderate(room: F.group, action: .lowerHand(member: F.sam.id))),
            ("/round next", .pass(room: F.group)),
            ("/round end", .moderate(room: F.group, action: .roundEnd)),
            ("/round start Sam T. Alex R.", .moderate(room: F.group, action: .roundStart(order: [F.sam.id, F.alex.id]))),
            ("/end", .moderate(room: F.group, action: .end)),
            ("/lock", .moderate(room: F.group, action: .lock)),
            ("/release 2", .moderate(room: F.group, action: .release(seq: 2))),
            ("/admit Tom T.", .admit(room: F.group, member: F.tom.id)),
            ("/admit all", .admit(room: F.group, member: nil)),
            ("/deny Tom T. Call the desk", .deny(room: F.group, member: F.tom.id, message: "Call the desk")),
            ("/resolve 3 done", .reportAck(report: 3, outcome: "done")),
            ("/attendance 2026-W47", .attendance(room: nil, week: ISOWeek("2026-W47"))),
            ("/summary", .summary(room: F.group)),
            ("/note Quiet night.", .note(room: F.group, body: "Quiet night.")),
            ("/notes", .notes(room: F.group)),
            ("/schedule", .schedule(from: nil, to: nil)),
            ("/schedule 2", .schedule(from: F.now, to: F.now.addingTimeInterval(2 * 86_400))),
            ("/breakglass Family therapy crisis call from the desk",
             .breakGlass(room: F.family, reason: "crisis call from the desk")),
        ]
        for (line, command) in cases {
            let actions = enter(line, on: &model, state: state)
            guard case .send(let request)? = actions.first, actions.count == 1 else {
                Issue.record("\(line): \(actions)")
                continue
            }
            #expect(request.command == command, "\(line)")
        }
    }

    @Test func roundStartAloneUsesTheOrderOfArrivalTheScreenSaw() {
        let state = F.inGroup()
        var model = F.model()
        _ = model.observe(.joined(.init(room: F.group, role: .counselor, open: true, members: [F.alex, F.dana],
                                        messages: [], seq: 0, more: false, ref: nil)), state: state, now: F.now)
        _ = model.observe(.presence(.init(room: F.group, member: F.sara, state: .joined)), state: state, now: F.now)
        _ = model.observe(.presence(.init(room: F.group, member: F.sam, state: .joined)), state: state, now: F.now)
        let actions = enter("/round start", on: &model, state: state)
        #expect(actions == [.send(ClientRequest(.moderate(room: F.group, action: .roundStart(
            order: [F.alex.id, F.sara.id, F.sam.id])), ref: "ui1"))])
    }

    @Test func aRefusedCommandShowsTheServersWordsInTheStatusLine() {
        let state = F.inGroup()
        var model = F.model()
        _ = enter("/mute Sam T. 5", on: &model, state: state)
        let refusal = ServerFrame.error(.init(.forbidden("You cannot act on this session."), ref: "ui1"))
        #expect(model.observe(refusal, state: state, now: F.now) == [])
        #expect(model.view.status == .init(.error, "/mute Sam T. 5: You cannot act on this session."))
        #expect(model.asked.isEmpty)
    }

    @Test func aRateLimitedCommandShowsTheServersWordsWithTheWait() {
        let state = F.inGroup()
        var model = F.model()
        _ = enter("/mute Sam T. 5", on: &model, state: state)
        let refusal = ServerFrame.error(.init(ProtocolError(.rateLimited, "Too many staff actions at once. Wait 4 s.",
                                                            retryAfter: 4), ref: "ui1"))
        #expect(model.observe(refusal, state: state, now: F.now) == [])
        #expect(model.view.status == .init(.error, "/mute Sam T. 5: Too many staff actions at once. Wait 4 s."))
    }

    @Test func anOkConfirmsBriefly() {
        let state = F.inGroup()
        var model = F.model()
        _ = enter("/mute Sam T. 5", on: &model, state: state)
        _ = model.observe(.ok(.init(ref: "ui1")), state: state, now: F.now)
        #expect(model.view.status == .init(.info, "Muted Sam T. for 5 minutes."))
    }

    @Test func aConfirmationEndingInANameHasOneFullStop() {
        let state = F.inGroup()
        var model = F.model()
        _ = enter("/unmute Sam T.", on: &model, state: state)
        _ = model.observe(.ok(.init(ref: "ui1")), state: state, now: F.now)
        #expect(model.view.status == .init(.info, "Unmuted Sam T."))
    }

    @Test func repliesToOtherRefsAreNotTheScreensBusiness() {
        let state = F.inGroup()
        var model = F.model()
        let refusal = ServerFrame.error(.init(.forbidden("Join room r_group first."), ref: "cs4"))
        #expect(model.observe(refusal, state: state, now: F.now) == [])
        #expect(model.view.status == nil)
    }

    @Test func aParseErrorShowsWhatToTypeAndKeepsTheLine() {
        var model = F.model()
        #expect(enter("/mute", on: &model, state: F.inGroup()) == [])
        #expect(model.view.status == .init(.error, "/mute needs NAME. Usage: /mute NAME [minutes]"))
        #expect(model.view.input == "/mute")
        #expect(model.editor.history == ["/mute"])
    }

    @Test func anInvitationLinkIsShownOnceInAnOverlay() {
        var state = F.signedIn(rooms: F.roomsWithSkills)
        F.enter(&state, F.family, members: [F.alex, F.dana], waiting: [F.maria])
        var model = F.model(room: F.family)
        #expect(enter("/invite Maria R.", on: &model, state: state)
                == [.send(ClientRequest(.invite(room: F.family, member: F.maria.id), ref: "ui1"))])
        let invitation = ServerFrame.invitation(.init(room: F.family, member: F.maria, token: "hth_abc",
                                                      expires: "2026-11-23T20:40:00-08:00", ref: "ui1"))
        _ = model.observe(invitation, state: state, now: F.now)
        let overlay = model.view.overlay
        #expect(overlay?.lines.first == "http://127.0.0.1:8080/#invite=hth_abc")
        #expect(overlay?.lines.contains { $0.contains("shown only once") } == true)
        #expect(press(.escape, on: &model, state: state) == [])
        #expect(model.view.overlay == nil)
    }

    @Test func recordsRepliesBecomeOverlays() {
        let state = F.inGroup()
        var model = F.model()
        _ = enter("/notes", on: &model, state: state)
        let note = ServerFrame.Note(id: 1, by: F.dana, body: "Sam quiet.\nFollow up.", ts: "2026-11-24T02:30:00.000Z")
        _ = model.observe(.notes(.init(room: F.group, notes: [note], ref: "ui1")), state: state, now: F.now)
        #expect(model.view.overlay?.title == "Notes: Group therapy (evening IOP)")
        #expect(model.view.overlay?.lines == ["2026-11-24 02:30 UTC, Dana M.:", "  Sam quiet.", "  Follow up.", ""])

        _ = enter("/schedule", on: &model, state: state)
        _ = model.observe(.schedule(.init(from: "a", to: "b", rooms: [F.groupRoom], ref: "ui2")), state: state,
                          now: F.now)
        #expect(model.view.overlay?.lines == ["2026-11-23 18:00–21:00  Group therapy (evening IOP)  (r_group)"])
    }

    @Test func webAddressComesFromTheServersSocketURL() {
        #expect(ScreenModel.webAddress(forServer: "ws://127.0.0.1:8080/ws") == "http://127.0.0.1:8080/")
        #expect(ScreenModel.webAddress(forServer: "wss://clinic.example/ws") == "https://clinic.example/")
    }

    // MARK: Alerts

    @Test func ackAcknowledgesTheOldestOpenAlert() {
        var state = F.inGroup()
        F.feed(&state,
               .alert(.init(F.alert(3, ts: "2026-11-24T02:01:00.000Z", acknowledgedBy: F.dana))),
               .alert(.init(F.alert(2, member: F.alex, ts: "2026-11-24T02:03:00.000Z"))),
               .alert(.init(F.alert(5, ts: "2026-11-24T02:02:00.000Z"))))
        var model = F.model()
        #expect(enter("/ack Called Sam", on: &model, state: state)
                == [.send(ClientRequest(.alertAck(alert: 5, outcome: "Called Sam"), ref: "ui1"))])
        #expect(enter("/ack 2", on: &model, state: state)
                == [.send(ClientRequest(.alertAck(alert: 2, outcome: nil), ref: "ui2"))])
        _ = model.observe(.ok(.init(ref: "ui1")), state: state, now: F.now)
        #expect(model.view.status == .init(.info, "Acknowledged alert 5 (Sam T., suicide)."))
    }

    @Test func ackWithNoOpenAlertSaysSo() {
        var model = F.model()
        #expect(enter("/ack", on: &model, state: F.inGroup()) == [])
        #expect(model.view.status == .init(.error, "No open alert to acknowledge."))
        var again = F.model()
        #expect(enter("/ack all", on: &again, state: F.inGroup()) == [])
        #expect(again.view.status == .init(.error, "No open alert to acknowledge."))
    }

    @Test func ackAllAcknowledgesEveryOpenAlertInBulkRequestsOfAHundred() {
        var state = F.inGroup()
        F.feed(&state,
               .alert(.init(F.alert(3, ts: "2026-11-24T02:01:00.000Z", acknowledgedBy: F.dana))),
               .alert(.init(F.alert(2, member: F.alex, ts: "2026-11-24T02:03:00.000Z"))),
               .alert(.init(F.alert(5, ts: "2026-11-24T02:02:00.000Z"))))
        var model = F.model()
        #expect(enter("/ack all Called both after group.", on: &model, state: state)
                == [.send(ClientRequest(.alertAckMany(alerts: [5, 2], outcome: "Called both after group."), ref: "ui1"))])
        _ = model.observe(.ok(.init(ref: "ui1")), state: state, now: F.now)
        #expect(model.view.status == .init(.info, "Acknowledged 2 alerts."))

        for id in Int64(10)..<Int64(160) {
            F.feed(&state, .alert(.init(F.alert(id, ts: "2026-11-24T03:00:00.000Z"))))
        }
        let actions = enter("/ack all", on: &model, state: state)
        let lists = actions.compactMap { action -> [Int64]? in
            if case .send(let request) = action, case .alertAckMany(let ids, nil) = request.command { return ids }
            return nil
        }
        #expect(lists.map(\.count) == [100, 52])
        #expect(Set(lists.joined()) == Set([5, 2] + Array(10..<160)))
    }

    @Test func anAlertFrameAsksForTheBellOnceAndAgainWhenEscalated() {
        let state = F.inGroup()
        var model = F.model()
        #expect(model.observe(.alert(.init(F.alert(1))), state: state, now: F.now) == [.bell])
        // The replay after a reconnect does not ring again.
        #expect(model.observe(.alert(.init(F.alert(1))), state: state, now: F.now) == [])
        #expect(model.observe(.alert(.init(F.alert(1, escalated: true))), state: state, now: F.now) == [.bell])
        #expect(model.observe(.alert(.init(F.alert(1, escalated: true))), state: state, now: F.now) == [])
        // Acknowledged: no bell.
        #expect(model.observe(.alert(.init(F.alert(2, acknowledgedBy: F.dana))), state: state, now: F.now) == [])
    }

    // MARK: Keys

    @Test func ctrlCAndQuitQuit() {
        var model = F.model()
        #expect(press(.ctrl("c"), on: &model, state: F.inGroup()) == [.quit])
        #expect(enter("/quit", on: &model, state: F.inGroup()) == [.quit])
    }

    @Test func pageUpAndDownScrollTheRoomAndLoadEarlierAtTheTop() {
        var state = F.signedIn(rooms: F.roomsWithSkills)
        F.enter(&state, messages: (11...40).map { F.message($0) }, more: true, members: [F.alex, F.dana])
        var model = F.model()
        model.view.pageSize = 10
        #expect(press(.pageUp, on: &model, state: state) == [])
        #expect(model.view.scrollBack[F.group] == 10)
        #expect(press(.pageUp, on: &model, state: state) == [.apply(.loadEarlier(room: F.group))])
        #expect(model.view.scrollBack[F.group] == 20)
        _ = press(.pageDown, .pageDown, .pageDown, on: &model, state: state)
        #expect(model.view.scrollBack[F.group] == 0)
    }

    @Test func pageKeysScrollAnOpenOverlayAndEscClosesIt() {
        var model = F.model()
        model.view.pageSize = 5
        _ = enter("/help", on: &model, state: F.inGroup())
        #expect(model.view.overlay?.title == "Commands")
        _ = press(.pageDown, on: &model, state: F.inGroup())
        #expect(model.view.overlay?.offset == 5)
        _ = press(.pageUp, .pageUp, on: &model, state: F.inGroup())
        #expect(model.view.overlay?.offset == 0)
        _ = press(.escape, on: &model, state: F.inGroup())
        #expect(model.view.overlay == nil)
    }

    @Test func helpForOneCommandGoesInTheStatusLine() {
        var model = F.model()
        _ = enter("/help mute", on: &model, state: F.inGroup())
        #expect(model.view.status?.text.hasPrefix("/mute NAME [minutes]: Mutes a member") == true)
    }

    @Test func tabCompletesAndCyclesThroughTheModel() {
        let state = F.inGroup()
        var model = F.model()
        _ = F.type("/mute Sa", then: [.tab], into: &model, state: state)
        #expect(model.view.input == "/mute Sam T. ")
        #expect(model.view.status == .init(.info, "Sam T.  Sara K."))
        _ = press(.tab, on: &model, state: state)
        #expect(model.view.input == "/mute Sara K. ")
        _ = press(.backTab, on: &model, state: state)
        #expect(model.view.input == "/mute Sam T. ")
        // Another key ends the cycle: the next Tab completes afresh (nothing after a whole name).
        _ = F.type("5", then: [.tab], into: &model, state: state)
        #expect(model.view.input == "/mute Sam T. 5")
        #expect(model.view.caret == 14)
    }

    @Test func editingKeysReachTheInputLine() {
        var model = F.model()
        let state = F.inGroup()
        _ = F.type("hello world", then: [.ctrl("w"), .ctrl("a"), .character(">")], into: &model, state: state)
        #expect(model.view.input == ">hello ")
        #expect(model.view.caret == 1)
        _ = press(.enter, .up, on: &model, state: state)
        #expect(model.view.input == ">hello ")
    }
}
