import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing
@testable import HearthTerminal

struct CommandParserTests {
    typealias F = Fixture
    let state = F.inGroup()

    private func parse(_ line: String, room: RoomID? = F.group, arrivals: [PersonID] = []) throws -> SlashCommand {
        try F.parser(state, room: room, arrivals: arrivals).parse(line)
    }

    private func error(_ line: String, room: RoomID? = F.group) -> CommandError? {
        F.error(line, state, room: room)
    }

    // MARK: Messages

    @Test func aLineNotStartingWithSlashIsAMessage() throws {
        #expect(try parse("hello everyone") == .message("hello everyone"))
        #expect(try parse(" /not a command") == .message(" /not a command"))
        #expect(try parse("//help is a message") == .message("/help is a message"))
    }

    @Test func aMessageWithNoRoomInFrontSaysSo() {
        #expect(error("hello", room: nil) == .noRoomInFront(command: nil))
        #expect(error("hello", room: nil)?.message.contains("/go ROOM") == true)
    }

    @Test func anUnknownCommandPointsToHelp() {
        #expect(error("/frob") == .unknownCommand("frob"))
        #expect(error("/frob")?.message == "Unknown command /frob. Type /help for the list.")
    }

    @Test func commandNamesIgnoreCase() throws {
        #expect(try parse("/LOCK") == .lock)
    }

    // MARK: Rooms

    @Test func roomsResolveByIdOrUniqueTitlePrefix() throws {
        #expect(try parse("/go r_family") == .go(F.family))
        #expect(try parse("/go family") == .go(F.family))
        #expect(try parse("/join Relapse") == .join(F.tomorrow))
        #expect(try parse("/go Group therapy") == .go(F.group))
    }

    @Test func anAmbiguousRoomPrefixListsTheMatches() {
        let error = error("/go group")
        #expect(error == .ambiguousRoom("group", matches: ["Group therapy (evening IOP)", "Group skills"]))
        #expect(error?.message.contains("Group therapy (evening IOP); Group skills") == true)
    }

    @Test func anUnknownRoomSaysWhatROOMIs() throws {
        #expect(error("/go yoga") == .unknownRoom("yoga"))
        #expect(error("/go yoga")?.message.contains("room id or the start of a room's title") == true)
        // An id the client has never seen is passed on for the server to judge.
        #expect(try parse("/join r_elsewhere") == .join(RoomID("r_elsewhere")))
    }

    @Test func joinWithoutARoomJoinsTheRoomInFront() throws {
        #expect(try parse("/join", room: F.family) == .join(F.family))
        #expect(error("/join", room: nil) == .missingArgument(command: "join", argument: "ROOM"))
        #expect(error("/go") == .missingArgument(command: "go", argument: "ROOM"))
    }

    // MARK: Names

    @Test func namesWithSpacesMatchTheLongestKnownName() throws {
        #expect(try parse("/mute Sam T. 5") == .mute(MemberRef(F.sam), minutes: 5))
        #expect(try parse("/mute sam t.") == .mute(MemberRef(F.sam), minutes: nil))
        #expect(try parse("/unmute p_sam") == .unmute(MemberRef(F.sam)))
        #expect(try parse("/ban p_unknown") == .ban(MemberRef(id: PersonID("p_unknown"))))
    }

    @Test func theLongestNameWinsOverAShorterOneItStartsWith() throws {
        var state = F.signedIn(rooms: F.roomsWithSkills)
        F.enter(&state, members: [F.sam, F.samuel, F.dana])
        let parser = F.parser(state)
        #expect(try parser.parse("/mute Sam T. Jr 10") == .mute(MemberRef(F.samuel), minutes: 10))
        #expect(try parser.parse("/mute Sam T. 10") == .mute(MemberRef(F.sam), minutes: 10))
    }

    @Test func aUniqueStartOfANameIsEnough() throws {
        #expect(try parse("/lower sam") == .lower(MemberRef(F.sam)))
        #expect(error("/lower sa") == .ambiguousMember("sa", matches: ["Sam T.", "Sara K."]))
        #expect(error("/lower sa")?.message.contains("Sam T., Sara K.") == true)
    }

    @Test func anUnknownNameSaysWhatNAMEIs() {
        #expect(error("/mute Bob 5") == .unknownMember("Bob"))
        #expect(error("/mute Bob 5")?.message.contains("display name or a person id") == true)
    }

    @Test func missingAndExtraArgumentsShowTheUsage() {
        #expect(error("/mute") == .missingArgument(command: "mute", argument: "NAME"))
        #expect(error("/mute")?.message == "/mute needs NAME. Usage: /mute NAME [minutes]")
        #expect(error("/mute Sam T. soon") == .invalidArgument(
            command: "mute", problem: "Minutes must be a whole number from 1 to 1440, not \"soon\"."))
        #expect(error("/mute Sam T. 0")?.message.hasSuffix("Usage: /mute NAME [minutes]") == true)
        #expect(error("/unmute Sam T. now") == .extraArguments(command: "unmute", extra: "now"))
        #expect(error("/lock now")?.message.hasSuffix("Usage: /lock") == true)
        #expect(error("/quit please") == .extraArguments(command: "quit", extra: "please"))
    }

    @Test func commandsOnTheRoomInFrontSaySoWhenThereIsNone() {
        for line in ["/leave", "/mute Sam T.", "/lock", "/hide 3 spam", "/round next", "/end", "/summary", "/note x",
                     "/admit all", "/invite Tom T.", "/hands"] {
            let command = String(line.dropFirst().prefix { $0 != " " })
            #expect(error(line, room: nil) == .noRoomInFront(command: command), "\(line)")
        }
        #expect(error("/lock", room: nil)?.message.contains("Alt-1..9 or /go ROOM") == true)
    }

    // MARK: Each command

    @Test func admitTakesANameAllOrNothing() throws {
        #expect(try parse("/admit Tom T.") == .admit(MemberRef(F.tom)))
        #expect(try parse("/admit all") == .admit(nil))
        #expect(try parse("/admit") == .admit(MemberRef(F.tom)))
        #expect(error("/admit", room: F.family) == .nobodyWaiting)
    }

    @Test func denyTakesAnOptionalMessage() throws {
        #expect(try parse("/deny Tom T. Please call the front desk.")
                == .deny(MemberRef(F.tom), message: "Please call the front desk."))
        #expect(try parse("/deny tom") == .deny(MemberRef(F.tom), message: nil))
    }

    @Test func removeBanUnbanAndLowerTakeOneName() throws {
        #expect(try parse("/remove Alex R.") == .remove(MemberRef(F.alex)))
        #expect(try parse("/ban Alex R.") == .ban(MemberRef(F.alex)))
        #expect(try parse("/unban Alex R.") == .unban(MemberRef(F.alex)))
        #expect(try parse("/lower Sam T.") == .lower(MemberRef(F.sam)))
    }

    @Test func messageCommandsTakeASeq() throws {
        #expect(try parse("/hide 12 personal attack") == .hide(seq: 12, reason: "personal attack"))
        #expect(try parse("/unhide 12") == .unhide(seq: 12))
        #expect(try parse("/pin 3") == .pin(seq: 3))
        #expect(try parse("/unpin 3") == .unpin(seq: 3))
        #expect(try parse("/release 7") == .release(seq: 7))
        #expect(error("/hide 12") == .missingArgument(command: "hide", argument: "a reason (it is kept in the record)"))
        #expect(error("/hide") == .missingArgument(command: "hide", argument: "SEQ"))
        #expect(error("/pin twelve")?.message == "SEQ is a number, not \"twelve\". Usage: /pin SEQ")
        #expect(error("/pin 3 4") == .extraArguments(command: "pin", extra: "4"))
    }

    @Test func roomControls() throws {
        #expect(try parse("/lock") == .lock)
        #expect(try parse("/unlock") == .unlock)
        #expect(try parse("/slow 30") == .slow(seconds: 30))
        #expect(try parse("/slow off") == .slow(seconds: 0))
        #expect(error("/slow") == .missingArgument(command: "slow", argument: "SECONDS or off"))
        #expect(error("/slow 9000")?.message.hasSuffix("Usage: /slow SECONDS|off") == true)
        #expect(try parse("/review on") == .review(on: true))
        #expect(try parse("/review OFF") == .review(on: false))
        #expect(error("/review maybe")?.message == "Review mode is on or off. Usage: /review on|off")
        #expect(try parse("/end") == .end)
    }

    @Test func roundStartWithNamesKeepsTheirOrder() throws {
        #expect(try parse("/round start Sara K. Alex R., Sam T.")
                == .roundStart([MemberRef(F.sara), MemberRef(F.alex), MemberRef(F.sam)]))
        #expect(error("/round start Sam T. Sam T.")
                == .invalidArgument(command: "round", problem: "Sam T. is named twice."))
    }

    @Test func roundStartAloneTakesThosePresentInOrderOfArrivalWithoutStaff() throws {
        #expect(try parse("/round start", arrivals: [F.sara.id, F.dana.id, F.sam.id])
                == .roundStart([MemberRef(F.sara), MemberRef(F.sam), MemberRef(F.alex)]))
        // Arrival unknown: the member list's order.
        #expect(try parse("/round start") == .roundStart([MemberRef(F.alex), MemberRef(F.sam), MemberRef(F.sara)]))
    }

    @Test func roundNextAndEnd() throws {
        #expect(try parse("/round next") == .roundNext)
        #expect(try parse("/round end") == .roundEnd)
        #expect(error("/round") == .missingArgument(command: "round", argument: "start, next or end"))
        #expect(error("/round")?.message.contains("Usage: /round start [NAME...] | /round next | /round end") == true)
        #expect(error("/round stop") != nil)
    }

    @Test func handsAnnounceAndWhisper() throws {
        #expect(try parse("/hands") == .hands)
        #expect(try parse("/announce Break in 5 minutes") == .announce("Break in 5 minutes"))
        #expect(try parse("/whisper Sam T. are you OK?") == .whisper(MemberRef(F.sam), text: "are you OK?"))
        #expect(error("/whisper Sam T.") == .missingArgument(command: "whisper", argument: "TEXT"))
        #expect(error("/announce") == .missingArgument(command: "announce", argument: "TEXT"))
    }

    @Test func inviteTakesAFamilyMemberKnownByNameOrAnId() throws {
        var state = F.signedIn(rooms: F.roomsWithSkills)
        F.enter(&state, F.family, members: [F.alex, F.dana], waiting: [F.maria])
        let parser = F.parser(state, room: F.family)
        #expect(try parser.parse("/invite Maria R.") == .invite(MemberRef(F.maria)))
        #expect(try parser.parse("/invite p_qzg5") == .invite(MemberRef(id: PersonID("p_qzg5"))))
        // Alex is a participant, not family.
        #expect(throws: CommandError.unknownMember("Alex")) { try parser.parse("/invite Alex R.") }
    }

    @Test func reportsResolveAndSchedule() throws {
        #expect(try parse("/reports") == .reports)
        #expect(try parse("/resolve 3 talked it over") == .resolve(report: 3, outcome: "talked it over"))
        #expect(try parse("/resolve 3") == .resolve(report: 3, outcome: nil))
        #expect(error("/resolve") == .missingArgument(command: "resolve", argument: "ID"))
        #expect(try parse("/schedule") == .schedule(days: nil))
        #expect(try parse("/schedule 14") == .schedule(days: 14))
        #expect(error("/schedule 100")?.message == "Days must be a whole number from 1 to 62. Usage: /schedule [days]")
    }

    @Test func recordsCommands() throws {
        #expect(try parse("/attendance") == .attendance(week: nil))
        #expect(try parse("/attendance 2026-w47") == .attendance(week: ISOWeek("2026-W47")))
        #expect(error("/attendance last")?.message.hasPrefix("The week must be an ISO week like 2026-W48.") == true)
        #expect(try parse("/summary") == .summary)
        #expect(try parse("/note Sam seemed tired tonight.") == .note("Sam seemed tired tonight."))
        #expect(try parse("/notes") == .notes)
    }

    @Test func ackTakesAnOptionalIdAndOutcome() throws {
        #expect(try parse("/ack") == .ack(alert: nil, outcome: nil))
        #expect(try parse("/ack 4") == .ack(alert: 4, outcome: nil))
        #expect(try parse("/ack 4 Called Sam; safety plan reviewed.")
                == .ack(alert: 4, outcome: "Called Sam; safety plan reviewed."))
        #expect(try parse("/ack spoke with Sam") == .ack(alert: nil, outcome: "spoke with Sam"))
        #expect(try parse("/ack all") == .ackAll(outcome: nil))
        #expect(try parse("/ack ALL Group debrief; all safe.") == .ackAll(outcome: "Group debrief; all safe."))
    }

    @Test func breakglassTakesARoomThenAReason() throws {
        #expect(try parse("/breakglass Family therapy crisis call from the front desk", room: nil)
                == .breakGlass(F.family, reason: "crisis call from the front desk"))
        #expect(try parse("/breakglass r_private crisis call from the front desk")
                == .breakGlass(RoomID("r_private"), reason: "crisis call from the front desk"))
        #expect(error("/breakglass family") == .missingArgument(command: "breakglass", argument: "a reason (it is recorded)"))
        #expect(error("/breakglass family urgent")?.message.hasPrefix("The reason must be 10 to 500 characters") == true)
    }

    @Test func helpAndQuit() throws {
        #expect(try parse("/help") == .help(nil))
        #expect(try parse("/help mute") == .help("mute"))
        #expect(try parse("/help /MUTE") == .help("mute"))
        #expect(error("/help frob") == .unknownCommand("frob"))
        #expect(try parse("/quit") == .quit)
    }

    @Test func everyCommandInTheHelpParsesOrExplainsItself() {
        // Each command, typed bare, either parses or gives an error that names its usage or what is missing.
        for name in CommandHelp.names {
            guard let error = error("/\(name)") else { continue }
            #expect(error != .unknownCommand(name), "/\(name)")
        }
    }
}
