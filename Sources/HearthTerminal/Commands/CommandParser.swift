import Foundation
import HearthClient
import HearthCore

/// Why a line could not be turned into a command. `message` says what to type instead.
public enum CommandError: Error, Equatable, Sendable {
    /// `/frob`: no such command.
    case unknownCommand(String)
    /// A required argument is absent (`argument` as the usage line names it: NAME, ROOM, SEQ, …).
    case missingArgument(command: String, argument: String)
    /// Text after the last argument the command takes.
    case extraArguments(command: String, extra: String)
    /// An argument that is not what the command takes; `problem` is a sentence naming it.
    case invalidArgument(command: String, problem: String)
    /// The command acts on the room in front and there is none (nil: a message).
    case noRoomInFront(command: String?)
    /// No room has this id or a title starting with this text.
    case unknownRoom(String)
    /// Several rooms' titles start with this text.
    case ambiguousRoom(String, matches: [String])
    /// Nobody known here has this name or id.
    case unknownMember(String)
    /// Several people match this text.
    case ambiguousMember(String, matches: [String])
    /// `/admit` alone with nobody waiting.
    case nobodyWaiting
    /// `/round start` alone with no participant or family member present.
    case nobodyPresent
    /// A message to a room the person has not joined (the client never joins by itself).
    case notJoined(room: String)
    /// `/ack` without ID and no open alert.
    case noOpenAlert

    /// The sentence for the status line.
    public var message: String {
        switch self {
        case .unknownCommand(let name):
            return "Unknown command /\(name). Type /help for the list."
        case .missingArgument(let command, let argument):
            return "/\(command) needs \(argument). \(CommandHelp.usage(command))"
        case .extraArguments(let command, let extra):
            return "/\(command) takes nothing more than shown (\"\(extra.prefix(30))\" is extra). \(CommandHelp.usage(command))"
        case .invalidArgument(let command, let problem):
            return "\(problem) \(CommandHelp.usage(command))"
        case .noRoomInFront(let command?):
            return "/\(command) acts on the room in front, and there is none: pick one with Alt-1..9 or /go ROOM."
        case .noRoomInFront(nil):
            return "No room in front to write to: pick one with Alt-1..9 or /go ROOM."
        case .unknownRoom(let text):
            return "No room matches \"\(text.prefix(40))\". ROOM is a room id or the start of a room's title."
        case .ambiguousRoom(let text, let matches):
            return "\"\(text.prefix(40))\" matches \(matches.count) rooms: \(matches.joined(separator: "; ")). Type more of the title, or the room id."
        case .unknownMember(let text):
            return "Nobody called \"\(text.prefix(40))\" is known here. NAME is a display name or a person id (Tab completes names)."
        case .ambiguousMember(let text, let matches):
            return "\"\(text.prefix(40))\" matches \(matches.count) people: \(matches.joined(separator: ", ")). Type the whole name, or the person id."
        case .nobodyWaiting:
            return "Nobody is waiting to be admitted."
        case .nobodyPresent:
            return "No participant or family member is present for a round. Usage: /round start [NAME...]"
        case .notJoined(let room):
            return "You have not joined \(room): /join it first to write there."
        case .noOpenAlert:
            return "No open alert to acknowledge."
        }
    }
}

/// Turns a line of the input into a `SlashCommand`, resolving ROOM and NAME arguments against what the client
/// knows: a ROOM is a room id or a unique prefix of a room's title (today's rooms first, then every room listed); a
/// NAME is the longest display name known in the room in front at the start of the text (names may hold spaces,
/// like "Sam T."), a person id, or a unique start of one name.
public struct CommandParser: Sendable {
    public let state: ClientState
    public let currentRoom: RoomID?
    public let now: Date
    /// The people of the room in front in the order they arrived, as far as the screen saw it (for `/round start`).
    public let arrivalOrder: [PersonID]

    public init(state: ClientState, currentRoom: RoomID?, now: Date, arrivalOrder: [PersonID] = []) {
        self.state = state
        self.currentRoom = currentRoom
        self.now = now
        self.arrivalOrder = arrivalOrder
    }

    /// The command a line asks for.
    public func parse(_ line: String) throws(CommandError) -> SlashCommand {
        guard line.hasPrefix("/") else {
            _ = try room(for: nil)
            return .message(line)
        }
        if line.hasPrefix("//") {
            _ = try room(for: nil)
            return .message(String(line.dropFirst()))
        }
        let body = line.dropFirst()
        let word = body.prefix { !$0.isWhitespace }
        let name = word.lowercased()
        let args = String(body.dropFirst(word.count)).trimmingCharacters(in: .whitespacesAndNewlines)
        switch name {
        case "join":
            if args.isEmpty {
                guard let currentRoom else { throw .missingArgument(command: name, argument: "ROOM") }
                return .join(currentRoom)
            }
            return .join(try room(named: args, command: name))
        case "leave":
            _ = try room(for: name)
            try nothingMore(args, name)
            return .leave
        case "go":
            return .go(try room(named: args, command: name))
        case "admit":
            let room = try room(for: name)
            if args.lowercased() == "all" { return .admit(nil) }
            if args.isEmpty {
                guard let first = state.waitingList(in: room).first else { throw .nobodyWaiting }
                return .admit(MemberRef(first))
            }
            let (member, rest) = try member(args, command: name, pools: [state.waitingList(in: room)] + pools(room))
            try nothingMore(rest, name)
            return .admit(member)
        case "deny":
            let room = try room(for: name)
            let (member, rest) = try member(args, command: name, pools: [state.waitingList(in: room)] + pools(room))
            guard rest.count <= 500 else {
                throw .invalidArgument(command: name, problem: "The message can be at most 500 characters.")
            }
            return .deny(member, message: rest.isEmpty ? nil : rest)
        case "mute":
            let (member, rest) = try member(args, command: name, pools: pools(try room(for: name)))
            guard !rest.isEmpty else { return .mute(member, minutes: nil) }
            guard let minutes = Int(rest), (1...1440).contains(minutes) else {
                throw .invalidArgument(command: name,
                                       problem: "Minutes must be a whole number from 1 to 1440, not \"\(rest.prefix(20))\".")
            }
            return .mute(member, minutes: minutes)
        case "unmute", "remove", "ban", "unban", "lower":
            let (member, rest) = try member(args, command: name, pools: pools(try room(for: name)))
            try nothingMore(rest, name)
            switch name {
            case "unmute": return .unmute(member)
            case "remove": return .remove(member)
            case "ban": return .ban(member)
            case "unban": return .unban(member)
            default: return .lower(member)
            }
        case "hide":
            _ = try room(for: name)
            let (seq, reason) = try seq(args, command: name)
            guard !reason.isEmpty else { throw .missingArgument(command: name, argument: "a reason (it is kept in the record)") }
            guard reason.count <= ModerationRequest.maxReasonCharacters else {
                throw .invalidArgument(command: name, problem: "The reason can be at most 500 characters.")
            }
            return .hide(seq: seq, reason: reason)
        case "unhide", "pin", "unpin", "release":
            _ = try room(for: name)
            let (seq, rest) = try seq(args, command: name)
            try nothingMore(rest, name)
            switch name {
            case "unhide": return .unhide(seq: seq)
            case "pin": return .pin(seq: seq)
            case "unpin": return .unpin(seq: seq)
            default: return .release(seq: seq)
            }
        case "lock", "unlock", "hands", "end", "summary", "notes":
            _ = try room(for: name)
            try nothingMore(args, name)
            switch name {
            case "lock": return .lock
            case "unlock": return .unlock
            case "hands": return .hands
            case "end": return .end
            case "summary": return .summary
            default: return .notes
            }
        case "slow":
            _ = try room(for: name)
            guard !args.isEmpty else { throw .missingArgument(command: name, argument: "SECONDS or off") }
            if args.lowercased() == "off" { return .slow(seconds: 0) }
            guard let seconds = Int(args), (0...3600).contains(seconds) else {
                throw .invalidArgument(command: name, problem: "Slow mode takes seconds from 1 to 3600, or off.")
            }
            return .slow(seconds: seconds)
        case "review":
            _ = try room(for: name)
            switch args.lowercased() {
            case "on": return .review(on: true)
            case "off": return .review(on: false)
            case "": throw .missingArgument(command: name, argument: "on or off")
            default: throw .invalidArgument(command: name, problem: "Review mode is on or off.")
            }
        case "round":
            return try round(args)
        case "announce", "note":
            _ = try room(for: name)
            guard !args.isEmpty else { throw .missingArgument(command: name, argument: "TEXT") }
            if name == "note" {
                guard args.count <= 20_000 else {
                    throw .invalidArgument(command: name, problem: "A note can be at most 20000 characters.")
                }
                return .note(args)
            }
            return .announce(args)
        case "whisper":
            let (member, text) = try member(args, command: name, pools: pools(try room(for: name)))
            guard !text.isEmpty else { throw .missingArgument(command: name, argument: "TEXT") }
            return .whisper(member, text: text)
        case "invite":
            let room = try room(for: name)
            let family = state.knownMembers().filter { $0.role == .family }
            let (member, rest) = try member(args, command: name, argument: "FAMILY_NAME",
                                            pools: [pools(room).flatMap { $0 }.filter { $0.role == .family }, family])
            try nothingMore(rest, name)
            return .invite(member)
        case "reports":
            try nothingMore(args, name)
            return .reports
        case "resolve":
            let (id, rest) = try number(args, command: name, argument: "ID")
            guard rest.count <= 1000 else {
                throw .invalidArgument(command: name, problem: "The outcome can be at most 1000 characters.")
            }
            return .resolve(report: id, outcome: rest.isEmpty ? nil : rest)
        case "schedule":
            guard !args.isEmpty else { return .schedule(days: nil) }
            guard let days = Int(args), (1...62).contains(days) else {
                throw .invalidArgument(command: name, problem: "Days must be a whole number from 1 to 62.")
            }
            return .schedule(days: days)
        case "attendance":
            guard !args.isEmpty else { return .attendance(week: nil) }
            guard let week = ISOWeek(args) else {
                throw .invalidArgument(command: name, problem: "The week must be an ISO week like 2026-W48.")
            }
            return .attendance(week: week)
        case "ack":
            guard !args.isEmpty else { return .ack(alert: nil, outcome: nil) }
            let token = firstToken(args)
            let all = token.lowercased() == "all"
            let id: Int64? = token.allSatisfy(\.isASCII) ? Int64(token) : nil
            let outcome = id == nil && !all ? args : rest(of: args, after: token)
            guard outcome.count <= 1000 else {
                throw .invalidArgument(command: name, problem: "The outcome can be at most 1000 characters.")
            }
            if all { return .ackAll(outcome: outcome.isEmpty ? nil : outcome) }
            return .ack(alert: id, outcome: outcome.isEmpty ? nil : outcome)
        case "breakglass":
            let (room, reason) = try roomAtStart(of: args, command: name)
            guard !reason.isEmpty else { throw .missingArgument(command: name, argument: "a reason (it is recorded)") }
            guard reason.count >= 10, reason.count <= ModerationRequest.maxReasonCharacters else {
                throw .invalidArgument(command: name, problem: "The reason must be 10 to 500 characters: it is recorded.")
            }
            return .breakGlass(room, reason: reason)
        case "help":
            guard !args.isEmpty else { return .help(nil) }
            let topic = args.hasPrefix("/") ? String(args.dropFirst()) : args
            guard let entry = CommandHelp.entry(topic) else { throw .unknownCommand(topic) }
            return .help(entry.name)
        case "quit":
            try nothingMore(args, name)
            return .quit
        default:
            throw .unknownCommand(String(word))
        }
    }

    // MARK: Arguments

    /// The room in front, for a command that acts on it.
    private func room(for command: String?) throws(CommandError) -> RoomID {
        guard let currentRoom else { throw .noRoomInFront(command: command) }
        return currentRoom
    }

    private func nothingMore(_ rest: String, _ command: String) throws(CommandError) {
        guard rest.isEmpty else { throw .extraArguments(command: command, extra: rest) }
    }

    private func firstToken(_ text: String) -> String {
        String(text.prefix { !$0.isWhitespace })
    }

    /// What follows `token` at the start of `text`, without the whitespace between.
    private func rest(of text: String, after token: String) -> String {
        String(text.dropFirst(token.count)).trimmingCharacters(in: .whitespaces)
    }

    /// A whole number at the start of the arguments, and what follows it.
    private func number(_ args: String, command: String, argument: String) throws(CommandError) -> (Int64, String) {
        let token = firstToken(args)
        guard !token.isEmpty else { throw .missingArgument(command: command, argument: argument) }
        guard token.allSatisfy(\.isASCII), let value = Int64(token), value >= 1 else {
            throw .invalidArgument(command: command, problem: "\(argument) is a number, not \"\(token.prefix(20))\".")
        }
        return (value, rest(of: args, after: token))
    }

    private func seq(_ args: String, command: String) throws(CommandError) -> (Int64, String) {
        try number(args, command: command, argument: "SEQ")
    }

    // MARK: Rounds

    private func round(_ args: String) throws(CommandError) -> SlashCommand {
        let room = try room(for: "round")
        let sub = firstToken(args).lowercased()
        let rest = rest(of: args, after: firstToken(args))
        switch sub {
        case "next", "end":
            try nothingMore(rest, "round")
            return sub == "next" ? .roundNext : .roundEnd
        case "start":
            let present = state.roomStates[room]?.members ?? []
            guard !rest.isEmpty else {
                let candidates = present.filter { !$0.role.isStaff }
                let byID = Dictionary(candidates.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                var order = arrivalOrder.compactMap { byID[$0] }
                var seen = Set(order.map(\.id))
                for member in candidates where seen.insert(member.id).inserted { order.append(member) }
                guard !order.isEmpty else { throw .nobodyPresent }
                return .roundStart(order.map(MemberRef.init))
            }
            var order: [MemberRef] = []
            var text = rest
            while !text.isEmpty {
                let (member, after) = try member(text, command: "round", pools: [present] + pools(room))
                guard !order.contains(where: { $0.id == member.id }) else {
                    throw .invalidArgument(command: "round", problem: "\(member.label) is named twice.")
                }
                order.append(member)
                text = after.drop { $0 == "," || $0.isWhitespace }.description
            }
            guard order.count <= ModerationRequest.maxRoundMembers else {
                throw .invalidArgument(command: "round", problem: "A round takes at most 50 people.")
            }
            return .roundStart(order)
        case "":
            throw .missingArgument(command: "round", argument: "start, next or end")
        default:
            throw .invalidArgument(command: "round", problem: "A round can start, go to the next speaker, or end.")
        }
    }

    // MARK: Names

    /// Whom NAME may mean in a room: the people present, waiting, with a hand up, in the round or muted; then,
    /// when none of them matches, the senders of the messages held.
    private func pools(_ room: RoomID) -> [[MemberInfo]] {
        [state.knownMembers(in: room), state.messageSenders(in: room)]
    }

    /// The person named at the start of `text`, and the text after the name.
    private func member(_ text: String, command: String, argument: String = "NAME",
                        pools: [[MemberInfo]]) throws(CommandError) -> (MemberRef, String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw .missingArgument(command: command, argument: argument) }
        for pool in pools {
            if let found = try match(text, in: pool) { return found }
        }
        let token = firstToken(text)
        // A person id the client has not seen (someone banned, a family member never in the room).
        if token.hasPrefix("p_"), token.utf8.count <= 64 {
            return (MemberRef(id: PersonID(token)), rest(of: text, after: token))
        }
        throw .unknownMember(token)
    }

    private func match(_ text: String, in pool: [MemberInfo]) throws(CommandError) -> (MemberRef, String)? {
        // The longest display name that the text starts with, followed by a space, a comma or nothing.
        var best: [MemberInfo] = []
        for member in pool where !member.name.isEmpty && text.count >= member.name.count {
            let head = text.prefix(member.name.count)
            guard head.lowercased() == member.name.lowercased() else { continue }
            let next = text.dropFirst(member.name.count).first
            guard next == nil || next!.isWhitespace || next == "," else { continue }
            if let length = best.first?.name.count, length > member.name.count { continue }
            if let length = best.first?.name.count, length < member.name.count { best = [] }
            if !best.contains(where: { $0.id == member.id }) { best.append(member) }
        }
        if let first = best.first {
            guard best.count == 1 else {
                throw .ambiguousMember(first.name, matches: best.map { "\($0.name) (\($0.id.rawValue))" })
            }
            return (MemberRef(first), String(text.dropFirst(first.name.count)).trimmingCharacters(in: .whitespaces))
        }
        let token = firstToken(text)
        if let member = pool.first(where: { $0.id.rawValue == token }) {
            return (MemberRef(member), rest(of: text, after: token))
        }
        // The start of one name: "sam" for "Sam T.".
        var starts: [MemberInfo] = []
        for member in pool where member.name.lowercased().hasPrefix(token.lowercased())
            && !starts.contains(where: { $0.id == member.id }) {
            starts.append(member)
        }
        switch starts.count {
        case 0: return nil
        case 1: return (MemberRef(starts[0]), rest(of: text, after: token))
        default: throw .ambiguousMember(token, matches: starts.map(\.name))
        }
    }

    // MARK: Rooms

    /// A room named by the whole text.
    func room(named text: String, command: String) throws(CommandError) -> RoomID {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw .missingArgument(command: command, argument: "ROOM") }
        if let found = try roomMatch(text) { return found }
        if looksLikeRoomID(text) { return RoomID(text) }
        throw .unknownRoom(text)
    }

    /// A room named at the start of the text (the longest run of words that names one), and the rest.
    private func roomAtStart(of text: String, command: String) throws(CommandError) -> (RoomID, String) {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !words.isEmpty else { throw .missingArgument(command: command, argument: "ROOM") }
        for count in stride(from: words.count, through: 1, by: -1) {
            let candidate = words[..<count].joined(separator: " ")
            if let found = try roomMatch(candidate) { return (found, words[count...].joined(separator: " ")) }
        }
        if looksLikeRoomID(words[0]) { return (RoomID(words[0]), words.dropFirst().joined(separator: " ")) }
        throw .unknownRoom(words[0])
    }

    private func looksLikeRoomID(_ text: String) -> Bool {
        text.hasPrefix("r_") && !text.contains(where: \.isWhitespace) && text.utf8.count <= 64
    }

    /// The room this text names: an id, or a unique title prefix among today's rooms, else among every room known.
    /// Nil when nothing matches.
    private func roomMatch(_ text: String) throws(CommandError) -> RoomID? {
        let bar = state.barRooms(at: now).map { (id: $0.id, title: $0.title) }
        let all = state.knownRooms()
        if let exact = all.first(where: { $0.id.rawValue == text }) ?? bar.first(where: { $0.id.rawValue == text }) {
            return exact.id
        }
        let lower = text.lowercased()
        for rooms in [bar, all] {
            let matches = rooms.filter { $0.title.lowercased().hasPrefix(lower) }
            if matches.count == 1 { return matches[0].id }
            guard matches.count > 1 else { continue }
            // "Group therapy" picks the room of that very title over "Group therapy (evening IOP)".
            let exact = matches.filter { $0.title.lowercased() == lower }
            if exact.count == 1 { return exact[0].id }
            let titles = matches.map(\.title)
            throw .ambiguousRoom(text, matches: matches.map { room in
                titles.filter { $0 == room.title }.count > 1 ? "\(room.title) (\(room.id.rawValue))" : room.title
            })
        }
        return nil
    }
}

// What names and rooms the client knows, for commands and completion.
extension ClientState {
    /// The people of a room a NAME may mean: present, waiting, hands up, in the round, muted; each once.
    func knownMembers(in room: RoomID) -> [MemberInfo] {
        guard let state = roomStates[room] else { return [] }
        let muted = state.muted.values.map(\.member).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        return unique(state.members + state.waiting + state.hands + (state.controls.round?.order ?? []) + muted)
    }

    /// Senders of the messages held in a room (people who may have left), each once.
    func messageSenders(in room: RoomID) -> [MemberInfo] {
        guard let state = roomStates[room] else { return [] }
        return unique(state.messages.map(\.from) + state.messages.compactMap(\.to))
    }

    /// Everyone seen in any room (present, waiting, writing) or in an alert, each once.
    func knownMembers() -> [MemberInfo] {
        let ids = roomStates.keys.sorted()
        return unique(ids.flatMap { knownMembers(in: $0) } + ids.flatMap { messageSenders(in: $0) }
            + alerts.values.sorted { $0.id < $1.id }.map(\.member))
    }

    /// Every room listed (by start, then id), then rooms joined by id and never listed.
    func knownRooms() -> [(id: RoomID, title: String)] {
        let listed = rooms.values.sorted { ($0.starts ?? .distantFuture, $0.id) < ($1.starts ?? .distantFuture, $1.id) }
        let unlisted = roomStates.keys.filter { rooms[$0] == nil && roomStates[$0]?.membership.wantsIn == true }.sorted()
        return listed.map { ($0.id, $0.summary.title) } + unlisted.map { ($0, $0.rawValue) }
    }

    private func unique(_ members: [MemberInfo]) -> [MemberInfo] {
        var seen = Set<PersonID>()
        return members.filter { seen.insert($0.id).inserted }
    }
}
