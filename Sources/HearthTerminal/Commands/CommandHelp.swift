import Foundation

/// The slash commands' usage lines and what each does, for `/help`, usage errors and completion.
public enum CommandHelp {
    /// One command: its name (without the slash), what to type, and a sentence on what it does.
    public struct Entry: Equatable, Sendable {
        public let name: String
        public let usage: String
        public let summary: String
    }

    /// Every command, in the order `/help` lists them.
    public static let entries: [Entry] = [
        Entry(name: "join", usage: "/join [ROOM]",
              summary: "Enters a room and shows it (without ROOM: the room in front). A staff join is recorded, counts attendance and un-pauses a room waiting for staff."),
        Entry(name: "leave", usage: "/leave", summary: "Leaves the room in front; it is no longer rejoined after a reconnect."),
        Entry(name: "go", usage: "/go ROOM", summary: "Shows another room without joining it (also Alt-1..9, Ctrl-N, Ctrl-P)."),
        Entry(name: "admit", usage: "/admit [NAME|all]",
              summary: "Lets someone in from the waiting room: NAME, everyone (all), or whoever has waited longest."),
        Entry(name: "deny", usage: "/deny NAME [message]",
              summary: "Turns someone away from the waiting room, with an optional message to them."),
        Entry(name: "mute", usage: "/mute NAME [minutes]",
              summary: "Mutes a member for some minutes (1 to 1440) or until /unmute; they can still write to staff."),
        Entry(name: "unmute", usage: "/unmute NAME", summary: "Lifts a mute."),
        Entry(name: "remove", usage: "/remove NAME", summary: "Takes a member out of this session; they cannot rejoin it."),
        Entry(name: "ban", usage: "/ban NAME",
              summary: "Takes a member out of this session and every later one of its series, until /unban."),
        Entry(name: "unban", usage: "/unban NAME", summary: "Lifts a ban."),
        Entry(name: "hide", usage: "/hide SEQ reason",
              summary: "Hides message SEQ from members (staff still see it); the reason is kept in the record."),
        Entry(name: "unhide", usage: "/unhide SEQ", summary: "Shows a hidden message again."),
        Entry(name: "pin", usage: "/pin SEQ", summary: "Pins message SEQ for everyone in the room."),
        Entry(name: "unpin", usage: "/unpin SEQ", summary: "Unpins message SEQ."),
        Entry(name: "lock", usage: "/lock", summary: "Locks the room: newcomers wait until admitted."),
        Entry(name: "unlock", usage: "/unlock", summary: "Unlocks the room."),
        Entry(name: "slow", usage: "/slow SECONDS|off",
              summary: "Slow mode: at most one message per SECONDS (1 to 3600) per participant; off ends it."),
        Entry(name: "review", usage: "/review on|off",
              summary: "Review mode: every participant message waits until released with /release."),
        Entry(name: "release", usage: "/release SEQ", summary: "Shows held message SEQ to the room."),
        Entry(name: "round", usage: "/round start [NAME...] | /round next | /round end",
              summary: "A check-in round: start it (by default with those present, in order of arrival), pass the talking piece on, or end it."),
        Entry(name: "hands", usage: "/hands", summary: "Lists the raised hands, first raised first."),
        Entry(name: "lower", usage: "/lower NAME", summary: "Lowers a member's raised hand."),
        Entry(name: "announce", usage: "/announce TEXT", summary: "Sends a highlighted message to the whole room."),
        Entry(name: "whisper", usage: "/whisper NAME TEXT", summary: "Sends a message only NAME and staff can read."),
        Entry(name: "invite", usage: "/invite FAMILY_NAME",
              summary: "Makes a single-use invitation link for a family member to this family session; it is shown once."),
        Entry(name: "reports", usage: "/reports", summary: "Lists the open reports of messages, in every room."),
        Entry(name: "resolve", usage: "/resolve ID [outcome]", summary: "Resolves report ID, with an optional outcome note."),
        Entry(name: "schedule", usage: "/schedule [days]",
              summary: "Lists your sessions of the coming days (default 7, at most 62)."),
        Entry(name: "end", usage: "/end", summary: "Ends the session in front now, for everyone: nothing more can be sent."),
        Entry(name: "attendance", usage: "/attendance [week]",
              summary: "Shows the attendance report of a week, like 2026-W48 (default: this week)."),
        Entry(name: "summary", usage: "/summary",
              summary: "Shows the summary of the session in front: who came, for how long, check-ins and alerts."),
        Entry(name: "note", usage: "/note TEXT",
              summary: "Writes a counseling note on the session in front (never shown to participants)."),
        Entry(name: "notes", usage: "/notes", summary: "Shows the counseling notes of the session in front."),
        Entry(name: "ack", usage: "/ack [ID|all] [outcome]",
              summary: "Acknowledges alert ID, or the oldest open alert, or with all every open alert shown, with an optional note of what was done."),
        Entry(name: "breakglass", usage: "/breakglass ROOM reason",
              summary: "Admins: opens any room for reading in an emergency; the reason (10 characters or more) is recorded and staff are told."),
        Entry(name: "help", usage: "/help [command]", summary: "Lists the commands, or explains one."),
        Entry(name: "quit", usage: "/quit", summary: "Closes hearth; the rooms carry on without you."),
    ]

    /// Command names, without the slash.
    public static let names: [String] = entries.map(\.name)

    /// The command with this name (with or without the slash, any case).
    public static func entry(_ name: String) -> Entry? {
        let key = name.hasPrefix("/") ? String(name.dropFirst()).lowercased() : name.lowercased()
        return entries.first { $0.name == key }
    }

    /// "Usage: /mute NAME [minutes]".
    public static func usage(_ name: String) -> String {
        "Usage: " + (entry(name)?.usage ?? "/\(name)")
    }

    /// `/help mute`: the usage line and its sentence.
    public static func explanation(_ name: String) -> String {
        guard let entry = entry(name) else { return "No command /\(name). Type /help for the list." }
        return "\(entry.usage): \(entry.summary)"
    }

    /// `/help`: every command, then the keys.
    public static var overview: [String] {
        let width = entries.map(\.usage.count).max() ?? 0
        var lines = entries.map { $0.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.summary }
        lines += [
            "",
            "A line that does not start with / goes to the room in front; // sends a line starting with /.",
            "ROOM: a room id or the start of its title. NAME: a display name (Sam T.) or a person id. SEQ: a message number.",
            "Keys: Alt-1..9, Ctrl-N, Ctrl-P switch rooms; PgUp/PgDn scroll; Tab completes; Up/Down recall lines;",
            "Ctrl-A/E start/end, Ctrl-W/U/K delete word/to start/to end, Alt-B/F word back/forward; Esc closes this panel; Ctrl-C quits.",
        ]
        return lines
    }
}
