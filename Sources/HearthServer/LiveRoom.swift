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
    /// The waiting room's connections: per person waiting (the core keeps who waits, in arrival order), each
    /// connection waiting and the `after_seq` it asked for.
    var waiting: [PersonID: [ConnectionID: Int64?]] = [:]
    /// A multi-family room: who on its roster lacks a multi-family group consent, as staff were last told.
    var consentMissing: [MissingConsent]?

    var descriptor: RoomDescriptor { get { core.descriptor } set { core.descriptor = newValue } }
    /// People present (the core's).
    var present: [PersonID: RoomCore.Presence] { core.present }
    /// Participants can read but not send: the session requires staff and none is connected.
    var paused: Bool { core.paused }
    /// Messages handed to the writer and not yet committed (the core's).
    var inFlight: Int { core.inFlight }

    init(descriptor: RoomDescriptor, deliveredSeq: Int64, admitted: Set<PersonID>, agreed: Set<PersonID>,
         control: RoomControl = RoomControl(), restrictions: [Restriction] = []) {
        core = RoomCore(descriptor: descriptor, deliveredSeq: deliveredSeq, admitted: admitted, agreed: agreed,
                        control: control, restrictions: restrictions)
    }

    /// Puts a connection in the waiting room, or takes the `after_seq` of one already in it. Returns true when the
    /// core says the person was not waiting before (staff should hear a knock).
    func addWaiting(_ member: MemberInfo, connectionID: ConnectionID, afterSeq: Int64?) -> Bool {
        let known = waiting[member.id]?.keys.contains(connectionID) == true
        waiting[member.id, default: [:]].updateValue(afterSeq, forKey: connectionID)
        return known ? false : core.knock(member)
    }

    /// Takes a connection out of the waiting room. Returns the member when it was their last one waiting (staff
    /// should hear that they left); nil when it was not waiting or another of theirs still waits.
    func removeWaiting(_ person: PersonID, connectionID: ConnectionID) -> MemberInfo? {
        guard waiting[person]?.removeValue(forKey: connectionID) != nil else { return nil }
        if waiting[person]?.isEmpty == true { waiting.removeValue(forKey: person) }
        return core.leaveWaiting(person)
    }

    /// Applies a stored waiting-room decision: returns each person it took out of the waiting room (in its order)
    /// with the connections that were waiting and their `after_seq`.
    func confirm(_ decision: WaitingRoomDecision) -> [(member: MemberInfo, connections: [ConnectionID: Int64?])] {
        core.confirm(decision).map { member in (member, waiting.removeValue(forKey: member.id) ?? [:]) }
    }

    var isIdle: Bool { connections.isEmpty && inFlight == 0 && waiting.isEmpty }
}
