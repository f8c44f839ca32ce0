import Testing
@testable import HearthTerminal

struct CompletionTests {
    let source = CompletionSource(names: ["Alex R.", "Dana M.", "Sam T.", "Sara K."], familyNames: ["Tom T."],
                                  roomTitles: ["Group therapy (evening IOP)", "Family therapy: Alex R.", "Group skills"])

    private func complete(_ text: String, caret: Int? = nil) -> Completion? {
        Completion(text: text, caret: caret ?? text.count, source: source)
    }

    @Test func aUniqueCommandNameCompletesFully() throws {
        let completion = try #require(complete("/mu"))
        #expect(completion.candidates == ["/mute"])
        #expect(completion.text == "/mute ")
        #expect(completion.caret == 6)
    }

    @Test func severalCommandNamesCycleOnRepeatedTab() throws {
        var completion = try #require(complete("/un"))
        #expect(completion.candidates == ["/unmute", "/unban", "/unhide", "/unpin", "/unlock"])
        #expect(completion.text == "/unmute ")
        completion.advance()
        #expect(completion.text == "/unban ")
        for _ in 0..<4 { completion.advance() }
        #expect(completion.text == "/unmute ")
        completion.advance(by: -1)
        #expect(completion.text == "/unlock ")
    }

    @Test func namePositionsCompleteMemberNamesWithSpaces() throws {
        var completion = try #require(complete("/mute sa"))
        #expect(completion.candidates == ["Sam T.", "Sara K."])
        #expect(completion.text == "/mute Sam T. ")
        completion.advance()
        #expect(completion.text == "/mute Sara K. ")
        #expect(try #require(complete("/lower Sam T")).text == "/lower Sam T. ")
        #expect(try #require(complete("/whisper ")).candidates.count == 4)
    }

    @Test func nothingIsCompletedAfterAWholeName() {
        #expect(complete("/mute Sam T. 5") == nil)
        #expect(complete("/deny Sam T. pl") == nil)
    }

    @Test func roomPositionsCompleteRoomTitles() throws {
        var completion = try #require(complete("/go gr"))
        #expect(completion.candidates == ["Group therapy (evening IOP)", "Group skills"])
        completion.advance()
        #expect(completion.text == "/go Group skills ")
        #expect(try #require(complete("/join fam")).text == "/join Family therapy: Alex R. ")
    }

    @Test func admitAlsoOffersAllAndInviteOffersFamily() throws {
        #expect(try #require(complete("/admit a")).candidates == ["Alex R.", "all"])
        #expect(try #require(complete("/invite ")).candidates == ["Tom T."])
    }

    @Test func roundStartCompletesEachNameInTurn() throws {
        #expect(try #require(complete("/round s")).text == "/round start ")
        let completion = try #require(complete("/round start Sam T. Al"))
        #expect(completion.text == "/round start Sam T. Alex R. ")
    }

    @Test func helpReviewAndSlowCompleteTheirWords() throws {
        #expect(try #require(complete("/help mu")).text == "/help mute ")
        #expect(try #require(complete("/review o")).candidates == ["on", "off"])
        #expect(try #require(complete("/slow o")).text == "/slow off ")
    }

    @Test func aNameInAMessageCompletes() throws {
        #expect(try #require(complete("welcome al")).text == "welcome Alex R. ")
        #expect(complete("welcome ") == nil)
    }

    @Test func theTextAfterTheCaretIsKept() throws {
        let completion = try #require(complete("/mu Sam", caret: 3))
        #expect(completion.text == "/mute Sam")
        #expect(completion.caret == 5)
    }

    @Test func nothingMatchingCompletesNothing() {
        #expect(complete("/zz") == nil)
        #expect(complete("/mute Bob") == nil)
        #expect(complete("/lock ") == nil)
    }
}
