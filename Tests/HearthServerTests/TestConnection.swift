import Foundation
import HearthClient
import HearthCore

/// What the tests' two client connections offer: `HearthConnection` over a socket (`TestServer`) and
/// `InMemoryConnection` without one (`InMemoryHub`). The frame helpers below are written once over it.
protocol TestConnection: Sendable {
    /// How long a helper waits for a frame by default: only a guard against a hung test, never a time window.
    static var patience: Duration { get }

    /// Sends a request.
    func send(_ request: ClientRequest)
    /// A fresh `ref` for a request.
    func makeRef() -> String
    /// The next frame of the stream; throws when the connection closed or nothing came.
    func next(timeout: Duration) async throws -> ServerFrame
    /// Sends a request with a new ref and returns its reply; frames that arrive meanwhile stay in the stream.
    func request(_ command: ClientCommand, timeout: Duration) async throws -> ServerFrame
    /// `join`; returns `joined` or throws the refusal.
    func join(_ room: RoomID, afterSeq: Int64?) async throws -> ServerFrame.Joined
}

extension HearthConnection: TestConnection {
    static var patience: Duration { .seconds(5) }
}

extension InMemoryConnection: TestConnection {
    static var patience: Duration { .seconds(10) }
}

extension TestConnection {
    /// Waits for the first frame `match` accepts, skipping others.
    func expect<T>(_ what: String, timeout: Duration? = nil, _ match: (ServerFrame) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + (timeout ?? Self.patience)
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw HearthClientError.timedOut(waitingFor: what) }
            if let found = match(try await next(timeout: remaining)) { return found }
        }
    }

    /// Sends a request and returns every frame up to and including its reply (`request` drops the ones before).
    func requestKeepingFrames(_ command: ClientCommand, timeout: Duration? = nil) async throws -> [ServerFrame] {
        let ref = makeRef()
        send(ClientRequest(command, ref: ref))
        var frames: [ServerFrame] = []
        let deadline = ContinuousClock.now + (timeout ?? Self.patience)
        while true {
            let frame = try await next(timeout: deadline - ContinuousClock.now)
            frames.append(frame)
            if frame.ref == ref { return frames }
        }
    }

    /// The `error` a request is answered with, or nil when it succeeded.
    func refusal(_ command: ClientCommand) async throws -> ServerFrame.ErrorFrame? {
        if case .error(let error) = try await request(command, timeout: Self.patience) { return error }
        return nil
    }

    /// The error code of a request's reply, or nil when it succeeded.
    func refusalCode(_ command: ClientCommand) async throws -> ErrorCode? {
        try await refusal(command)?.code
    }

    /// Asks to join `room`; whether the answer is that of its waiting room (`waiting`).
    func waits(in room: RoomDescriptor) async throws -> Bool {
        if case .waiting(let frame) = try await request(.join(room: room.id, afterSeq: nil), timeout: Self.patience) {
            return frame.room == room.id
        }
        return false
    }

    /// A moderation request's refusal code, or nil when it was answered `ok`.
    func moderate(_ room: RoomID, _ action: ModerationRequest) async throws -> ErrorCode? {
        try await refusalCode(.moderate(room: room, action: action))
    }

    /// Sends a request and returns what `answer` takes from its reply; an `error` reply is thrown as the refusal.
    func reply<T>(to command: ClientCommand, _ answer: (ServerFrame) -> T?) async throws -> T {
        let frame = try await request(command, timeout: Self.patience)
        if let found = answer(frame) { return found }
        if case .error(let error) = frame { throw HearthClientError.refused(error.code, error.message) }
        throw HearthClientError.unexpected(frame.type)
    }

    /// Sends a message and returns its ack, throwing the refusal.
    @discardableResult
    func say(_ body: String, in room: RoomID, clientID: String = UUID().uuidString, to: Recipient? = nil,
             announce: Bool = false) async throws -> ServerFrame.Ack {
        try await reply(to: .send(room: room, body: body, clientID: clientID, to: to, announce: announce)) { frame in
            if case .ack(let ack) = frame { ack } else { nil }
        }
    }

    /// Invites `member` to `room`; returns the invitation or throws the refusal.
    func invite(_ member: PersonID, to room: RoomID) async throws -> ServerFrame.Invitation {
        try await reply(to: .invite(room: room, member: member)) { frame in
            if case .invitation(let invitation) = frame { invitation } else { nil }
        }
    }

    /// The `alerts` reply: the open alerts this staff member may see (of one room, when given).
    func openAlerts(room: RoomID? = nil) async throws -> [Alert] {
        let frame = try await request(.alerts(room: room), timeout: Self.patience)
        guard case .alerts(let list) = frame else { throw HearthClientError.unexpected(frame.type) }
        return list.alerts
    }

    // MARK: Waiting for a frame of a type

    /// Waits for a `moderation` frame with this action.
    func moderation(_ action: ModerationAction) async throws -> ServerFrame.Moderation {
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

    /// Waits for a `knock` frame in this state.
    func knock(_ state: ServerFrame.KnockState) async throws -> ServerFrame.Knock {
        try await expect("knock \(state.rawValue)") { frame in
            if case .knock(let knock) = frame, knock.state == state { return knock }
            return nil
        }
    }

    /// Waits for a `joined` frame (one the server sends unasked, as on admission).
    func joinedFrame() async throws -> ServerFrame.Joined {
        try await expect("joined") { frame in
            if case .joined(let joined) = frame { return joined }
            return nil
        }
    }

    /// Waits for a `room_state` frame.
    func roomState() async throws -> ServerFrame.RoomState {
        try await expect("room_state") { frame in
            if case .roomState(let state) = frame { return state }
            return nil
        }
    }

    /// Waits for an `alert` frame.
    func alertFrame(timeout: Duration? = nil) async throws -> Alert {
        try await expect("alert", timeout: timeout) { frame in
            if case .alert(let alert) = frame { return alert.alert }
            return nil
        }
    }

    /// Waits for an alert to come back marked escalated.
    func escalatedAlert() async throws -> Alert {
        try await expect("escalated alert") { frame in
            if case .alert(let frame) = frame, frame.alert.escalated == true { return frame.alert }
            return nil
        }
    }
}
