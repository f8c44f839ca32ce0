import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

extension HearthConnection {
    /// Every frame type that arrives within a moment.
    func drain(for duration: Duration = .milliseconds(300)) async -> [ServerFrame] {
        var frames: [ServerFrame] = []
        while case .frame(let frame)? = await nextEvent(timeout: duration) { frames.append(frame) }
        return frames
    }
}

extension TestServer {
    /// Audit rows matching a filter, once the records queue has written them (waits up to 2 s for `count`).
    func auditRows(actor: PersonID? = nil, room: RoomID? = nil, actions: [AuditAction], atLeast count: Int = 1) async throws -> [AuditEntry] {
        let log = AuditLog(database)
        let filter = AuditFilter(actor: actor, room: room, actions: actions.map(\.rawValue))
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            let rows = try log.list(filter)
            if rows.count >= count || ContinuousClock.now > deadline { return rows }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension TestServer {
    /// The usual cast of a moderation test: Dana (counselor), Alex and Sam, joined to the group session in that order.
    func groupSession() async throws -> (dana: HearthConnection, alex: HearthConnection, sam: HearthConnection) {
        let (dana, _) = try await joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await joined(clinic.alex.token, clinic.group)
        let (sam, _) = try await joined(clinic.sam.token, clinic.group)
        return (dana, alex, sam)
    }
}
