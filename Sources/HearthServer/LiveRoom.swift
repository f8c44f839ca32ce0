import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// A room with people in it (or waiting to get in): its rules and state in `core` (`RoomCore`, pure), and what only
/// the server knows: which connections are in it or waiting. Service thread only.
final class LiveRoom {
    var core: RoomCore
    /// Every connection that entered, for fan-out.
    var connections: Set<ConnectionID> = []
    /// The waiting room: people not yet admitted, with the connections waiting and the `after_seq` each asked for.
    var waiting: [PersonID: WaitingEntry] = [:]
    private var arrivals = 0
    /// A multi-family room: who on its roster lacks a multi-family group consent, as staff were last told.
    var consentMissing: [MissingConsent]?

    var descriptor: RoomDescriptor { get { core.descriptor } set { core.descriptor = newValue } }
    var present: [PersonID: (member: MemberInfo, connections: Int)] {
        get { core.present.mapValues { ($0.member, $0.connections) } }
        set { core.present = newValue.mapValues { RoomCore.Presence(member: $0.member, connections: $0.connections) } }
    }
    var deliveredSeq: Int64 { get { core.deliveredSeq } set { core.deliveredSeq = newValue } }
    var inFlight: Int { get { core.inFlight } set { core.inFlight = newValue } }
    var admitted: Set<PersonID> { get { core.admitted } set { core.admitted = newValue } }
    var agreed: Set<PersonID> { get { core.agreed } set { core.agreed = newValue } }
    var control: RoomControl { get { core.control } set { core.control = newValue } }
    var muted: [PersonID: Date?] { get { core.muted } set { core.muted = newValue } }
    var removed: Set<PersonID> { get { core.removed } set { core.removed = newValue } }
    var banned: Set<PersonID> { get { core.banned } set { core.banned = newValue } }
    var hands: [MemberInfo] { get { core.hands } set { core.hands = newValue } }
    var round: (order: [MemberInfo], speaker: Int)? { get { core.round } set { core.round = newValue } }
    var everPresent: Set<PersonID> { get { core.everPresent } set { core.everPresent = newValue } }

    struct WaitingEntry {
        var member: MemberInfo
        var connections: [ConnectionID: Int64?]
        var arrival: Int
    }

    init(descriptor: RoomDescriptor, deliveredSeq: Int64, admitted: Set<PersonID>, agreed: Set<PersonID>,
         control: RoomControl = RoomControl(), restrictions: [Restriction] = []) {
        core = RoomCore(descriptor: descriptor, deliveredSeq: deliveredSeq, admitted: admitted, agreed: agreed,
                        control: control, restrictions: restrictions)
    }

    var ended: Bool { core.ended }
    var speaker: MemberInfo? { core.speaker }
    var roundFrame: ServerFrame.Round? { core.roundFrame }
    func mute(of person: PersonID, at now: Date) -> Date?? { core.mute(of: person, at: now) }

    var members: [MemberInfo] { core.members }

    /// Who waits, in arrival order.
    var waitingMembers: [MemberInfo] {
        waiting.values.sorted { $0.arrival < $1.arrival }.map(\.member)
    }

    /// Adds a waiting connection. Returns true when the person was not waiting before (staff should hear a knock).
    func addWaiting(_ member: MemberInfo, connectionID: ConnectionID, afterSeq: Int64?) -> Bool {
        if waiting[member.id] != nil {
            waiting[member.id]!.connections[connectionID] = afterSeq
            return false
        }
        arrivals += 1
        waiting[member.id] = WaitingEntry(member: member, connections: [connectionID: afterSeq], arrival: arrivals)
        return true
    }

    var staffPresent: Bool { core.staffPresent }

    /// Participants can read but not send: the session requires staff and none is connected.
    var paused: Bool { core.paused }

    var isIdle: Bool { connections.isEmpty && inFlight == 0 && waiting.isEmpty }
}
