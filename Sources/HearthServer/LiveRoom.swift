import Foundation
import HearthCore
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

    struct WaitingEntry {
        var member: MemberInfo
        var connections: [ConnectionID: Int64?]
        var arrival: Int
    }

    init(descriptor: RoomDescriptor, deliveredSeq: Int64, admitted: Set<PersonID>, agreed: Set<PersonID>) {
        self.descriptor = descriptor
        self.deliveredSeq = deliveredSeq
        self.admitted = admitted
        self.agreed = agreed
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
