import Foundation
import HearthCore
import HearthTransport

/// A room with people in it. Service thread only.
final class LiveRoom {
    var descriptor: RoomDescriptor
    /// Every connection that joined, for fan-out.
    var connections: Set<ConnectionID> = []
    /// People present and how many of their connections are in the room.
    var present: [PersonID: (member: MemberInfo, connections: Int)] = [:]
    /// The highest seq delivered live. Snapshots (`joined`, `history`) stop here; live delivery continues after it.
    var deliveredSeq: Int64
    /// Messages handed to the writer and not yet committed.
    var inFlight = 0

    init(descriptor: RoomDescriptor, deliveredSeq: Int64) {
        self.descriptor = descriptor
        self.deliveredSeq = deliveredSeq
    }

    var members: [MemberInfo] {
        present.values.map(\.member).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    var isIdle: Bool { connections.isEmpty && inFlight == 0 }
}
