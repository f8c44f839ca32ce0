import Foundation

/// One occurrence's live state (who is present, the waiting room, admissions, agreement, controls, mutes, removals
/// and bans, hands, the check-in round, slow-mode times, seqs in flight and delivered) and the rules that decide its
/// requests. A value: no I/O, no clock (callers pass `now`), no connections (the server keeps which connections
/// belong to whom; the core counts them per person). Decisions return effects (`RoomEffect`, `PresenceChange`) or
/// decisions to store (`WaitingRoomDecision`, `AgreementStep`) for the server to carry out.
public struct RoomCore: Sendable {
    /// A person present, and how many of their connections are in the room.
    public struct Presence: Equatable, Sendable {
        public var member: MemberInfo
        public var connections: Int

        public init(member: MemberInfo, connections: Int) { self.member = member; self.connections = connections }
    }

    /// A person in the waiting room, and how many of their connections wait.
    public struct Waiting: Equatable, Sendable {
        public var member: MemberInfo
        public var connections: Int

        public init(member: MemberInfo, connections: Int) { self.member = member; self.connections = connections }
    }

    public var descriptor: RoomDescriptor
    /// People present.
    public var present: [PersonID: Presence] = [:]
    /// The highest seq delivered live. Snapshots (`joined`, `history`) stop here; live delivery continues after it.
    public var deliveredSeq: Int64
    /// Messages handed to the writer and not yet committed.
    public var inFlight = 0
    /// The waiting room: people not yet admitted, in the order they arrived (`knock`, `leaveWaiting`, `confirm`).
    public internal(set) var waiting: [Waiting] = []
    /// Admitted from the waiting room during this occurrence (they go straight back in on reconnecting).
    public var admitted: Set<PersonID>
    /// Accepted this occurrence's agreement.
    public var agreed: Set<PersonID>
    /// Lock, slow mode, review mode, ended: kept in the store too.
    public var control: RoomControl
    /// Muted members and when their mute ends (nil: until unmuted).
    public var muted: [PersonID: Date?] = [:]
    /// Removed from this occurrence, or banned from its series.
    public var removed: Set<PersonID> = []
    public var banned: Set<PersonID> = []
    /// When each participant last sent, for slow mode.
    public var lastPost: [PersonID: Date] = [:]
    /// Raised hands, in the order they went up.
    public var hands: [MemberInfo] = []
    /// The check-in round: its order and the index of the member holding the talking piece.
    public var round: (order: [MemberInfo], speaker: Int)?
    /// Everyone who has been in the room this run: they may come back while it is locked.
    public var everPresent: Set<PersonID> = []

    public init(descriptor: RoomDescriptor, deliveredSeq: Int64, admitted: Set<PersonID> = [], agreed: Set<PersonID> = [],
                control: RoomControl = RoomControl(), restrictions: [Restriction] = []) {
        self.descriptor = descriptor
        self.deliveredSeq = deliveredSeq
        self.admitted = admitted
        self.agreed = agreed
        self.control = control
        for restriction in restrictions {
            switch restriction.kind {
            case .mute: muted[restriction.person] = .some(restriction.until)
            case .remove: removed.insert(restriction.person)
            case .ban: banned.insert(restriction.person)
            }
        }
    }

    public var ended: Bool { control.endedAt != nil }

    /// The member holding the talking piece, while a round runs.
    public var speaker: MemberInfo? { round.map { $0.order[$0.speaker] } }

    public var roundFrame: ServerFrame.Round? {
        round.map { ServerFrame.Round(order: $0.order, speaker: $0.order[$0.speaker]) }
    }

    /// The end of someone's mute: nil when not muted, `.some(nil)` when muted until unmuted.
    public func mute(of person: PersonID, at now: Date) -> Date?? {
        guard let until = muted[person], !Self.hasRunOut(until, at: now) else { return nil }
        return .some(until)
    }

    /// The one rule for a timed mute: it has run out once its end is reached (`until <= now`); nil never runs out.
    /// The store's twin keeps a restriction in force while `until IS NULL OR until > now`.
    static func hasRunOut(_ until: Date?, at now: Date) -> Bool {
        guard let until else { return false }
        return until <= now
    }

    /// Lifts the timed mutes that have run out at `now` (see `hasRunOut`). Returns who they muted, the earliest end
    /// first, for the server to store the lifting and tell them and staff.
    public mutating func expireMutes(at now: Date) -> [PersonID] {
        let expired = muted.compactMap { person, until in
            Self.hasRunOut(until, at: now) ? until.map { (person, $0) } : nil
        }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
        for person in expired { muted.removeValue(forKey: person) }
        return expired
    }

    /// Who is present, by name.
    public var members: [MemberInfo] {
        present.values.map(\.member).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    public var staffPresent: Bool { present.values.contains { $0.member.role.isStaff } }

    /// Participants can read but not send: the session requires staff and none is connected.
    public var paused: Bool { descriptor.requiresStaff && !staffPresent }

    /// Takes a member out of the room's state for good (removed, banned): their hand goes down.
    public mutating func forget(hand person: PersonID) {
        hands.removeAll { $0.id == person }
    }
}
