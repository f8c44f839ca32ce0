import Testing
@testable import HearthTerminal

struct RenderTextWidthTests {
    @Test func asciiTakesOneColumnAndEastAsianWideCharactersTakeTwo() {
        #expect(TextWidth.columns("a") == 1)
        #expect(TextWidth.columns("日") == 2)
        #expect(TextWidth.columns("日本語") == 6)
        #expect(TextWidth.columns("한국어") == 6)
        #expect(TextWidth.columns("ＡＢ") == 4)
        #expect(TextWidth.columns("abc日本") == 7)
    }

    @Test func emojiInPresentationFormTakeTwoColumns() {
        #expect(TextWidth.columns("😀") == 2)
        #expect(TextWidth.columns("✋") == 2)
        #expect(TextWidth.columns("👍🏽") == 2)
        #expect(TextWidth.columns("❤️") == 2)
        #expect(TextWidth.columns("🇺🇸") == 2)
        #expect(TextWidth.columns("👩‍👩‍👧") == 2)
        #expect(TextWidth.columns("❤") == 1)
    }

    @Test func combiningMarksJoinTheirBaseAndControlCharactersTakeNoColumn() {
        #expect(TextWidth.columns("e\u{301}") == 1)
        #expect(TextWidth.columns("Zoe\u{308}") == 3)
        #expect(TextWidth.columns("\u{7}") == 0)
        #expect(TextWidth.columns("\u{1b}") == 0)
        #expect(TextWidth.columns("a\u{200B}b") == 2)
    }

    @Test func theSymbolsOfTheScreenAreNarrow() {
        #expect(TextWidth.columns("·●✓─│▶…") == 7)
    }

    @Test func truncatingCutsAtTheWidthWithAnEllipsisAndNeverSplitsAWideCharacter() {
        #expect(TextWidth.truncate("Group therapy", to: 8) == "Group t…")
        #expect(TextWidth.truncate("Group", to: 8) == "Group")
        #expect(TextWidth.truncate("日本語", to: 4) == "日…")
        #expect(TextWidth.truncate("日本語", to: 5) == "日本…")
        #expect(TextWidth.prefix("日本語", columns: 3) == "日")
        #expect(TextWidth.truncate("abc", to: 0) == "")
    }

    @Test func paddingFillsToExactlyTheWidth() {
        #expect(TextWidth.pad("ab", to: 4) == "ab  ")
        #expect(TextWidth.pad("日本語", to: 5) == "日本 ")
        #expect(TextWidth.columns(TextWidth.pad("日本語", to: 5)) == 5)
    }

    @Test func wrappingBreaksAtSpacesAndKeepsEveryWord() {
        let lines = TextWidth.wrap("the quick brown fox jumps over the lazy dog", width: 10)
        #expect(lines == ["the quick", "brown fox", "jumps over", "the lazy", "dog"])
    }

    @Test func wrappingBreaksAWordLongerThanALineWhereItReachesTheEdge() {
        let lines = TextWidth.wrap("see https://example.org/a/very/long/path now", width: 12)
        #expect(lines == ["see https://", "example.org/", "a/very/long/", "path now"])
        #expect(lines.allSatisfy { TextWidth.columns($0) <= 12 })
    }

    @Test func wrappingCountsWideCharactersAsTwoColumns() {
        let lines = TextWidth.wrap("日本語のテキスト", width: 5)
        #expect(lines == ["日本", "語の", "テキ", "スト"])
    }

    @Test func wrappingKeepsTheNewlinesOfTheText() {
        #expect(TextWidth.wrap("one\ntwo\n\nthree", width: 20) == ["one", "two", "", "three"])
    }

    @Test func aShorterFirstLineLeavesRoomForAHeader() {
        #expect(TextWidth.wrap("alpha beta gamma", width: 12, firstWidth: 6) == ["alpha", "beta gamma"])
        #expect(TextWidth.wrap("alpha beta", width: 12, firstWidth: 0) == ["", "alpha beta"])
    }

    @Test func controlCharactersInTextAreDroppedOrBecomeSpaces() {
        #expect(TextWidth.sanitized("a\tb\u{1b}[2Jc") == "a b[2Jc")
        #expect(TextWidth.wrap("x\u{1b}[31my", width: 10) == ["x[31my"])
    }
}

struct RenderGridWriterTests {
    @Test func aWideCharacterTakesItsCellAndAContinuationCell() {
        var grid = Grid(width: 6, height: 1)
        let used = grid.write("a日b", row: 0, column: 0)
        #expect(used == 4)
        #expect(grid[0, 1] == Cell("日", width: 2))
        #expect(grid[0, 2] == .continuation)
        #expect(grid[0, 3].text == "b")
        #expect(grid.line(0) == "a日b  ")
    }

    @Test func aWideCharacterThatWouldCrossTheEdgeIsLeftOutAsABlank() {
        var grid = Grid(width: 4, height: 1)
        grid.write("abc日", row: 0, column: 0)
        #expect(grid.line(0) == "abc ")
        #expect(grid.rowsAreWellFormed)
        var area = Grid(width: 8, height: 1)
        area.write("x日本", row: 0, column: 2, width: 4)
        #expect(area.line(0) == "  x日   ")
        #expect(area.rowsAreWellFormed)
    }

    @Test func writingOverHalfOfAWideCharacterBlanksTheOtherHalf() {
        var grid = Grid(width: 6, height: 1)
        grid.write("日本語", row: 0, column: 0)
        grid.write("x", row: 0, column: 1)
        #expect(grid.line(0) == " x本語")
        grid.write("y", row: 0, column: 2)
        #expect(grid.line(0) == " xy 語")
        #expect(grid.rowsAreWellFormed)
    }

    @Test func controlCharactersAreNeverWrittenAndCombiningMarksStayWithTheirBase() {
        var grid = Grid(width: 10, height: 1)
        grid.write("a\u{1b}[2Je\u{301}\u{202E}z", row: 0, column: 0)
        #expect(grid.line(0) == "a[2Jéz    ")
        #expect(grid.rows[0].allSatisfy { !$0.text.unicodeScalars.contains { $0.value < 0x20 } })
    }

    @Test func stylesFollowTheirSpans() {
        var grid = Grid(width: 6, height: 1)
        grid.write([Span("ab", CellStyle(bold: true)), Span("c", CellStyle(dim: true))], row: 0, column: 1)
        #expect(grid[0, 1].style.bold && grid[0, 2].style.bold)
        #expect(grid[0, 3].style.dim && !grid[0, 3].style.bold)
        #expect(grid[0, 0].style == .plain)
    }

    @Test func writingOutsideTheGridDoesNothing() {
        var grid = Grid(width: 3, height: 1)
        #expect(grid.write("abc", row: 1, column: 0) == 0)
        #expect(grid.write("abc", row: 0, column: 3) == 0)
        #expect(grid.write("abcdef", row: 0, column: 1) == 2)
        #expect(grid.line(0) == " ab")
    }
}
