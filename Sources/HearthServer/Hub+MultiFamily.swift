import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// Who on a multi-family room's roster lacks a multi-family group consent (they and their family cannot join), as
    /// staff see it; remembered on the room. Nil for every other kind of room; the last list when the read failed.
    func consentMissing(in room: LiveRoom, now: Date) -> [MissingConsent]? {
        guard room.descriptor.kind == .multiFamily else { return nil }
        guard let members = try? MultiFamilyConsentStore(database).missing(in: room.descriptor, now: now) else {
            logger.error("consent read failed", metadata: ["hearth.room": "\(room.descriptor.id)"])
            return room.consentMissing
        }
        let missing = members.map { MissingConsent(member: $0, consent: .multiFamily) }
        room.consentMissing = missing
        return missing
    }

    /// After every access re-check: staff in a live multi-family room get `room_state` with `consent_missing` when
    /// the list changed (a multi-family group consent added, revoked or expired; the roster edited).
    func refreshConsentMissing(now: Date) {
        for room in rooms.values where room.descriptor.kind == .multiFamily {
            let staff = room.connections.compactMap { sessions[$0] }.filter { session in
                !session.closing && session.identity?.role.isStaff == true
            }
            guard !staff.isEmpty else { continue }
            let before = room.consentMissing
            guard let missing = consentMissing(in: room, now: now), missing != before else { continue }
            let frame = codec.encode(.roomState(.init(room: room.descriptor.id, paused: room.paused, consentMissing: missing)))
            for session in staff { transport.send(frame, to: session.connection) }
        }
    }
}
