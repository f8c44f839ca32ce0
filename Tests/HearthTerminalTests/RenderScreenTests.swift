import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing
@testable import HearthTerminal

/// The rooms bar, the alert banner, the layout at several sizes, the status and input lines.
struct RenderScreenTests {
    typealias F = Fixture

    // MARK: Rooms bar

    @Test func theRoomsBarListsTodaysSessionsWithTheirStateAndTheJoinedRoomsCounts() {
        var state = F.counselorInGroup()
        F.feed(&state, .knock(.init(room: F.group, member: F.tom, state: .waiting)), .alert(.init(F.alert(3))))
        let grid = F.render(state, F.view(), width: 100, height: 20)
        let bar = grid.line(0)
        // Morning (ended), the group (open, 3 present, 1 waiting, 1 alert), the family session (upcoming); not tomorrow.
        #expect(bar.hasPrefix("1:Morning skills ✓  2:Group therapy (evening … ● p3 w1 !1  3:Family therapy: Alex R. ·"),
                "\(grid.dump)")
        #expect(!bar.contains("Relapse"))
    }

    @Test func theCurrentRoomIsInReverseVideoAndTheOthersAreNot() {
        let state = F.counselorInGroup()
        let grid = F.render(state, F.view())
        let bar = grid.line(0)
        let start = bar.range(of: "2:Group")!.lowerBound
        let column = TextWidth.columns(bar[..<start])
        #expect(grid[0, column].style.reverse)
        #expect(grid[0, column + 5].style.reverse)
        #expect(!grid[0, 0].style.reverse)
        let family = TextWidth.columns(bar[..<bar.range(of: "3:Family")!.lowerBound])
        #expect(!grid[0, family].style.reverse)
        // A room the person has not joined is dimmed.
        #expect(grid[0, family].style.dim)
    }

    @Test func unreadMessagesOfAnotherJoinedRoomAreCountedInTheBar() {
        var state = F.counselorInGroup()
        F.enter(&state, F.family, seq: 0, members: [F.alex, F.dana, F.tom])
        F.feed(&state, .message(F.message(1, in: F.family)), .message(F.message(2, in: F.family)))
        let grid = F.render(state, F.view(), width: 120, height: 20)
        #expect(grid.line(0).contains("3:Family therapy: Alex R. · p3 +2"), "\(grid.dump)")
    }

    @Test func aNarrowBarShortensTitlesAndKeepsTheCurrentRoomVisible() {
        var state = F.counselorInGroup()
        F.enter(&state, F.family, seq: 0)
        _ = state.apply(.focused(room: F.family), now: F.now)
        let grid = F.render(state, F.view(F.family), width: 30, height: 15)
        let bar = grid.line(0)
        #expect(bar.hasPrefix("1 ✓  2 ● p3  3 · p3"), "\(grid.dump)")
        let column = TextWidth.columns(bar[..<bar.range(of: "3 ·")!.lowerBound])
        #expect(grid[0, column].style.reverse)
        #expect(grid.rowsAreWellFormed)
    }

    @Test func aRoomOnScreenFromAnotherDayStillShowsInTheBarWithoutANumber() {
        let grid = F.render(F.signedIn(), F.view(F.tomorrow), width: 120, height: 20)
        #expect(grid.line(0).contains("3:Family therapy: Alex R. ·  Relapse prevention group ·"), "\(grid.dump)")
        let bar = grid.line(0)
        #expect(grid[0, TextWidth.columns(bar[..<bar.range(of: "Relapse")!.lowerBound])].style.reverse)
    }

    @Test func theBarSaysWhenTheConnectionIsNotOnline() {
        var state = F.counselorInGroup()
        _ = state.apply(.disconnected(code: 1006, reason: "gone"), now: F.now)
        #expect(F.render(state, F.view()).line(0).hasSuffix("reconnecting…"))
        _ = state.apply(.connecting, now: F.now)
        #expect(F.render(state, F.view()).line(0).hasSuffix("reconnecting…"))
        _ = state.apply(.disconnected(code: 4001, reason: "token revoked"), now: F.now)
        #expect(F.render(state, F.view()).line(0).hasSuffix("stopped: token revoked"))
        #expect(F.render(ClientState(), ViewState()).line(0).hasSuffix("offline"))
    }

    // MARK: Alert banner

    @Test func anOpenAlertTakesABannerLineNamingRoomMemberCategoryAndSeverity() {
        var state = F.counselorInGroup()
        F.feed(&state, .alert(.init(F.alert(3))))
        let grid = F.render(state, F.view(), width: 100, height: 20)
        let banner = grid.line(1)
        #expect(banner.hasPrefix("ALERT Sam T.: suicide, high · Group therapy (evening IOP) · 18:04 · msg #3"),
                "\(grid.dump)")
        #expect(banner.hasSuffix("/ack 3"))
        #expect(!banner.contains("ESCALATED"))
        #expect(grid[1, 0].style.bold && grid[1, 0].style.reverse && grid[1, 0].style.foreground == .red)
        #expect(grid[1, 99].style.reverse)
    }

    @Test func theBannerShowsTheOldestOpenAlertMarksEscalationAndCountsTheOthers() {
        var state = F.counselorInGroup()
        F.feed(&state,
               .alert(.init(F.alert(5, member: F.alex, ts: "2026-11-24T02:06:00.000Z", category: .crisis(.relapse),
                                    severity: .medium))),
               .alert(.init(F.alert(4, ts: "2026-11-24T02:05:00.000Z", category: .notSafe, escalated: true))),
               .alert(.init(F.alert(2, ts: "2026-11-24T02:03:00.000Z", acknowledgedBy: F.dana))))
        let grid = F.render(state, F.view())
        let banner = grid.line(1)
        #expect(banner.hasPrefix("ALERT ESCALATED Sam T.: not safe, high · Group therapy"), "\(grid.dump)")
        #expect(banner.hasSuffix("/ack 4 (+1 more)"))
        let escalated = TextWidth.columns("ALERT ")
        #expect(grid[1, escalated].style.underline)
    }

    @Test func aCoalescedAlertShowsHowManySignalsItStandsFor() {
        var state = F.counselorInGroup()
        var alert = F.alert(3, category: .notSafe)
        alert.count = 2000
        alert.latest = "2026-11-24T02:09:00.000Z"
        F.feed(&state, .alert(.init(alert)))
        let banner = F.render(state, F.view(), width: 100, height: 20).line(1)
        #expect(banner.hasPrefix("ALERT Sam T.: not safe ×2000, high · Group therapy (evening IOP) · 18:04"), "\(banner)")
        #expect(banner.hasSuffix("/ack 3"))
    }

    @Test func anAlertOfACategoryAndSeverityThisBuildDoesNotKnowIsShownAsSent() {
        var state = F.counselorInGroup()
        F.feed(&state, .alert(.init(F.alert(3, category: .unknown("problem_gambling"), severity: .unknown("critical\u{1B}[2J")))))
        let banner = F.render(state, F.view(), width: 100, height: 20).line(1)
        #expect(banner.hasPrefix("ALERT Sam T.: problem gambling, critical"), "\(banner)")
        #expect(!banner.contains("\u{1B}"))
    }

    @Test func theBannerKeepsTheAckCommandOnANarrowScreen() {
        var state = F.counselorInGroup()
        F.feed(&state, .alert(.init(F.alert(3, escalated: true))), .alert(.init(F.alert(9, member: F.alex))))
        let grid = F.render(state, F.view(), width: 60, height: 15)
        #expect(grid.line(1).hasPrefix("ALERT ESCALATED Sam T.: suicide, high"), "\(grid.dump)")
        #expect(grid.line(1).hasSuffix("/ack 3 (+1 more)"))
    }

    @Test func noBannerOnceEveryAlertIsAcknowledged() {
        var state = F.counselorInGroup()
        F.feed(&state, .alert(.init(F.alert(3))), .alert(.init(F.alert(3, acknowledgedBy: F.dana))))
        let grid = F.render(state, F.view())
        #expect(grid.row(containing: "ALERT") == nil)
        #expect(grid.line(13).hasPrefix("18:04 #1 Alex R."), "\(grid.dump)")
    }

    @Test func theBannerShowsInEveryViewEvenWithNoRoomChosen() {
        var state = F.signedIn()
        F.feed(&state, .alert(.init(F.alert(3))))
        var view = F.view(nil)
        view.overlay = .init(title: "Help", lines: ["/join ROOM"])
        let grid = F.render(state, view)
        #expect(grid.line(1).hasPrefix("ALERT Sam T."))
    }

    // MARK: Sizes

    @Test(arguments: [(60, 15), (80, 24), (80, 20), (120, 30), (90, 15), (89, 15), (30, 8), (20, 5), (10, 3), (5, 2),
                      (1, 1)])
    func everyRowTakesExactlyTheWidthAtEverySize(width: Int, height: Int) {
        let grid = F.render(Self.busyRoom(), Self.busyView(), width: width, height: height)
        #expect(grid.width == width && grid.height == height)
        #expect(grid.rowsAreWellFormed, "\(grid.dump)")
        let cursor = try! #require(grid.cursor)
        #expect(cursor.row == height - 1 && cursor.column < width)
    }

    @Test func anEmptyScreenRendersNothing() {
        let grid = F.render(F.counselorInGroup(), F.view(), width: 0, height: 0)
        #expect(grid.rows.isEmpty)
    }

    @Test func theLayoutHasEveryPartAt80By24() {
        let state = Self.busyRoom()
        let layout = ScreenRenderer.layout(state: state, view: Self.busyView(), width: 80, height: 24)
        #expect(layout.barRow == 0)
        #expect(layout.bannerRow == 1)
        #expect(layout.controlsRow == 2)
        #expect(layout.messageTop == 3)
        #expect(layout.messageRows == 17)
        #expect(layout.summaryRow == 20)
        #expect(layout.queuesRow == 21)
        #expect(layout.statusRow == 22)
        #expect(layout.inputRow == 23)
        #expect(layout.membersColumn == nil)
        #expect(ScreenRenderer.messageRows(state: state, view: Self.busyView(), width: 80, height: 24) == 17)
    }

    @Test func wideScreensGetAMembersPaneInsteadOfTheSummaryLine() {
        let layout = ScreenRenderer.layout(state: Self.busyRoom(), view: Self.busyView(), width: 120, height: 30)
        #expect(layout.membersColumn == 120 - ScreenLayout.membersWidth)
        #expect(layout.paneWidth == 120 - ScreenLayout.membersWidth)
        #expect(layout.summaryRow == nil)
        #expect(layout.messageRows == 30 - 6)
    }

    @Test func aSmallScreenKeepsTheBannerAndTheInputLineBeforeTheOptionalLines() {
        let layout = ScreenRenderer.layout(state: Self.busyRoom(), view: Self.busyView(), width: 60, height: 6)
        #expect(layout.barRow == 0)
        #expect(layout.bannerRow == 1)
        #expect(layout.statusRow != nil)
        #expect(layout.summaryRow == nil && layout.controlsRow == nil)
        #expect(layout.messageRows >= 1)
        #expect(layout.inputRow == 5)
    }

    // MARK: Status and input

    @Test func theStatusLineShowsTheLastResultAndErrorsInRed() {
        var view = F.view()
        view.status = .init(.error, "Not allowed: you are not in this room.")
        let grid = F.render(F.counselorInGroup(), view)
        #expect(grid.line(18).hasPrefix("Not allowed: you are not in this room."), "\(grid.dump)")
        #expect(grid[18, 0].style.foreground == .red)
        view.status = .init(.info, "Admitted Tom T.")
        #expect(F.render(F.counselorInGroup(), view).line(18).hasPrefix("Admitted Tom T."))
    }

    @Test func theInputLineShowsThePromptAndTheCaretCountsWideCharactersAsTwoColumns() {
        var view = F.view()
        view.input = "日本語abc"
        view.caret = 3
        let grid = F.render(F.counselorInGroup(), view)
        #expect(grid.line(19).hasPrefix("> 日本語abc"))
        #expect(grid.cursor?.row == 19)
        #expect(grid.cursor?.column == 8)
        view.caret = 6
        #expect(F.render(F.counselorInGroup(), view).cursor?.column == 11)
        view.caret = 0
        #expect(F.render(F.counselorInGroup(), view).cursor?.column == 2)
    }

    @Test func aLongInputScrollsSidewaysSoTheCaretStaysVisible() {
        var view = F.view()
        view.input = String(repeating: "word ", count: 20) + "日本語 end"
        view.caret = view.input.count
        let grid = F.render(F.counselorInGroup(), view, width: 40, height: 15)
        let line = grid.line(14)
        #expect(line.hasPrefix("< "), "\(grid.dump)")
        #expect(line.contains("日本語 end"))
        #expect(grid.cursor?.column == 39)
        #expect(grid.rowsAreWellFormed)
        // Back at the start, the line shows its beginning.
        view.caret = 2
        let start = F.render(F.counselorInGroup(), view, width: 40, height: 15)
        #expect(start.line(14).hasPrefix("> word word"))
        #expect(start.cursor?.column == 4)
    }

    @Test func theCaretAfterAWideCharacterAtTheEdgeIsStillOnScreen() {
        var view = F.view()
        view.input = String(repeating: "日", count: 30)
        for caret in 0...30 {
            view.caret = caret
            let grid = F.render(F.counselorInGroup(), view, width: 21, height: 8)
            let cursor = try! #require(grid.cursor)
            #expect(cursor.column < 21)
            // The caret sits right after the characters before it.
            let line = grid.line(7)
            let shown = line.dropFirst(2).filter { $0 == "日" }.count
            #expect(shown > 0 || caret == 0)
            #expect(grid.rowsAreWellFormed)
        }
    }

    // MARK: Helpers

    /// The group room with something in every queue: an alert, a waiting family member, a raised hand, a muted
    /// participant who is not safe, slow mode, a report and a private question.
    static func busyRoom() -> ClientState {
        var state = F.counselorInGroup(seq: 12)
        F.feed(&state, .alert(.init(F.alert(3))),
               .knock(.init(room: F.group, member: F.tom, state: .waiting)),
               .hands(.init(room: F.group, queue: [F.alex])),
               F.checkin(F.sam, mood: 2, craving: 8, safe: false),
               F.moderation(.mute, target: F.sam),
               F.moderation(.slow, seconds: 30),
               .report(F.report(1)),
               .message(F.message(13, from: F.sam, body: "日本語 😀 can I ask something privately?", kind: .private)))
        return state
    }

    static func busyView() -> ViewState {
        var view = F.view()
        view.input = "/admit 日本"
        view.caret = 8
        return view
    }
}
