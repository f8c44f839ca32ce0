import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing
@testable import HearthTerminal

/// The messages pane: lines, marks, the unread line, pending messages, wrapping, scrollback and the overlay.
struct RenderMessagePaneTests {
    typealias F = Fixture

    @Test func eachMessageShowsItsTimeSeqNameAndRole() {
        var state = F.counselorInGroup(seq: 2)
        F.feed(&state, .message(F.message(75, from: F.dana, body: "Welcome, everyone.")))
        let grid = F.render(state, F.view())
        // 80x20 without alerts or controls: messages on rows 1 to 15, newest at the bottom.
        #expect(grid.line(13) == TextWidth.pad("18:04 #1 Alex R. [participant] message 1", to: 80), "\(grid.dump)")
        #expect(grid.line(14).hasPrefix("18:04 #2 Alex R. [participant] message 2"))
        #expect(grid.line(15).hasPrefix("18:05 #75 Dana M. [counselor] Welcome, everyone."))
        #expect(grid.row(containing: "No messages") == nil)
    }

    @Test func timesAreShownInTheGivenTimeZone() {
        let state = F.counselorInGroup(seq: 1)
        let grid = ScreenRenderer.render(state: state, view: F.view(), width: 80, height: 20, now: F.now,
                                         timeZone: TimeZone(identifier: "America/New_York")!)
        #expect(grid.row(containing: "21:04 #1 Alex R.") != nil, "\(grid.dump)")
    }

    @Test func hiddenMessagesAreDimmedWithTheirTextAndReason() {
        var state = F.counselorInGroup(seq: 3)
        F.feed(&state, F.moderation(.hide, seq: 2, reason: "personal attack"))
        let grid = F.render(state, F.view())
        let row = try! #require(grid.row(containing: "#2 "))
        #expect(grid.line(row).hasPrefix("18:04 #2 Alex R. [participant] [hidden] (personal attack) message 2"),
                "\(grid.dump)")
        let body = TextWidth.columns(grid.line(row)[..<grid.line(row).range(of: "message 2")!.lowerBound])
        #expect(grid[row, body].style.dim)
        #expect(!grid[row + 1, 31].style.dim)
    }

    @Test func pinnedHeldWhisperPrivateAndAnnouncementMessagesAreMarked() {
        var state = F.counselorInGroup(seq: 1)
        F.feed(&state,
               .message(F.message(2, body: "pin me")),
               F.moderation(.pin, seq: 2),
               .message(F.message(3, from: F.sam, body: "I want to use again", held: true)),
               .message(F.message(4, from: F.dana, body: "how are you doing?", kind: .whisper, to: F.sam)),
               .message(F.message(5, from: F.sam, body: "can we talk after?", kind: .private)),
               .message(F.message(6, from: F.dana, body: "Ten minute break.", kind: .announcement)))
        let grid = F.render(state, F.view(), width: 100, height: 20)
        let text = grid.text
        #expect(text.contains("18:04 #2 Alex R. [participant] [pinned] pin me"), "\(grid.dump)")
        #expect(text.contains("18:04 #3 Sam T. [participant] [held — /release 3] I want to use again"))
        #expect(text.contains("18:04 #4 Dana M. [counselor] [whisper to Sam T.] how are you doing?"))
        #expect(text.contains("18:04 #5 Sam T. [participant] [private] can we talk after?"))
        #expect(text.contains("18:04 #6 Dana M. [counselor] [announcement] Ten minute break."))
        let row = try! #require(grid.row(containing: "Ten minute"))
        let column = TextWidth.columns(grid.line(row)[..<grid.line(row).range(of: "Ten")!.lowerBound])
        #expect(grid[row, column].style.bold)
    }

    @Test func releasedMessagesLoseTheirHeldMark() {
        var state = F.counselorInGroup(seq: 1)
        F.feed(&state, .message(F.message(2, from: F.sam, held: true)), F.moderation(.release, seq: 2))
        #expect(!F.render(state, F.view()).text.contains("[held"))
    }

    @Test func aLineMarksWhereUnreadMessagesStart() {
        var state = F.counselorInGroup(seq: 3)
        F.enter(&state, F.family, seq: 0)
        _ = state.apply(.focused(room: F.family), now: F.now)
        F.feed(&state, .message(F.message(4)), .message(F.message(5)))
        _ = state.apply(.focused(room: F.group), now: F.now)
        let grid = F.render(state, F.view())
        let unread = try! #require(grid.row(containing: "── unread ──"), "\(grid.dump)")
        #expect(grid.line(unread - 1).contains("#3 "))
        #expect(grid.line(unread + 1).contains("#4 "))
        #expect(grid.line(unread).hasPrefix("── unread ───"))
        #expect(grid.line(unread).hasSuffix("─"))
    }

    @Test func pendingMessagesComeLastWithTheirState() throws {
        var state = F.counselorInGroup(seq: 2)
        var refs: [String] = []
        for case .send(let request) in state.apply(.queuedSend(room: F.group, body: "first try", clientID: "k1"),
                                                   now: F.now) { refs.append(request.ref!) }
        _ = state.apply(.queuedSend(room: F.group, body: "second", clientID: "k2"), now: F.now)
        F.feed(&state, .error(.init(ProtocolError(.muted, "You are muted."), ref: refs[0])))
        let grid = F.render(state, F.view())
        #expect(grid.line(14).hasPrefix("18:04 Dana M. [counselor] (not sent: You are muted.) first try"),
                "\(grid.dump)")
        #expect(grid.line(15).hasPrefix("18:04 Dana M. [counselor] (sending) second"))
        #expect(grid[14, TextWidth.columns("18:04 Dana M. [counselor] (")].style.foreground == .red)
    }

    @Test func aRateLimitedMessageShowsTheServersWordsAsAWaitNotAFailure() throws {
        var state = F.counselorInGroup(seq: 2)
        var refs: [String] = []
        for case .send(let request) in state.apply(.queuedSend(room: F.group, body: "slow down", clientID: "k1"),
                                                   now: F.now) { refs.append(request.ref!) }
        F.feed(&state, .error(.init(ProtocolError(.rateLimited, "You are sending too fast. Wait 2 s.", retryAfter: 2),
                                    ref: refs[0])))
        let grid = F.render(state, F.view())
        let row = try #require(grid.row(containing: "(waiting: "), "\(grid.dump)")
        #expect(grid.line(row).hasPrefix("18:04 Dana M. [counselor] (waiting: You are sending too fast. Wait 2 s.)"))
        #expect(grid.line(row + 1).contains("slow down"))
        #expect(grid[row, TextWidth.columns("18:04 Dana M. [counselor] (")].style.foreground != .red)
    }

    @Test func aLongBodyIsWordWrappedUnderAnIndent() {
        let body = "I have been thinking about what you said last week about small steps, and I tried calling "
            + "my sister for the first time in two years. It went better than I expected."
        var state = F.counselorInGroup(seq: 0)
        F.feed(&state, .message(F.message(1, body: body)))
        let grid = F.render(state, F.view(), width: 60, height: 15)
        let first = try! #require(grid.row(containing: "#1 "), "\(grid.dump)")
        #expect(grid.line(first).hasPrefix("18:04 #1 Alex R. [participant] I have been thinking"))
        var words: [Substring] = grid.line(first).split(separator: " ").dropFirst(5).map { $0 }
        var row = first + 1
        while row < 15, grid.line(row).hasPrefix("      "), !grid.line(row).trimmingCharacters(in: .whitespaces).isEmpty {
            words += grid.line(row).split(separator: " ")
            row += 1
        }
        #expect(row - first == 4)
        #expect(words.joined(separator: " ") == body)
        #expect(grid.rowsAreWellFormed)
    }

    @Test func wideCharactersInABodyTakeTwoColumnsAndEveryRowKeepsItsWidth() {
        var state = F.counselorInGroup(seq: 0)
        F.feed(&state, .message(F.message(1, body: "日本語 😀 ok " + String(repeating: "漢字", count: 30))))
        for (width, height) in [(60, 15), (80, 20), (120, 30), (61, 15)] {
            let grid = F.render(state, F.view(), width: width, height: height)
            #expect(grid.rowsAreWellFormed, "\(grid.dump)")
            let row = try! #require(grid.row(containing: "日本語"))
            let column = TextWidth.columns(grid.line(row)[..<grid.line(row).range(of: "日本語")!.lowerBound])
            #expect(grid[row, column] == Cell("日", width: 2))
            #expect(grid[row, column + 1] == .continuation)
            #expect(grid[row, column + 2].text == "本")
            #expect(grid[row, column + 7] == Cell("😀", width: 2))
        }
    }

    @Test func controlCharactersInABodyNeverReachTheScreen() {
        var state = F.counselorInGroup(seq: 0)
        F.feed(&state, .message(F.message(1, body: "hi\u{1b}[2J\u{7} there\r\nsecond line")))
        let grid = F.render(state, F.view())
        #expect(grid.rows.allSatisfy { $0.allSatisfy { !$0.text.unicodeScalars.contains { $0.value < 0x20 } } })
        #expect(grid.text.contains("hi[2J there"), "\(grid.dump)")
        #expect(grid.text.contains("      second line"))
    }

    @Test func scrollingBackShowsOlderMessagesAndSaysHowManyAreBelow() {
        let state = F.counselorInGroup(seq: 30)
        var view = F.view()
        view.scrollBack[F.group] = 10
        let grid = F.render(state, view)
        // Rows 1 to 15: 14 messages, then the marker.
        #expect(grid.line(14).hasPrefix("18:04 #20 Alex R."), "\(grid.dump)")
        #expect(grid.line(1).hasPrefix("18:04 #7 Alex R."))
        #expect(grid.line(15).hasPrefix("── more below: 10 newer messages — PgDn ──"))
        view.scrollBack[F.group] = 0
        let bottom = F.render(state, view)
        #expect(bottom.line(15).hasPrefix("18:04 #30 "))
        #expect(bottom.row(containing: "more below") == nil)
    }

    @Test func scrollingPastTheOldestMessageStopsThere() {
        let state = F.counselorInGroup(seq: 5)
        var view = F.view()
        view.scrollBack[F.group] = 99
        let grid = F.render(state, view)
        #expect(grid.line(14).hasPrefix("18:04 #1 "), "\(grid.dump)")
        #expect(grid.line(15).contains("more below: 4 newer messages"))
    }

    @Test func theTopOfTheBufferSaysWhetherEarlierMessagesCanBeLoaded() {
        var state = F.signedIn()
        F.enter(&state, seq: 40, messages: F.messages(38...40), more: true)
        let grid = F.render(state, F.view())
        #expect(grid.line(12).hasPrefix("── earlier messages — PgUp ──"), "\(grid.dump)")
        #expect(grid.line(13).contains("#38 "))
    }

    @Test func anEmptyRoomSaysSo() {
        let grid = F.render(F.counselorInGroup(seq: 0), F.view())
        #expect(grid.line(15).hasPrefix("No messages yet."), "\(grid.dump)")
    }

    @Test func aRoomWithFiveThousandMessagesShowsTheNewestAndScrollsToAnyOfThem() {
        let state = F.counselorInGroup(seq: 5000)
        #expect(state.visibleMessages(in: F.group).count == 5000)
        var view = F.view()
        let grid = F.render(state, view, width: 80, height: 24)
        #expect(grid.line(19).hasPrefix("19:27 #5000 Alex R. [participant] message 5000"), "\(grid.dump)")
        #expect(grid.line(1).hasPrefix("19:27 #4982 "))
        view.scrollBack[F.group] = 4990
        let back = F.render(state, view, width: 80, height: 24)
        #expect(back.line(18).hasPrefix("18:04 #10 "), "\(back.dump)")
        #expect(back.line(19).contains("more below: 4990 newer messages"))
        #expect(back.rowsAreWellFormed)
    }

    @Test func withoutARoomTheScreenShowsAShortGuide() {
        let grid = F.render(F.signedIn(), F.view(nil))
        #expect(grid.text.contains("/join ROOM to enter a session, Alt-1..9 to switch, /help for commands"),
                "\(grid.dump)")
    }

    @Test func theRoomsControlsShowOnALineAboveTheMessages() {
        var state = F.signedIn()
        let round = ServerFrame.Round(order: [F.alex, F.sam], speaker: F.alex)
        F.enter(&state, seq: 1, messages: F.messages(1...1),
                controls: .init(locked: true, slowSeconds: 30, review: true, round: round))
        F.feed(&state, .roomState(.init(room: F.group, paused: true)))
        let grid = F.render(state, F.view(), width: 120, height: 20)
        #expect(grid.line(1).hasPrefix(
            "paused (no staff) · locked · slow 30 s · review on · round: speaker Alex R. — /round next"), "\(grid.dump)")
        F.feed(&state, .ended(.init(room: F.group, by: F.dana)))
        #expect(F.render(state, F.view(), width: 120, height: 20).line(1).hasPrefix("ended · paused"))
    }

    @Test func aRoomNotJoinedSaysHowToJoinIt() {
        let grid = F.render(F.signedIn(), F.view(F.family))
        #expect(grid.line(1).hasPrefix("not joined — /join"), "\(grid.dump)")
    }

    @Test func anOverlayReplacesTheMessagesWithATitledPanelScrolledByItsOffset() {
        var view = F.view()
        view.overlay = .init(title: "Help", lines: (1...40).map { "line \($0)" }, offset: 5)
        let grid = F.render(F.counselorInGroup(), view)
        #expect(grid.line(1).hasPrefix(" Help"), "\(grid.dump)")
        #expect(grid.line(1).hasSuffix("6/40 · PgUp/PgDn · Esc closes "))
        #expect(grid[1, 0].style.reverse)
        #expect(grid.line(2).hasPrefix("line 6 "))
        #expect(grid.line(14).hasPrefix("line 18 "))
        #expect(grid.line(15).hasPrefix("── more below — PgDn"))
        #expect(grid.row(containing: "#1 ") == nil)
        let layout = ScreenRenderer.layout(state: F.counselorInGroup(), view: view, width: 80, height: 20)
        #expect(layout.overlayLines == 14)
    }

    @Test func aShortOverlayHasNoMoreBelowLine() {
        var view = F.view()
        view.overlay = .init(title: "Notes", lines: ["18:10 Dana M.: Sam quiet tonight."])
        let grid = F.render(F.counselorInGroup(), view)
        #expect(grid.line(1).hasSuffix(" Esc closes "))
        #expect(grid.line(2).hasPrefix("18:10 Dana M.: Sam quiet tonight."))
        #expect(grid.row(containing: "more below") == nil)
    }
}
