import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// A room with people in it (or waiting to get in). Service thread only.
final class LiveRoom {
    var descriptor: RoomDescriptor
    /// Every connection that entered, for fan-out.
    var connections: Set<ConnectionID> = []
    /// People present and how many of their connections are in the room.
    var present: [PersonID: (member: MemberInfo, connections: Int)] = [:]
    /// The highest seq delivered live. Snapshots (`joined`, `history`) stop here; live delivery continues after it.
    var deliveredSeq: Int64
    /// Messages handed to the writer and not yet committed.
    var inFlight = 0
    /// The waiting room: people not yet admitted, with the connections waiting and the `after_seq` each asked for.
    var waiting: [PersonID: WaitingEntry] = [:]
    private var arrivals = 0
    /// Admitted from the waiting room during this occurrence (they go straight back in on reconnecting).
    var admitted: Set<PersonID>
    /// Accepted this occurrence's agreement.
    var agreed: Set<PersonID>
    /// Lock, slow mode, review mode, ended: kept in the store too.
    var control: RoomControl
    /// Muted members and when their mute ends (nil: until unmuted).
    var muted: [PersonID: Date?] = [:]
    /// Removed from this occurrence, or banned from its series.
    var removed: Set<PersonID> = []
    var banned: Set<PersonID> = []
    /// When each participant last sent, for slow mode.
    var lastPost: [PersonID: Date] = [:]
    /// Raised hands, in the order they went up.
    var hands: [MemberInfo] = []
    /// The check-in round: its order and the index of the member holding the talking piece.
    var round: (order: [MemberInfo], speaker: Int)?
    /// Everyone who has been in the room this run: they may come back while it is locked.
    var everPresent: Set<PersonID> = []
    /// A multi-family room: who on its roster lacks a multi-family group consent, as staff were last told.
    var consentMissing: [MissingConsent]?

    struct WaitingEntry {
        var member: MemberInfo
        var connections: [ConnectionID: Int64?]
        var arrival: Int
    }

    init(descriptor: RoomDescriptor, deliveredSeq: Int64, admitted: Set<PersonID>, agreed: Set<PersonID>,
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

    var ended: Bool { control.endedAt != nil }

    /// The member holding the talking piece, while a round runs.
    var speaker: MemberInfo? { round.map { $0.order[$0.speaker] } }

    var roundFrame: ServerFrame.Round? { round.map { ServerFrame.Round(order: $0.order, speaker: $0.order[$0.speaker]) } }

    /// The end of someone's mute: nil when not muted, `.some(nil)` when muted until unmuted.
    func mute(of person: PersonID, at now: Date) -> Date?? {
        guard let until = muted[person] else { return nil }
        if let end = until, end <= now { return nil }
        return .some(until)
    }

    var members: [MemberInfo] {
        present.values.map(\.member).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// Who waits, in arrival order.
    var waitingMembers: [MemberInfo] {
        waiting.values.sorted { $0.arrival < $1.arrival }.map(\.member)
    }

    /// Adds a waiting connection. Returns true when the person was not waiting before (staff should hear a knock).
    func addWaiting(_ member: MemberInfo, connection: ConnectionID, afterSeq: Int64?) -> Bool {
        if waiting[member.id] != nil {
            waiting[member.id]!.connections[connection] = afterSeq
            return false
        }
        arrivals += 1
        waiting[member.id] = WaitingEntry(member: member, connections: [connection: afterSeq], arrival: arrivals)
        return true
    }

    var staffPresent: Bool { present.values.contains { $0.member.role.isStaff } }

    /// Participants can read but not send: the session requires staff and none is connected.
    var paused: Bool { descriptor.requiresStaff && !staffPresent }

    var isIdle: Bool { connections.isEmpty && inFlight == 0 && waiting.isEmpty }
}
