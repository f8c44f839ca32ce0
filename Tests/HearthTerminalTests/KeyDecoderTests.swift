import Testing
@testable import HearthTerminal

struct KeyDecoderTests {
    private func keys(_ bytes: [UInt8]) -> [Key] {
        var decoder = KeyDecoder()
        return decoder.feed(bytes)
    }

    private func keys(_ text: String) -> [Key] { keys(Array(text.utf8)) }

    @Test func printableASCIIBecomesCharacters() {
        #expect(keys("hi!") == [.character("h"), .character("i"), .character("!")])
    }

    @Test func wideCharactersAndEmojiWithSkinToneAreOneKeyEach() {
        #expect(keys("日本") == [.character("日"), .character("本")])
        #expect(keys("👍🏽ok") == [.character("👍🏽"), .character("o"), .character("k")])
        #expect(keys("👩‍👩‍👧") == [.character("👩‍👩‍👧")])
    }

    @Test func aCombiningMarkJoinsItsBase() {
        #expect(keys("e\u{301}x") == [.character("e\u{301}"), .character("x")])
    }

    @Test func utf8SplitAcrossReadsWaitsForTheRest() {
        var decoder = KeyDecoder()
        let bytes = Array("日".utf8)
        #expect(decoder.feed([bytes[0]]) == [])
        #expect(decoder.hasPending)
        #expect(decoder.feed([bytes[1]]) == [])
        #expect(decoder.feed([bytes[2], UInt8(ascii: "a")]) == [.character("日"), .character("a")])
        #expect(!decoder.hasPending)
    }

    @Test func aFourByteEmojiSplitInTheMiddleDecodesWhole() {
        var decoder = KeyDecoder()
        let bytes = Array("😀".utf8)
        #expect(decoder.feed(Array(bytes[..<2])) == [])
        #expect(decoder.feed(Array(bytes[2...])) == [.character("😀")])
    }

    @Test func invalidUTF8IsSkipped() {
        #expect(keys([0xff, 0x61, 0xc0, 0x62]) == [.character("a"), .character("b")])
    }

    @Test func enterTabAndBackspaceKeys() {
        #expect(keys([0x0d]) == [.enter])
        #expect(keys([0x0a]) == [.enter])
        #expect(keys([0x0d, 0x0a]) == [.enter])
        #expect(keys([0x09]) == [.tab])
        #expect(keys([0x7f]) == [.backspace])
        #expect(keys([0x08]) == [.backspace])
    }

    @Test func controlLettersBecomeCtrl() {
        #expect(keys([0x01, 0x03, 0x05, 0x0b, 0x0e, 0x10, 0x15, 0x17, 0x1a])
                == [.ctrl("a"), .ctrl("c"), .ctrl("e"), .ctrl("k"), .ctrl("n"), .ctrl("p"), .ctrl("u"), .ctrl("w"),
                    .ctrl("z")])
    }

    @Test func csiArrowsHomeEndAndShiftTab() {
        #expect(keys("\u{1b}[A\u{1b}[B\u{1b}[C\u{1b}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1b}[H\u{1b}[F\u{1b}[1~\u{1b}[4~\u{1b}[7~\u{1b}[8~") == [.home, .end, .home, .end, .home, .end])
        #expect(keys("\u{1b}[Z") == [.backTab])
    }

    @Test func ss3ArrowsHomeAndEnd() {
        #expect(keys("\u{1b}OA\u{1b}OB\u{1b}OC\u{1b}OD\u{1b}OH\u{1b}OF") == [.up, .down, .right, .left, .home, .end])
    }

    @Test func deleteAndPageKeys() {
        #expect(keys("\u{1b}[3~\u{1b}[5~\u{1b}[6~") == [.delete, .pageUp, .pageDown])
    }

    @Test func ctrlArrowsMoveByWord() {
        #expect(keys("\u{1b}[1;5D\u{1b}[1;5C\u{1b}[1;2A") == [.alt("b"), .alt("f"), .up])
    }

    @Test func escapeFollowedByACharacterIsAlt() {
        #expect(keys("\u{1b}b\u{1b}f\u{1b}2") == [.alt("b"), .alt("f"), .alt("2")])
        #expect(keys([0x1b, 0x7f]) == [.alt("\u{7f}")])
        #expect(keys("\u{1b}é") == [.alt("é")])
    }

    @Test func aLoneEscapeAtTheEndOfTheBytesIsEscape() {
        #expect(keys([0x1b]) == [.escape])
        #expect(keys([0x61, 0x1b]) == [.character("a"), .escape])
        #expect(keys([0x1b, 0x1b]) == [.escape, .escape])
    }

    @Test func anEscapeSequenceSplitAcrossReadsWaitsForTheRest() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1b, UInt8(ascii: "[")]) == [])
        #expect(decoder.feed([UInt8(ascii: "5")]) == [])
        #expect(decoder.feed([UInt8(ascii: "~"), UInt8(ascii: "x")]) == [.pageUp, .character("x")])
    }

    @Test func flushTurnsAnUnfinishedSequenceIntoKeys() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1b, UInt8(ascii: "[")]) == [])
        #expect(decoder.flush() == [.alt("[")])
        #expect(decoder.feed([0xe6]) == [])
        #expect(decoder.flush() == [])
        #expect(!decoder.hasPending)
    }

    @Test func unknownSequencesAndBracketedPasteMarkersAreDropped() {
        #expect(keys("\u{1b}[200~hi\u{1b}[201~\u{1b}[2~\u{1b}[15~") == [.character("h"), .character("i")])
    }
}
