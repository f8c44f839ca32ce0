import Foundation
@testable import HearthCore
import Testing

/// The crisis lexicon: the shipped phrases, how matching survives the ways people type, what it must leave alone,
/// the file format's errors, and a clinic's overrides.
struct CrisisLexiconTests {
    let lexicon = CrisisLexicon.standard

    struct Expected: CustomTestStringConvertible, Sendable {
        var text: String
        var category: CrisisCategory
        var severity: CrisisSeverity
        init(_ text: String, _ category: CrisisCategory, _ severity: CrisisSeverity) {
            self.text = text
            self.category = category
            self.severity = severity
        }
        var testDescription: String { "\"\(text)\" → \(category) \(severity)" }
    }

    // MARK: - Matching

    @Test("phrases are found however they are typed", arguments: [
        Expected("I want to kill myself", .suicide, .high),
        Expected("k.i.l.l my-self", .suicide, .high),
        Expected("kill, myself!!", .suicide, .high),
        Expected("killlll myselffff", .suicide, .high),
        Expected("k i l l myself", .suicide, .high),
        Expected("honestly killmyself", .suicide, .high),
        Expected("I'm going to kill my self", .suicide, .high),
        Expected("KILLING MYSELF tonight", .suicide, .high),
        Expected("k1ll mys3lf", .suicide, .high),
        Expected("k\u{200B}ill my\u{00AD}self", .suicide, .high),
        Expected("ｋｉｌｌ ｍｙｓｅｌｆ", .suicide, .high),
        Expected("I've been thinking about suiiicide", .suicide, .high),
        Expected("Suïcidé", .suicide, .high),
        Expected("$u1c1de", .suicide, .high),
        Expected("feeling 5uicidal again", .suicide, .high),
        Expected("s u i c i d e", .suicide, .high),
        Expected("suicdie", .suicide, .high),
        Expected("sucide", .suicide, .high),
        Expected("I'm sucidal", .suicide, .high),
        Expected("suicidality", .suicide, .high),
        Expected("i just...want to die", .suicide, .high),
        Expected("i wanttodie", .suicide, .high),
        Expected("want2die", .suicide, .high),
        Expected("honestly i wanna dieee", .suicide, .high),
        Expected("everyone would be better off without me", .suicide, .high),
        Expected("kms", .suicide, .high),
        Expected("gonna unalive myself", .suicide, .high),
        Expected("I don’t want to live like this", .suicide, .high),
        Expected("I might hang myself", .suicide, .high),
        Expected("I almost hung myself", .suicide, .high),
        Expected("killingmyself", .suicide, .high),
        Expected("unaliving", .suicide, .high),
        Expected("sewerslide", .suicide, .high),
        Expected("I can't go on", .suicide, .medium),
        Expected("feeling hopeless today", .suicide, .low),
        Expected("I keep cutting myself", .selfHarm, .high),
        Expected("I cut myself again last night", .selfHarm, .high),
        Expected("my self-harm scars", .selfHarm, .medium),
        Expected("selfharm", .selfHarm, .medium),
        Expected("I think I overdosed", .overdose, .high),
        Expected("I almost ODed", .overdose, .high),
        Expected("overdose", .overdose, .high),
        Expected("overdsoe", .overdose, .high),
        Expected("I OD’d on Friday", .overdose, .high),
        Expected("she od'd", .overdose, .high),
        Expected("I took too many pills", .overdose, .high),
        Expected("they had to narcan me", .overdose, .low),
        Expected("I relapsed on Saturday", .relapse, .medium),
        Expected("I used again.", .relapse, .medium),
        Expected("drank again after 90 days", .relapse, .medium),
        Expected("rel@psed", .relapse, .medium),
        Expected("relpased", .relapse, .medium),
        Expected("I got high last night", .relapse, .medium),
        Expected("relapse prevention worksheet", .relapse, .low),
        Expected("I'm going to hurt someone", .violence, .high),
        Expected("I'm gonna kill him", .violence, .high),
        Expected("just go kill yourself", .violence, .high),
        Expected("kill ur self", .violence, .high),
        Expected("he hits me when he drinks", .abuse, .medium),
        Expected("my boyfriend beats me up", .abuse, .medium),
        Expected("I was abused as a kid", .abuse, .medium),
        Expected("I was abuzed", .abuse, .medium),
        Expected("she molestd me", .abuse, .medium),
        Expected("I'm scared to go home", .abuse, .medium),
    ])
    func finds(_ expected: Expected) throws {
        let match = lexicon.scan(expected.text)
        #expect(match == CrisisMatch(severity: expected.severity, category: expected.category))
    }

    @Test("near misses and everyday figures of speech match nothing", arguments: [
        "I could kill for a coffee right now",
        "this homework is killing me",
        "my skills are getting better",
        "I'm a skilled carpenter",
        "we watched a killer whale documentary",
        "my rent is overdue",
        "I'm overdue for a haircut",
        "I'm on a diet",
        "I studied all weekend",
        "my therapist is great",
        "I dyed my hair blue",
        "we were shooting hoops after group",
        "I've been drinking water all day",
        "I shot him a text",
        "kill them with kindness",
        "I want to take my life back",
        "hit me up after group",
        "beats me, I don't know",
        "I was kidding myself about drinking socially",
        "the steak was overdone",
        "I'm a substance abuse counselor",
        "I was accused of lying",
        "I was so amused",
        "my dad cooked me dinner",
        "I packed up again and moved",
        "the dealer at the casino was rude",
        "I'm dying to see that movie",
        "my phone died",
        "I'm dead tired",
        "that comedian killed it",
        "I ran 5km this morning",
        "I cut my hair",
        "I hung out with my sister",
        "I'll be at meetings all week",
        "self-care matters",
        "she passed the skills test",
        "that's odd",
        "I took my meds",
        "sucks to be me",
        "it's a kiln for pottery",
    ])
    func leavesAlone(_ text: String) {
        let match = lexicon.scan(text)
        #expect(match == nil)
    }

    @Test("ordinary group-therapy chat raises nothing", arguments: [
        "Hi everyone, glad to be here tonight.",
        "I made it to three meetings this week.",
        "My sponsor called me on Tuesday and we talked for an hour.",
        "Work has been stressful but I'm managing.",
        "I'm 45 days sober today!",
        "Congrats! That's huge.",
        "I had a craving on Friday but I called my sister instead.",
        "The breathing exercise from last week really helped.",
        "I'm grateful for this group.",
        "My daughter visited on Sunday, we baked cookies.",
        "I'm struggling with sleep lately.",
        "Can someone remind me what the homework was?",
        "I wrote my gratitude list this morning.",
        "My anxiety was really high before my job interview.",
        "I went to the gym and felt better afterwards.",
        "I'm nervous about the family session next week.",
        "My mom and I had a good talk finally.",
        "I'm working on setting boundaries with my ex.",
        "Thanks for sharing that, it really resonates with me.",
        "I avoided the bar on my way home, took the long way.",
        "Does anyone have tips for dealing with boredom on weekends?",
        "I started journaling again.",
        "I feel more hopeful than last month.",
        "My safety plan is on my fridge now.",
        "I'm proud of myself for asking for help.",
        "My doctor adjusted my medication and it's going okay.",
        "I got my 30 day chip!",
        "It's been hard not having my friends from before.",
        "I skipped the party because there would be drinking.",
        "My counselor suggested I try meditation.",
        "Sorry I'm late, traffic was awful.",
        "Weekends are the hardest for me.",
        "I'm tired but I'm here.",
        "I talked to my boss about my schedule.",
        "Honestly this group keeps me going.",
        "I've been eating better and walking every day.",
        "I cried a lot this week, but in a good way I think.",
        "My brother is getting married and there will be an open bar.",
        "I'm learning to sit with uncomfortable feelings.",
        "See you all on Thursday!",
        "I killed it at my presentation today",
        "we ordered way too many pizzas lol",
        "the game last night was insane, they destroyed the other team",
    ])
    func everydayChat(_ text: String) {
        let match = lexicon.scan(text)
        #expect(match == nil)
    }

    @Test("the most severe phrase in a message wins")
    func mostSevere() {
        #expect(lexicon.scan("I relapsed and now I want to die") == CrisisMatch(severity: .high, category: .suicide))
        #expect(lexicon.scan("relapse prevention is hard, I relapsed")
            == CrisisMatch(severity: .medium, category: .relapse))
        #expect(lexicon.scan("I feel hopeless and he hits me") == CrisisMatch(severity: .medium, category: .abuse))
    }

    @Test("between equally severe phrases, the first in the file wins, wherever they are in the message")
    func tiesGoToTheFile() throws {
        let small = try CrisisLexicon(parsing: """
            medium | abuse   | apple pie
            medium | relapse | banana
            high   | suicide | cherry
            """, source: "small.txt")
        #expect(small.scan("banana then apple pie") == CrisisMatch(severity: .medium, category: .abuse))
        #expect(small.scan("banana, apple pie, cherry") == CrisisMatch(severity: .high, category: .suicide))
        #expect(small.scan("apple") == nil)
    }

    @Test("whole words only, and a * word matches words that start with it")
    func wholeWords() throws {
        let small = try CrisisLexicon(parsing: """
            high | violence | kill him
            low  | relapse  | relaps*
            """, source: "small.txt")
        #expect(small.scan("skill him") == nil)
        #expect(small.scan("kill hims") == nil)
        #expect(small.scan("kill him") != nil)
        #expect(small.scan("relapsing") != nil)
        #expect(small.scan("prerelapse") == nil)
    }

    @Test("long and odd messages stay quick and match nothing")
    func pathological() {
        let inputs = [
            "",
            " \n\t ",
            String(repeating: "a ", count: 2000),
            String(repeating: "k i l ", count: 660),
            String(repeating: "x", count: 4000),
            String(repeating: "kilmy", count: 800),
            String(repeating: "k.", count: 2000),
            String(repeating: "🙂", count: 4000),
            String(repeating: "overdo ", count: 570),
        ]
        let start = Date()
        for input in inputs { #expect(lexicon.scan(input) == nil) }
        #expect(Date().timeIntervalSince(start) < 5)
        let long = String(repeating: "I went to my meeting and talked with my sponsor. ", count: 80) + "kms"
        #expect(lexicon.scan(long) == CrisisMatch(severity: .high, category: .suicide))
    }

    // MARK: - The shipped file

    @Test("the standard lexicon loads and covers every category and severity")
    func standard() {
        #expect((60...140).contains(lexicon.entryCount))
        #expect(lexicon.categories == Set(CrisisCategory.allCases))
        for severity in CrisisSeverity.allCases {
            #expect(lexicon.entries.contains { $0.severity == severity })
        }
    }

    @Test("severities order low < medium < high")
    func severityOrder() {
        #expect(CrisisSeverity.low < .medium && CrisisSeverity.medium < .high)
        #expect(CrisisSeverity.allCases.max() == .high)
    }

    // MARK: - Parse errors

    @Test("a bad line is reported with its file, its line and what to write instead", arguments: [
        ("hgih | suicide | kill myself", "Unknown severity `hgih`: use high, medium, low or off."),
        ("high | suicide", "Expected `severity | category | phrase`; this line has 2 fields."),
        ("high | suicide |   ", "The phrase is empty: write the words to match after the second `|`."),
        ("high | sadness | kill myself", "Unknown category `sadness`: use suicide, self_harm, overdose, relapse, violence, abuse."),
        (" | suicide | kill myself", "The severity is missing: use high, medium, low or off."),
        ("high | suicide | ov*rdose", "`*` can only end a word, as in `overdos*`; `ov*rdose` has it elsewhere."),
        ("high | suicide | od*", "`od*` is too short to match by its start: a word ending in `*` needs at least 3 letters before the `*`."),
        ("high | suicide | !!!", "The phrase `!!!` has no letters or digits to match."),
        ("high | suicide | a | b", "Expected `severity | category | phrase`; this line has 4 fields."),
        ("ordinary | ", "List at least one word after `ordinary |`."),
    ])
    func parseError(line: String, message: String) {
        let text = "# a clinic's list\n\nlow | relapse | slipped up\n\(line)\nhigh | suicide | end it all\n"
        #expect(throws: CrisisLexiconError(source: "clinic.txt", line: 4, message)) {
            try CrisisLexicon(parsing: text, source: "clinic.txt")
        }
    }

    @Test("the same phrase twice, however it is typed, names both lines")
    func duplicate() throws {
        let text = "high | suicide | kill myself\n\nmedium | suicide | KILL   Myselfff!\n"
        let error = try #require(throws: CrisisLexiconError.self) {
            try CrisisLexicon(parsing: text, source: "clinic.txt")
        }
        #expect(error.line == 3)
        #expect(error.message.contains("line 1"))
        #expect(error.description.hasPrefix("clinic.txt, line 3: "))
    }

    @Test("comments, blank lines, Windows line ends and case are fine")
    func format() throws {
        let text = "\u{FEFF}# heading\r\n\r\n  HIGH | Suicide | Jump off a bridge   # a trailing comment\r\nordinary | overdone, amused\r\n"
        let parsed = try CrisisLexicon(parsing: text, source: "clinic.txt")
        #expect(parsed.entryCount == 1)
        #expect(parsed.scan("I want to jump off a bridge") == CrisisMatch(severity: .high, category: .suicide))
        #expect(parsed.ordinary.count == 2)
    }

    // MARK: - Clinic overrides

    @Test("extend adds a clinic's phrase and keeps the shipped ones")
    func extendAdds() throws {
        let clinic = try CrisisLexicon(parsing: "high | relapse | went to the bar\n", source: "clinic.txt")
        let merged = lexicon.overridden(by: clinic, mode: .extend)
        #expect(merged.entryCount == lexicon.entryCount + 1)
        #expect(merged.scan("I went to the bar") == CrisisMatch(severity: .high, category: .relapse))
        #expect(merged.scan("I want to kill myself") == CrisisMatch(severity: .high, category: .suicide))
        #expect(lexicon.scan("I went to the bar") == nil)
    }

    @Test("extend with off removes a shipped phrase; an off for an unknown phrase does nothing")
    func extendRemoves() throws {
        let clinic = try CrisisLexicon(parsing: """
            off | relapse | Got High
            off | relapse | something we never shipped
            """, source: "clinic.txt")
        #expect(clinic.entryCount == 0)
        let merged = lexicon.overridden(by: clinic, mode: .extend)
        #expect(merged.entryCount == lexicon.entryCount - 1)
        #expect(lexicon.scan("we got high") != nil)
        #expect(merged.scan("we got high") == nil)
    }

    @Test("extend re-grades a shipped phrase in place")
    func extendRegrades() throws {
        let clinic = try CrisisLexicon(parsing: "high | relapse | relapsed\n", source: "clinic.txt")
        let merged = lexicon.overridden(by: clinic, mode: .extend)
        #expect(merged.entryCount == lexicon.entryCount)
        #expect(merged.scan("I relapsed") == CrisisMatch(severity: .high, category: .relapse))
    }

    @Test("extend adds a clinic's ordinary words to the shipped ones")
    func extendOrdinary() throws {
        #expect(lexicon.scan("suicdie") != nil)
        let clinic = try CrisisLexicon(parsing: "ordinary | suicdie\n", source: "clinic.txt")
        let merged = lexicon.overridden(by: clinic, mode: .extend)
        #expect(merged.scan("suicdie") == nil)
        #expect(merged.scan("overdone") == nil)
    }

    @Test("replace drops the shipped list")
    func replace() throws {
        let clinic = try CrisisLexicon(parsing: """
            medium | relapse | went to the bar
            off    | suicide | kill myself
            """, source: "clinic.txt")
        let replaced = lexicon.overridden(by: clinic, mode: .replace)
        #expect(replaced.entryCount == 1)
        #expect(replaced.categories == [.relapse])
        #expect(replaced.scan("I went to the bar") == CrisisMatch(severity: .medium, category: .relapse))
        #expect(replaced.scan("I want to kill myself") == nil)
    }

    // MARK: - Normalisation

    @Test("text is folded, decoded and collapsed into words")
    func normalisation() {
        func words(_ text: String) -> [String] {
            let parsed = CrisisText(text)
            return parsed.tokens.indices.map { index in
                String(String.UnicodeScalarView(parsed.letters(of: index).compactMap(Unicode.Scalar.init)))
            }
        }
        #expect(words("Killlll MYSELF!!") == ["kil", "myself"])
        #expect(words("Ünalïve") == ["unalive"])
        #expect(words("od'd, odd, OD’d") == ["odd", "od", "odd"])
        #expect(words("$u1c1de $5 100 l00k") == ["suicide", "5", "100", "lok"])
        #expect(words("k\u{200B}ill") == ["kil"])
        #expect(words("--- ... 🙂") == [])
    }

    @Test("one edit away, keeping the first letter")
    func oneEdit() {
        func scalars(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }
        #expect(CrisisMatcher.isOneEdit(scalars("suicdie"), scalars("suicide")))
        #expect(CrisisMatcher.isOneEdit(scalars("sucide"), scalars("suicide")))
        #expect(CrisisMatcher.isOneEdit(scalars("suicidex"), scalars("suicide")))
        #expect(CrisisMatcher.isOneEdit(scalars("suicude"), scalars("suicide")))
        #expect(!CrisisMatcher.isOneEdit(scalars("suicide"), scalars("suicide")))
        #expect(!CrisisMatcher.isOneEdit(scalars("usicide"), scalars("suicide")))
        #expect(!CrisisMatcher.isOneEdit(scalars("xuicide"), scalars("suicide")))
        #expect(!CrisisMatcher.isOneEdit(scalars("sucdie"), scalars("suicide")))
    }
}
