import HearthCore
import Testing

/// Message bodies: at most 4000 characters as a person counts them, and never blank.
struct MessageLimitsTests {
    let limits = MessageLimits()

    @Test("a body of exactly 4000 characters is accepted")
    func atLimit() {
        #expect(limits.validate(body: String(repeating: "a", count: 4000)) == nil)
    }

    @Test("a body of 4001 characters is too_large")
    func overLimit() throws {
        let error = try #require(limits.validate(body: String(repeating: "a", count: 4001)))
        #expect(error.code == .tooLarge)
        #expect(error.message.contains("4000"))
    }

    @Test("emoji count as one character each, however many bytes they take", arguments: [
        "👍🏽", // two scalars, 8 bytes
        "👨‍👩‍👧", // a ZWJ family, 18 bytes
        "é", // two bytes
    ])
    func multiByteCharacters(character: String) throws {
        #expect(character.count == 1)
        #expect(limits.validate(body: String(repeating: character, count: 4000)) == nil)
        let error = try #require(limits.validate(body: String(repeating: character, count: 4001)))
        #expect(error.code == .tooLarge)
    }

    @Test("an empty or whitespace-only body is a bad request", arguments: ["", " ", "   ", "\n\t \r\n", "\u{00A0}"])
    func blank(body: String) throws {
        let error = try #require(limits.validate(body: body))
        #expect(error.code == .badRequest)
    }

    @Test("a short body with surrounding whitespace is accepted")
    func ordinaryBody() {
        #expect(limits.validate(body: "  I made it to a meeting today.\n") == nil)
        #expect(limits.validate(body: "🙂") == nil)
    }

    @Test("the default pages are the documented sizes")
    func defaults() {
        #expect(limits.maxBodyCharacters == 4000)
        #expect(limits.joinPage == 50)
        #expect(limits.resumePage == 500)
        #expect(limits.historyMax == 200)
    }
}
