import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing
@testable import HearthTerminal

/// The members pane (wide screens), the members summary (narrow screens) and the queues line.
struct RenderMembersPaneTests {
    typealias F = Fixture

    /// The group room with Tom waiting, Alex's and Chris's hands up, Sam muted and not safe, Alex checked in.
    static func room() -> ClientState {
        var state = F.signedIn()
        F.enter(&state, seq: 2, messages: F.messages(1...2), members: [F.alex, F.chris, F.dana, F.sam])
        _ = state.apply(.focused(room: F.group), now: F.now)
        F.feed(&state,
               .knock(.init(room: F.group, member: F.tom, state: .waiting)),
               .hands(.init(room: F.group, queue: [F.chris, F.alex])),
               F.checkin(F.alex, mood: 6, craving: 3, safe: true),
               F.checkin(F.sam, mood: 2, craving: 8, safe: false),
               F.moderation(.mute, target: F.sam))
        return state
    }

    /// The members pane's text, row by row, from the controls line down.
    static func pane(_ grid: Grid) -> [String] {
        (1..<(grid.height - 3)).map { row in
            let line = grid.line(row)
            let start = line.index(line.endIndex, offsetBy: -ScreenLayout.membersWidth)
            return String(line[start...]).trimmingCharacters(in: .whitespaces)
        }
    }

    @Test func theMembersPaneListsWaitingHandsAndPresentMembersWithMutesAndCheckins() {
        let grid = F.render(Self.room(), F.view(), width: 120, height: 30)
        let pane = Self.pane(grid)
        #expect(Array(pane.prefix(13)) == [
            "│Waiting 1 — /admit NAME",
            "│ Tom T. [family]",
            "│Hands 2 — /lower NAME",
            "│ ✋1 Chris P.",
            "│ ✋2 Alex R.",
            "│Present 4",
            "│ Alex R. ✋2",
            "│  mood 6 crav 3 safe",
            "│ Chris P. ✋1",
            "│ Dana M. [counselor]",
            "│ Sam T. muted",
            "│  NOT SAFE mood 2 crav 8",
            "│",
        ], "\(grid.dump)")
        #expect(grid.rowsAreWellFormed)
        let notSafe = try! #require(grid.row(containing: "NOT SAFE"))
        let column = TextWidth.columns(grid.line(notSafe)[..<grid.line(notSafe).range(of: "NOT SAFE")!.lowerBound])
        #expect(grid[notSafe, column].style.reverse && grid[notSafe, column].style.foreground == .red)
    }

    @Test func theMembersPaneShowsTheRoundsSpeaker() {
        var state = Self.room()
        F.feed(&state, F.moderation(.roundStart, round: .init(order: [F.alex, F.sam, F.chris], speaker: F.alex)),
               F.moderation(.pass, round: .init(order: [F.alex, F.sam, F.chris], speaker: F.sam)))
        let grid = F.render(state, F.view(), width: 120, height: 30)
        let pane = Self.pane(grid)
        #expect(pane.contains("│Round — /round next"), "\(grid.dump)")
        #expect(pane.contains("│ ▶ Sam T. (2 of 3)"))
        #expect(pane.contains("│ Sam T. ▶ muted"))
        #expect(grid.line(1).hasPrefix("round: speaker Sam T. — /round next"))
    }

    @Test func aTallListEndsWithHowManyLinesAreCutOff() {
        var state = F.signedIn()
        let many = (1...30).map { MemberInfo(id: PersonID("p_\($0)"), name: "Member \($0)", role: .participant) }
        F.enter(&state, seq: 0, members: many)
        let grid = F.render(state, F.view(), width: 100, height: 15)
        let pane = Self.pane(grid)
        #expect(pane.last == "│… 21 more lines", "\(grid.dump)")
    }

    @Test func aNarrowScreenSummarizesTheMembersOnOneLineNotSafeFirstThenHands() {
        let grid = F.render(Self.room(), F.view(), width: 80, height: 20)
        #expect(grid.line(16) == TextWidth.pad(
            "4 here: Sam T. NOT SAFE muted · Chris P. ✋1 · Alex R. ✋2 · Dana M.", to: 80), "\(grid.dump)")
        #expect(grid.rowsAreWellFormed)
    }

    @Test func theSummaryStartsWithTheRoundsSpeaker() {
        var state = Self.room()
        F.feed(&state, F.moderation(.roundStart, round: .init(order: [F.alex, F.sam], speaker: F.alex)))
        let grid = F.render(state, F.view(), width: 80, height: 20)
        #expect(grid.row(containing: "speaker Alex R. · 4 here: Sam T. NOT SAFE") != nil, "\(grid.dump)")
    }

    @Test func theQueuesLineCountsEachQueueWithItsCommand() {
        var state = Self.room()
        F.feed(&state, .report(F.report(1)), .alert(.init(F.alert(3))),
               .message(F.message(3, from: F.sam, body: "can we talk?", kind: .private)))
        let grid = F.render(state, F.view(), width: 120, height: 30)
        #expect(grid.line(27).hasPrefix(
            "waiting 1 /admit Tom T. · hands 2 /lower · reports 1 /reports · private 1 /whisper · alerts 1 /ack"),
            "\(grid.dump)")
    }

    @Test func theQueuesLineDropsTheCommandsWhenNarrowAndShowsZeros() {
        let grid = F.render(Self.room(), F.view(), width: 60, height: 15)
        #expect(grid.line(12).hasPrefix("waiting 1 · hands 2 · reports 0 · private 0 · alerts 0"), "\(grid.dump)")
        let quiet = F.render(F.counselorInGroup(), F.view(), width: 60, height: 15)
        #expect(quiet.line(12).hasPrefix("waiting 0 · hands 0 · reports 0 · private 0 · alerts 0"))
        #expect(quiet[12, 0].style.dim)
    }

    @Test func withoutARoomTheQueuesLineCountsReportsAndAlertsEverywhere() {
        var state = Self.room()
        F.feed(&state, .report(F.report(1)), .alert(.init(F.alert(3))))
        let grid = F.render(state, F.view(nil), width: 80, height: 20)
        #expect(grid.row(containing: "reports 1 /reports · alerts 1 /ack") != nil, "\(grid.dump)")
    }
}
