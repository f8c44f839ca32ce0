import Testing
@testable import HearthTerminal

struct LineEditorTests {
    private func editor(_ text: String, caret: Int? = nil) -> LineEditor {
        var editor = LineEditor()
        editor.replace(with: text, caret: caret ?? text.count)
        return editor
    }

    private func press(_ keys: Key..., on editor: inout LineEditor) {
        for key in keys { _ = editor.handle(key) }
    }

    @Test func typedCharactersGoInAtTheCaret() {
        var line = editor("hllo", caret: 1)
        press(.character("e"), on: &line)
        #expect(line.text == "hello")
        #expect(line.caret == 2)
    }

    @Test func wideCharactersCountAsOneCharacterEach() {
        var line = LineEditor()
        press(.character("日"), .character("本"), .character("👍🏽"), .left, .backspace, on: &line)
        #expect(line.text == "日👍🏽")
        #expect(line.caret == 1)
    }

    @Test func aCombiningMarkTypedAloneJoinsTheCharacterBeforeIt() {
        var line = LineEditor()
        press(.character("e"), .character("\u{301}"), on: &line)
        #expect(line.text == "é")
        #expect(line.caret == 1)
    }

    @Test func backspaceAndDeleteRemoveAroundTheCaret() {
        var line = editor("abcd", caret: 2)
        press(.backspace, on: &line)
        #expect(line.text == "acd")
        press(.delete, on: &line)
        #expect(line.text == "ad")
        #expect(line.caret == 1)
        press(.home, .backspace, .end, .delete, on: &line)
        #expect(line.text == "ad")
    }

    @Test func leftRightHomeEndAndCtrlAEMoveTheCaret() {
        var line = editor("hello")
        press(.left, .left, on: &line)
        #expect(line.caret == 3)
        press(.home, on: &line)
        #expect(line.caret == 0)
        press(.left, on: &line)
        #expect(line.caret == 0)
        press(.end, on: &line)
        #expect(line.caret == 5)
        press(.right, on: &line)
        #expect(line.caret == 5)
        press(.ctrl("a"), on: &line)
        #expect(line.caret == 0)
        press(.ctrl("e"), on: &line)
        #expect(line.caret == 5)
    }

    @Test func ctrlWDeletesTheWordBeforeTheCaret() {
        var line = editor("/mute Sam T.  ")
        press(.ctrl("w"), on: &line)
        #expect(line.text == "/mute Sam ")
        press(.ctrl("w"), on: &line)
        #expect(line.text == "/mute ")
        #expect(line.caret == 6)
    }

    @Test func ctrlUAndCtrlKDeleteToTheStartAndToTheEnd() {
        var line = editor("hello world", caret: 6)
        press(.ctrl("k"), on: &line)
        #expect(line.text == "hello ")
        line = editor("hello world", caret: 6)
        press(.ctrl("u"), on: &line)
        #expect(line.text == "world")
        #expect(line.caret == 0)
    }

    @Test func altBAndAltFMoveByWords() {
        var line = editor("one two, three")
        press(.alt("b"), on: &line)
        #expect(line.caret == 9)
        press(.alt("b"), on: &line)
        #expect(line.caret == 4)
        press(.alt("f"), on: &line)
        #expect(line.caret == 7)
        press(.alt("f"), on: &line)
        #expect(line.caret == 14)
    }

    @Test func enterSubmitsClearsAndRemembersTheLine() {
        var line = editor("hello")
        #expect(line.handle(.enter) == .submitted("hello"))
        #expect(line.text == "")
        #expect(line.caret == 0)
        #expect(line.history == ["hello"])
    }

    @Test func emptyAndRepeatedLinesAreNotAddedToHistory() {
        var line = LineEditor()
        for text in ["a", "a", "", "  ", "b", "a"] {
            line.replace(with: text, caret: text.count)
            _ = line.submit()
        }
        #expect(line.history == ["a", "b", "a"])
    }

    @Test func upAndDownBrowseHistoryKeepingTheDraft() {
        var line = LineEditor()
        for text in ["first", "second"] {
            line.replace(with: text, caret: text.count)
            _ = line.submit()
        }
        press(.character("d"), .character("r"), on: &line)
        press(.up, on: &line)
        #expect(line.text == "second")
        #expect(line.caret == 6)
        press(.up, on: &line)
        #expect(line.text == "first")
        press(.up, on: &line)
        #expect(line.text == "first")
        press(.down, on: &line)
        #expect(line.text == "second")
        press(.down, on: &line)
        #expect(line.text == "dr")
        #expect(line.historyIndex == nil)
        press(.down, on: &line)
        #expect(line.text == "dr")
    }

    @Test func historyIsBounded() {
        var line = LineEditor(historyLimit: 2)
        for text in ["a", "b", "c"] {
            line.replace(with: text, caret: 1)
            _ = line.submit()
        }
        #expect(line.history == ["b", "c"])
    }

    @Test func keysTheEditorDoesNotUseAreIgnored() {
        var line = editor("x")
        #expect(line.handle(.pageUp) == .ignored)
        #expect(line.handle(.ctrl("n")) == .ignored)
        #expect(line.text == "x")
    }
}
