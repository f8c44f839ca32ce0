import Foundation
import HearthCore

/// Everything a client knows, updated by one pure reducer: `apply(event, now:)` changes the state and returns what
/// the connection must do. No socket, no clock, no terminal: the connection feeds events in, carries effects out,
/// and a screen reads the state (and its selectors) after each batch.
///
/// ```swift
/// var state = ClientState()
/// for event in events {                       // connection changes, frames, the person's commands
///     for case .send(let request) in state.apply(event, now: .now) { connection.send(request) }
/// }
/// ```
///
/// The rules are docs/PROTOCOL.md section 11's: per room, `have` is the highest `seq` up to which every message is
/// held; a reconnect rejoins each room with `after_seq = have` and pages until `more` is false, one page at a time
/// across all rooms (section 11.7); messages are deduplicated by `seq`; pending messages are then resent with
/// their same `client_id`, unless a page brought them back.
public struct ClientState: Equatable, Sendable {
    /// The connection as the screen shows it.
    public enum ConnectionStatus: Equatable, Sendable {
        /// Never connected yet.
        case offline
        /// Opening a socket (after a disconnect: reconnecting).
        case connecting
        /// The socket is open; `welcome` has not come.
        case connected
        /// Signed in: `welcome` came on this connection.
        case online
        /// The socket closed; the connection will retry.
        case disconnected(code: UInt16, reason: String)
        /// The token was refused (4001): no retry. The server's words when it gave them.
        case stopped(reason: String)
    }

    /// What a request the state made was for, to read its reply.
    enum RequestContext: Equatable, Sendable {
        case join(RoomID, JoinAsk)
        case send(RoomID, clientID: String)
        case history(RoomID)
        /// One message asked for again (unhidden or pinned while this client held no text for it).
        case refetch(RoomID, seq: Int64)
        /// The open alerts of one room, or of all (nil).
        case alerts(RoomID?)
        case leave(RoomID)
    }

    /// A request to make again, and when.
    struct PendingRetry: Equatable, Sendable {
        var ask: Retry
        var at: Date
    }

    /// A request a `rate_limited` error asked to make again after `retry_after` seconds.
    enum Retry: Equatable, Sendable {
        case join(RoomID)
        case send(clientID: String)
        case alerts(RoomID?)
        case leave(RoomID)
    }

    /// A page request waiting its turn: one page at a time, across all rooms (section 11.7).
    enum PageAsk: Equatable, Sendable {
        case join(RoomID)
        case history(RoomID)
        case refetch(RoomID, seq: Int64)
    }

    /// Messages kept per room.
    public let messageLimit: Int
    /// Messages asked for per `history` page.
    public let historyPage: Int

    public internal(set) var connection: ConnectionStatus = .offline
    /// Who this client acts as, from the last `welcome`.
    public internal(set) var user: MemberInfo?
    /// Every room `welcome` and `schedule` listed, by id (the latest copy of each).
    public internal(set) var rooms: [RoomID: ScheduledRoom] = [:]
    /// What the client knows of each room it is in, was in, or hears about.
    public internal(set) var roomStates: [RoomID: RoomState] = [:]
    /// Staff: alerts by id; a later `alert` frame replaces an earlier one. Acknowledged ones stay, marked
    /// (`acknowledgedBy`/`acknowledgedAt`).
    public internal(set) var alerts: [Int64: Alert] = [:]
    /// Staff: reports by id (`resolved` once resolved).
    public internal(set) var reports: [Int64: ServerFrame.Report] = [:]
    /// The person's messages not acknowledged yet, by `client_id`.
    public internal(set) var pendingSends: [String: PendingSend] = [:]
    /// The room the screen shows.
    public internal(set) var focusedRoom: RoomID?

    var requests: [String: RequestContext] = [:]
    var nextRef = 1
    var nextSendOrder = 0
    var pageQueue: [PageAsk] = []
    /// The page request sent and not answered yet.
    var pageInFlight: PageInFlight?
    /// The `unauthorized` error's message, shown when the 4001 close follows.
    var stopReason: String?
    /// Requests refused with `rate_limited`, with when to make them again (oldest first).
    var retries: [PendingRetry] = []

    struct PageInFlight: Equatable, Sendable {
        var ref: String
        var ask: PageAsk
    }

    /// - Parameters:
    ///   - messageLimit: messages kept per room; the oldest go first.
    ///   - historyPage: messages per "load earlier" page (1 to 200).
    public init(messageLimit: Int = 5000, historyPage: Int = 100) {
        precondition(messageLimit > 0 && (1...200).contains(historyPage))
        self.messageLimit = messageLimit
        self.historyPage = historyPage
    }

    /// Applies one event and returns what the connection must do, in order.
    /// - Parameter now: Injected so tests control time; the state never reads a clock.
    public mutating func apply(_ event: ClientEvent, now: Date) -> [ClientEffect] {
        var effects: [ClientEffect] = []
        switch event {
        case .connecting:
            connection = .connecting
        case .connected:
            connection = .connected
            resetConnection()
        case .disconnected(let code, let reason):
            resetConnection()
            connection = code == 4001 ? .stopped(reason: stopReason ?? reason) : .disconnected(code: code, reason: reason)
        case .frame(let frame):
            receive(frame, now: now, into: &effects)
        case .join(let room):
            join(room, into: &effects)
        case .leave(let room):
            leave(room, into: &effects)
        case .queuedSend(let room, let body, let clientID, let to, let announce):
            pendingSends[clientID] = PendingSend(room: room, body: body, clientID: clientID, to: to, announce: announce,
                                                 queuedAt: now, status: .queued, order: nextSendOrder)
            nextSendOrder += 1
            flushSends(room, into: &effects)
        case .retrySend(let clientID):
            guard var pending = pendingSends[clientID], case .refused = pending.status else { break }
            pending.status = .queued
            pendingSends[clientID] = pending
            flushSends(pending.room, into: &effects)
        case .discardSend(let clientID):
            pendingSends.removeValue(forKey: clientID)
        case .loadEarlier(let room):
            guard let state = roomStates[room], state.moreBefore, !state.loadingEarlier,
                  !pageQueue.contains(.history(room)) else { break }
            enqueuePage(.history(room), into: &effects)
        case .focused(let room):
            focus(room)
        case .tick:
            break
        }
        if !retries.isEmpty { retryDue(now: now, into: &effects) }
        return effects
    }

    /// Makes again the requests whose `retry_after` is over, if they are still wanted.
    private mutating func retryDue(now: Date, into effects: inout [ClientEffect]) {
        guard isOnline else { return }
        let due = retries.filter { $0.at <= now }.map(\.ask)
        guard !due.isEmpty else { return }
        retries.removeAll { $0.at <= now }
        for ask in due {
            switch ask {
            case .join(let id):
                guard let room = roomStates[id], room.membership.wantsIn, room.joinInFlight == nil,
                      !(room.membership == .joined && room.isLive && !room.isResuming) else { continue }
                enqueuePage(.join(id), into: &effects)
            case .send(let clientID):
                guard var pending = pendingSends[clientID], case .refused(.rateLimited, _) = pending.status else { continue }
                pending.status = .queued
                pendingSends[clientID] = pending
                flushSends(pending.room, into: &effects)
            case .alerts(let scope):
                effects.append(request(.alerts(room: scope), .alerts(scope)))
            case .leave(let id):
                guard roomStates[id]?.membership.wantsIn == false else { continue }
                effects.append(request(.leave(room: id), .leave(id)))
            }
        }
    }

    /// Asks for a request to be made again after the server's `retry_after` (at least 1 s), once.
    mutating func retry(_ ask: Retry, after seconds: Int?, now: Date) {
        retries.removeAll { $0.ask == ask }
        retries.append(PendingRetry(ask: ask, at: now.addingTimeInterval(TimeInterval(max(1, seconds ?? 1)))))
    }

    /// Whether `welcome` came on the current connection.
    var isOnline: Bool { connection == .online }

    /// A request with a fresh `ref`, remembered with what it is for.
    mutating func request(_ command: ClientCommand, _ context: RequestContext) -> ClientEffect {
        let ref = "cs\(nextRef)"
        nextRef += 1
        requests[ref] = context
        return .send(ClientRequest(command, ref: ref))
    }

    /// Everything tied to the connection ends with it: refs, pages, live streams. Rooms and pending messages stay.
    private mutating func resetConnection() {
        requests = [:]
        pageQueue = []
        pageInFlight = nil
        // A new connection rejoins every room and asks for the alerts again; pending messages wait their turn.
        retries.removeAll { if case .send = $0.ask { false } else { true } }
        for id in roomStates.keys {
            roomStates[id]?.joinInFlight = nil
            roomStates[id]?.isLive = false
            roomStates[id]?.isResuming = false
            roomStates[id]?.liveMax = 0
            roomStates[id]?.loadingEarlier = false
        }
        for (clientID, pending) in pendingSends where pending.status == .sent {
            pendingSends[clientID]?.status = .queued
        }
    }

    // MARK: The person's commands

    private mutating func join(_ id: RoomID, into effects: inout [ClientEffect]) {
        var room = roomStates[id] ?? RoomState(id: id, messageLimit: messageLimit)
        // Already in, or on the way in: nothing to do, unless a resume stopped on an error (join again resumes).
        if room.membership.wantsIn && (room.joinInFlight != nil || pageQueue.contains(.join(id))) { return }
        if room.membership == .joined && room.isLive && !room.isResuming { return }
        if !room.membership.wantsIn { room.membership = .joining }
        room.lastError = nil
        roomStates[id] = room
        enqueuePage(.join(id), into: &effects)
    }

    private mutating func leave(_ id: RoomID, into effects: inout [ClientEffect]) {
        guard var room = roomStates[id], room.membership.wantsIn else { return }
        if isOnline { effects.append(request(.leave(room: id), .leave(id))) }
        room.membership = .left(reason: nil)
        room.joinInFlight = nil
        room.isLive = false
        room.isResuming = false
        room.liveMax = 0
        room.loadingEarlier = false
        // No longer kept up to date.
        room.members = []
        room.hands = []
        roomStates[id] = room
        pageQueue.removeAll { $0.room == id }
    }

    private mutating func focus(_ id: RoomID?) {
        if let previous = focusedRoom, previous != id {
            roomStates[previous]?.unread = 0
            roomStates[previous]?.unreadFrom = nil
        }
        focusedRoom = id
        if let id { roomStates[id]?.unread = 0 }
    }

    // MARK: Pages, one at a time

    mutating func enqueuePage(_ ask: PageAsk, first: Bool = false, into effects: inout [ClientEffect]) {
        if !pageQueue.contains(ask) {
            if first { pageQueue.insert(ask, at: 0) } else { pageQueue.append(ask) }
        }
        pumpPages(into: &effects)
    }

    /// Sends the next page request when none is in flight. The request is made now, not when it was queued, so a
    /// join resumes from the `have` of this moment.
    mutating func pumpPages(into effects: inout [ClientEffect]) {
        while isOnline, pageInFlight == nil, !pageQueue.isEmpty {
            let ask = pageQueue.removeFirst()
            guard let effect = start(ask), case .send(let request) = effect, let ref = request.ref else { continue }
            pageInFlight = PageInFlight(ref: ref, ask: ask)
            effects.append(effect)
        }
    }

    /// The request for a page, or nil when it is no longer wanted.
    private mutating func start(_ ask: PageAsk) -> ClientEffect? {
        switch ask {
        case .join(let id):
            guard var room = roomStates[id], room.membership.wantsIn else { return nil }
            let join = JoinAsk(afterSeq: room.hasSnapshot ? room.have : nil)
            room.joinInFlight = join
            room.isResuming = join.afterSeq != nil
            roomStates[id] = room
            return request(.join(room: id, afterSeq: join.afterSeq), .join(id, join))
        case .history(let id):
            guard var room = roomStates[id], room.isReadyToSend, room.moreBefore, !room.loadingEarlier,
                  room.messages.count < messageLimit else { return nil }
            guard let before = room.pageOldest ?? room.messages.firstSeq else { return nil }
            room.loadingEarlier = true
            roomStates[id] = room
            return request(.history(room: id, beforeSeq: before, limit: historyPage), .history(id))
        case .refetch(let id, let seq):
            guard let room = roomStates[id], room.isLive else { return nil }
            return request(.history(room: id, beforeSeq: seq + 1, limit: 1), .refetch(id, seq: seq))
        }
    }

    /// A reply (or error) to `ref` arrived: if it was the page in flight, the next one may go.
    mutating func pageAnswered(_ ref: String?) {
        if let ref, pageInFlight?.ref == ref { pageInFlight = nil }
    }

    // MARK: Pending messages

    /// Sends the room's queued messages, oldest first, once the room is joined and resumed. A message that came back
    /// in the pages (stored, its ack lost) is dropped instead.
    mutating func flushSends(_ id: RoomID, into effects: inout [ClientEffect]) {
        guard isOnline, let room = roomStates[id], room.isReadyToSend else { return }
        let queued = pendingSends.values.filter { $0.room == id && $0.status == .queued }.sorted { $0.order < $1.order }
        for pending in queued {
            if room.messages.contains(where: { isOwn($0, clientID: pending.clientID) }) {
                pendingSends.removeValue(forKey: pending.clientID)
                continue
            }
            pendingSends[pending.clientID]?.status = .sent
            effects.append(request(pending.command, .send(id, clientID: pending.clientID)))
        }
    }

    /// Whether a message is the person's own with this `client_id`.
    func isOwn(_ message: ChatMessage, clientID: String) -> Bool {
        message.clientID == clientID && message.from.id == user?.id
    }
}

extension ClientState.PageAsk {
    var room: RoomID {
        switch self {
        case .join(let room), .history(let room), .refetch(let room, _): room
        }
    }
}
