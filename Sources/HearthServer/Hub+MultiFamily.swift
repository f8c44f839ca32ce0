import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// Who on a multi-family room's roster lacks a multi-family group consent (they and their family cannot join), as
    /// staff see it: the list read for a `joined` (`.some(nil)`: that read failed), remembered on the room; the last
    /// list when the read failed. Nil for every other kind of room.
    func consentMissing(in room: LiveRoom, read: [MemberInfo]??) -> [MissingConsent]? {
        guard room.descriptor.kind == .multiFamily else { return nil }
        if case .some(.some(let members)) = read {
            room.consentMissing = members.map { MissingConsent(member: $0, consent: .multiFamily) }
        } else {
            logger.error("consent read failed", metadata: ["hearth.room": "\(room.descriptor.id)"])
        }
        return room.consentMissing
    }

    /// After every access re-check (which read the lists off the service thread): staff in a live multi-family room
    /// get `room_state` with `consent_missing` when the list changed (a multi-family group consent added, revoked or
    /// expired; the roster edited).
    func refreshConsentMissing(_ lists: [RoomID: [MemberInfo]]) {
        for (id, members) in lists {
            guard let room = rooms[id], room.descriptor.kind == .multiFamily else { continue }
            let staff = room.connections.compactMap { connections[$0] }.filter { connection in
                !connection.closing && connection.identity?.role.isStaff == true
            }
            guard !staff.isEmpty else { continue }
            let missing = members.map { MissingConsent(member: $0, consent: .multiFamily) }
            guard missing != room.consentMissing else { continue }
            room.consentMissing = missing
            let frame = codec.encode(.roomState(.init(room: id, paused: room.paused, consentMissing: missing)))
            for connection in staff { transport.send(frame, to: connection.id) }
        }
    }
}
