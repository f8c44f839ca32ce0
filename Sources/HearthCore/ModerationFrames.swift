import Foundation

// Frames about moderation and crisis safety: actions announced to the room, the talking piece, raised hands,
// reports, crisis resources, counseling notes and transcripts.
extension ServerFrame {
    /// A moderation action, to the people who should know of it (docs/PROTOCOL.md §10 says who gets which).
    public struct Moderation: Codable, Equatable, Sendable {
        public var type = "moderation"
        public var room: RoomID
        public var action: ModerationAction
        /// Who acted; absent when the server did (a mute that ran out).
        public var by: MemberInfo?
        public var target: MemberInfo?
        public var seq: Int64?
        /// A timed mute's end.
        public var until: String?
        /// Staff only: the reason given.
        public var reason: String?
        /// Slow mode's interval (0: off).
        public var seconds: Int?
        /// Review mode on or off.
        public var on: Bool?
        /// The check-in round after the action.
        public var round: Round?
        public init(room: RoomID, action: ModerationAction, by: MemberInfo?, target: MemberInfo? = nil, seq: Int64? = nil,
                    until: String? = nil, reason: String? = nil, seconds: Int? = nil, on: Bool? = nil, round: Round? = nil) {
            self.room = room; self.action = action; self.by = by; self.target = target; self.seq = seq
            self.until = until; self.reason = reason; self.seconds = seconds; self.on = on; self.round = round
        }
    }

    /// A check-in round: who holds the talking piece, and the order.
    public struct Round: Codable, Equatable, Sendable {
        public var order: [MemberInfo]
        public var speaker: MemberInfo
        public init(order: [MemberInfo], speaker: MemberInfo) { self.order = order; self.speaker = speaker }
    }

    /// The session was ended by staff: sends are refused from now on.
    public struct Ended: Codable, Equatable, Sendable {
        public var type = "ended"
        public var room: RoomID
        public var by: MemberInfo?
        public init(room: RoomID, by: MemberInfo?) { self.room = room; self.by = by }
    }

    /// To staff: the raised hands, in the order they went up.
    public struct Hands: Codable, Equatable, Sendable {
        public var type = "hands"
        public var room: RoomID
        public var queue: [MemberInfo]
        public init(room: RoomID, queue: [MemberInfo]) { self.room = room; self.queue = queue }
    }

    /// To staff: a member reported a message.
    public struct Report: Codable, Equatable, Sendable {
        public var type = "report"
        public var id: Int64
        public var room: RoomID
        public var seq: Int64
        public var reason: String
        public var by: MemberInfo
        public var ts: String
        /// Set when a staff member resolved it (`report_ack`).
        public var resolved: Bool?
        public init(id: Int64, room: RoomID, seq: Int64, reason: String, by: MemberInfo, ts: String, resolved: Bool? = nil) {
            self.id = id; self.room = room; self.seq = seq; self.reason = reason; self.by = by; self.ts = ts
            self.resolved = resolved
        }
    }

    /// To a participant whose message matched a crisis signal: private, supportive, with crisis resources.
    public struct Support: Codable, Equatable, Sendable {
        public var type = "support"
        public var room: RoomID
        public var text: String
        public init(room: RoomID, text: String) { self.room = room; self.text = text }
    }

    /// Reply to `notes` (staff only): the occurrence's counseling notes, oldest first.
    public struct Notes: Codable, Equatable, Sendable {
        public var type = "notes"
        public var room: RoomID
        public var notes: [Note]
        public var ref: String?
        public init(room: RoomID, notes: [Note], ref: String?) { self.room = room; self.notes = notes; self.ref = ref }
    }

    /// One counseling note.
    public struct Note: Codable, Equatable, Sendable {
        public var id: Int64
        public var by: MemberInfo
        public var body: String
        public var ts: String
        public init(id: Int64, by: MemberInfo, body: String, ts: String) {
            self.id = id; self.by = by; self.body = body; self.ts = ts
        }
    }

    /// Reply to `transcript` (staff only): the export, recorded as disclosure `disclosure`.
    public struct Transcript: Codable, Equatable, Sendable {
        public var type = "transcript"
        public var room: RoomID
        public var format: Format
        public var disclosure: Int64
        /// Messages left out for want of a consent covering the recipient and purpose.
        public var withheld: Int
        public var content: String
        public var ref: String?
        public init(room: RoomID, format: Format, disclosure: Int64, withheld: Int, content: String, ref: String?) {
            self.room = room; self.format = format; self.disclosure = disclosure; self.withheld = withheld
            self.content = content; self.ref = ref
        }

        /// The export's form, as the request asked for it. The raw values go on the wire.
        public enum Format: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
            case txt, json

            public var description: String { rawValue }
        }
    }

    /// A room's moderation state, in `joined`.
    public struct Controls: Codable, Equatable, Sendable {
        public var locked: Bool
        public var slowSeconds: Int
        public var review: Bool
        public var ended: Bool
        /// The reader is muted (until `muted_until`, or until unmuted).
        public var muted: Bool?
        public var mutedUntil: String?
        public var handRaised: Bool?
        public var round: Round?
        enum CodingKeys: String, CodingKey {
            case locked, review, ended, muted, round
            case slowSeconds = "slow_seconds", mutedUntil = "muted_until", handRaised = "hand_raised"
        }
        public init(locked: Bool = false, slowSeconds: Int = 0, review: Bool = false, ended: Bool = false,
                    muted: Bool? = nil, mutedUntil: String? = nil, handRaised: Bool? = nil, round: Round? = nil) {
            self.locked = locked; self.slowSeconds = slowSeconds; self.review = review; self.ended = ended
            self.muted = muted; self.mutedUntil = mutedUntil; self.handRaised = handRaised; self.round = round
        }
    }
}
