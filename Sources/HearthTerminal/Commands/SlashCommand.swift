import HearthCore

/// A person a command acts on: a member whose name the client knows, or a bare person id typed in.
public struct MemberRef: Equatable, Sendable {
    public var id: PersonID
    /// The display name, when known.
    public var name: String?

    public init(id: PersonID, name: String? = nil) {
        self.id = id
        self.name = name
    }

    public init(_ member: MemberInfo) {
        self.init(id: member.id, name: member.name)
    }

    /// The name, or the id when the name is not known.
    public var label: String { name ?? id.rawValue }
}

/// What a line of the input asks for, with its rooms and names resolved (`CommandParser` makes it).
public enum SlashCommand: Equatable, Sendable {
    /// A line not starting with "/": a message to the room in front.
    case message(String)
    /// `/join [ROOM]`.
    case join(RoomID)
    case leave
    /// `/go ROOM`: only the view changes.
    case go(RoomID)
    /// `/admit NAME`, `/admit all` (nil), or `/admit` alone (the one who has waited longest).
    case admit(MemberRef?)
    case deny(MemberRef, message: String?)
    case mute(MemberRef, minutes: Int?)
    case unmute(MemberRef)
    case remove(MemberRef)
    case ban(MemberRef)
    case unban(MemberRef)
    case hide(seq: Int64, reason: String)
    case unhide(seq: Int64)
    case pin(seq: Int64)
    case unpin(seq: Int64)
    case lock
    case unlock
    /// `/slow SECONDS`; `/slow off` is 0.
    case slow(seconds: Int)
    case review(on: Bool)
    case release(seq: Int64)
    /// `/round start [NAME...]`, the order resolved (by default those present, in order of arrival).
    case roundStart([MemberRef])
    /// `/round next`: a `pass` request.
    case roundNext
    case roundEnd
    case hands
    /// `/lower NAME`: the `lower_hand` action.
    case lower(MemberRef)
    case announce(String)
    case whisper(MemberRef, text: String)
    case invite(MemberRef)
    case reports
    case resolve(report: Int64, outcome: String?)
    /// `/schedule [days]` (nil: the server's default, 7 days).
    case schedule(days: Int?)
    case end
    case attendance(week: ISOWeek?)
    case summary
    case note(String)
    case notes
    /// `/ack [ID] [outcome]`; without ID, the oldest open alert.
    case ack(alert: Int64?, outcome: String?)
    /// `/ack all [outcome]`: every open alert this client holds, in bulk.
    case ackAll(outcome: String?)
    case breakGlass(RoomID, reason: String)
    /// `/help [command]`: the command's name without the slash.
    case help(String?)
    case quit
}
