import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

extension HearthConnection {
    /// Waits for a `moderation` frame with this action.
    func moderation(_ action: String) async throws -> ServerFrame.Moderation {
        try await expect("moderation \(action)") { frame in
            if case .moderation(let moderation) = frame, moderation.action == action { return moderation }
            return nil
        }
    }

    /// Waits for the next live message.
    func message() async throws -> ChatMessage {
        try await expect("message") { frame in
            if case .message(let message) = frame { return message }
            return nil
        }
    }

    /// Every frame type that arrives within a moment.
    func drain(for duration: Duration = .milliseconds(300)) async -> [ServerFrame] {
        var frames: [ServerFrame] = []
        while case .frame(let frame)? = await nextEvent(timeout: duration) { frames.append(frame) }
        return frames
    }

    /// Sends a message and returns its ack, failing the test on a refusal.
    @discardableResult
    func say(_ body: String, in room: RoomID, to: Recipient? = nil, announce: Bool = false) async throws -> ServerFrame.Ack {
        let frame = try await request(.send(room: room, body: body, clientID: UUID().uuidString, to: to, announce: announce))
        guard case .ack(let ack) = frame else { throw HearthClientError.unexpected(frame.type) }
        return ack
    }

    /// A moderation request's refusal code, or nil when it was answered `ok`.
    func moderate(_ room: RoomID, _ action: ModerationRequest) async throws -> ErrorCode? {
        try await refusalCode(.moderate(room: room, action: action))
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
