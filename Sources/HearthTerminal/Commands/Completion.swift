import Foundation
import HearthClient
import HearthCore

/// What Tab can complete to: command names, the names known in the room in front, family members, room titles.
public struct CompletionSource: Equatable, Sendable {
    /// Command names, without the slash.
    public var commands: [String]
    public var names: [String]
    public var familyNames: [String]
    /// Today's rooms first, then every other room listed.
    public var roomTitles: [String]

    public init(commands: [String] = CommandHelp.names, names: [String], familyNames: [String] = [],
                roomTitles: [String]) {
        self.commands = commands
        self.names = names
        self.familyNames = familyNames
        self.roomTitles = roomTitles
    }

    /// What the client knows now, for the room in front.
    public init(state: ClientState, currentRoom: RoomID?, now: Date) {
        let members = currentRoom.map { state.knownMembers(in: $0) + state.messageSenders(in: $0) } ?? []
        let family = members.filter { $0.role == .family } + state.knownMembers().filter { $0.role == .family }
        let titles = state.barRooms(at: now).map(\.title) + state.knownRooms().map(\.title)
        self.init(names: Self.unique(members.map(\.name)), familyNames: Self.unique(family.map(\.name)),
                  roomTitles: Self.unique(titles))
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}

/// Tab completion of the word before the caret: the command name at the start of a line, then a NAME or a ROOM as
/// the command takes, or a name in a message. A unique candidate completes fully; with several, the first is put in
/// and each Tab (Shift-Tab: backwards) puts in the next.
public struct Completion: Equatable, Sendable {
    /// What the word can become, in order (case-insensitive prefix matches).
    public let candidates: [String]
    /// The candidate in the line.
    public private(set) var index = 0
    /// The line before the word being completed, and after the caret: both kept while cycling.
    let head: String
    let tail: String

    /// The completion of the word before the caret, or nil when nothing fits.
    public init?(text: String, caret: Int, source: CompletionSource) {
        let characters = Array(text)
        let caret = min(max(0, caret), characters.count)
        let before = String(characters[..<caret])
        guard let (fragment, options) = Self.slot(before, source: source) else { return nil }
        let lower = fragment.lowercased()
        let candidates = CompletionSource.unique(options.filter { $0.lowercased().hasPrefix(lower) })
        guard !candidates.isEmpty else { return nil }
        self.candidates = candidates
        head = String(before.dropLast(fragment.count))
        tail = String(characters[caret...])
    }

    /// The candidate in the line now.
    public var current: String { candidates[index] }

    /// The line with the current candidate put in, followed by a space.
    public var text: String { completed + tail }

    /// Where the caret goes: after the candidate and its space.
    public var caret: Int { completed.count }

    private var completed: String {
        head + current + (tail.first?.isWhitespace == true ? "" : " ")
    }

    /// Moves to the next candidate (`step` -1: the previous), round and round.
    public mutating func advance(by step: Int = 1) {
        index = ((index + step) % candidates.count + candidates.count) % candidates.count
    }

    /// The word being completed before the caret, and what it may become.
    private static func slot(_ before: String, source: CompletionSource) -> (String, [String])? {
        guard before.hasPrefix("/"), !before.hasPrefix("//") else {
            // A message: the last word may start a name.
            let word = String(before.reversed().prefix { !$0.isWhitespace }.reversed())
            return word.isEmpty ? nil : (word, source.names)
        }
        let commandWord = before.prefix { !$0.isWhitespace }
        guard commandWord.count < before.count else {
            return (String(commandWord), source.commands.map { "/" + $0 })
        }
        let command = commandWord.dropFirst().lowercased()
        let args = String(before.dropFirst(commandWord.count).drop(while: \.isWhitespace))
        switch command {
        case "join", "go", "breakglass":
            return (args, source.roomTitles)
        case "mute", "unmute", "remove", "ban", "unban", "lower", "deny", "whisper":
            return nameSlot(args, names: source.names)
        case "admit":
            return nameSlot(args, names: source.names + ["all"])
        case "invite":
            return nameSlot(args, names: source.familyNames)
        case "help":
            return args.contains(where: \.isWhitespace) ? nil : (args, source.commands)
        case "review":
            return (args, ["on", "off"])
        case "slow":
            return (args, ["off"])
        case "round":
            guard let space = args.firstIndex(where: \.isWhitespace) else { return (args, ["start", "next", "end"]) }
            guard args[..<space].lowercased() == "start" else { return nil }
            // Names already written are passed over; the last, unfinished one is completed.
            var rest = args[space...].drop { $0.isWhitespace || $0 == "," }
            while let name = source.names.filter({ name in
                rest.count > name.count && rest.lowercased().hasPrefix(name.lowercased())
                    && (rest.dropFirst(name.count).first.map { $0.isWhitespace || $0 == "," } ?? false)
            }).max(by: { $0.count < $1.count }) {
                rest = rest.dropFirst(name.count).drop { $0.isWhitespace || $0 == "," }
            }
            return (String(rest), source.names)
        default:
            return nil
        }
    }

    /// A single NAME at the start of the arguments: nothing to complete once a whole name and a space are written.
    private static func nameSlot(_ args: String, names: [String]) -> (String, [String])? {
        let lower = args.lowercased()
        if names.contains(where: { lower.hasPrefix($0.lowercased() + " ") }) { return nil }
        return (args, names)
    }
}
