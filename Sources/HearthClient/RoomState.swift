import Foundation
import HearthCore

/// What the client knows of one room it is in (or was in, or hears about as a session's facilitator): the
/// snapshot of `joined` kept up to date by live frames, the messages held, and the resume bookkeeping of
/// docs/PROTOCOL.md sections 8.5 and 11.
public struct RoomState: Equatable, Sendable {
    /// Where the person stands with the room.
    public enum Membership: Equatable, Sendable {
        /// Never joined: the state holds only what staff hear of rooms they lead (knocks, check-ins).
        case none
        /// Asked to join; no `joined` yet.
        case joining
        /// In the waiting room (participants and family only); `joined` comes on admission.
        case waiting
        /// In the room, and rejoined after every reconnect.
        case joined
        /// Out of the room: left, or turned away (`denied`, a refused `join`, removed, or ended for a participant),
        /// with the server's words when it was not the person's choice.
        case left(reason: String?)

        /// Whether the state rejoins the room after a reconnect.
        public var wantsIn: Bool {
            switch self {
            case .joining, .waiting, .joined: true
            case .none, .left: false
            }
        }
    }

    /// A muted member, as staff learn it from `moderation` frames.
    public struct Mute: Equatable, Sendable {
        public var member: MemberInfo
        /// A timed mute's end; nil until unmuted.
        public var until: Date?
    }

    public let id: RoomID
    public internal(set) var membership: Membership = .none
    /// The person's role in the room, from `joined`.
    public internal(set) var role: Role?
    /// Whether the room accepted messages when joined (the window; staff reading a closed room get false).
    public internal(set) var open = false
    /// The room requires staff and none is in it: participants can read, not send.
    public internal(set) var paused = false
    /// The group agreement still to accept, for a participant or family member.
    public internal(set) var agreement: String?
    /// That the room is recorded and who may read the record.
    public internal(set) var notice: String?
    /// Crisis resources the server sent this person privately (`support`).
    public internal(set) var support: String?
    /// People present, sorted by name then id (as `joined.members`).
    public internal(set) var members: [MemberInfo] = []
    /// Staff: who waits to be admitted, in order of arrival.
    public internal(set) var waiting: [MemberInfo] = []
    /// Staff: raised hands, first raised first.
    public internal(set) var hands: [MemberInfo] = []
    /// Staff, multi-family rooms: rostered participants who lack a consent to join (with their family), by name.
    public internal(set) var consentMissing: [MissingConsent] = []
    /// Locked, slow mode, review, ended, the check-in round and, for a participant, their own mute and hand.
    public internal(set) var controls = ServerFrame.Controls()
    /// Staff: members muted in this room since the client joined it, by id (`joined` does not list them).
    public internal(set) var muted: [PersonID: Mute] = [:]
    /// Messages by `seq`, bounded.
    public internal(set) var messages: MessageBuffer
    /// Pinned messages, oldest first (kept apart from `messages`: a pinned message may be older than the buffer).
    public internal(set) var pinned: [ChatMessage] = []
    /// The highest `seq` up to which every message has been received (section 11.3). Joins after a reconnect
    /// resume from it; it never passes a gap.
    public internal(set) var have: Int64 = 0
    /// A `joined` has been received once: later joins resume with `after_seq = have`.
    public internal(set) var hasSnapshot = false
    /// Resume pages are being fetched: live messages above them do not move `have` yet, and pending messages wait.
    public internal(set) var isResuming = false
    /// Older messages exist below the oldest page read backwards (`joined` without `after_seq`, then `history`).
    public internal(set) var moreBefore = false
    /// A `history` page was asked for and has not come.
    public internal(set) var loadingEarlier = false
    /// Messages from others that arrived while the room was not shown.
    public internal(set) var unread = 0
    /// The `seq` where unread messages start: kept while the room is shown (the screen marks it), cleared when the
    /// screen moves to another room.
    public internal(set) var unreadFrom: Int64?
    /// Staff: check-ins received this connection's lifetime, per member, oldest first.
    public internal(set) var checkins: [PersonID: [Checkin]] = [:]
    /// The server's words when a `join` or `history` failed for a reason that may pass (`internal`); `join` again
    /// to retry.
    public internal(set) var lastError: String?

    // Bookkeeping for the reducer.
    /// The join whose `joined` is still to come, with its `after_seq` (nil inside: a plain join). Kept while
    /// waiting: the `joined` of an admission answers it.
    var joinInFlight: JoinAsk?
    /// A `joined` has arrived on the current connection: live frames flow.
    var isLive = false
    /// The highest `seq` received live on the current connection.
    var liveMax: Int64 = 0
    /// The oldest `seq` of the pages read backwards, where "load earlier" continues.
    var pageOldest: Int64?

    init(id: RoomID, messageLimit: Int) {
        self.id = id
        messages = MessageBuffer(limit: messageLimit)
    }

    /// Whether this room can take the person's messages now: joined on this connection, resume done.
    var isReadyToSend: Bool { membership == .joined && isLive && !isResuming && joinInFlight == nil }
}

/// The `after_seq` a join asked for (nil: the latest page).
struct JoinAsk: Equatable, Sendable {
    var afterSeq: Int64?
}
