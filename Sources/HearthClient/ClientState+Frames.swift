import Foundation
import HearthCore

// How each server frame changes the state.
extension ClientState {
    mutating func receive(_ frame: ServerFrame, now: Date, into effects: inout [ClientEffect]) {
        switch frame {
        case .welcome(let welcome):
            welcomed(welcome, into: &effects)
        case .joined(let joined):
            self.joined(joined, into: &effects)
        case .waiting(let waiting):
            let context = takeContext(waiting.ref)
            pageAnswered(waiting.ref)
            if case .join(let id, _)? = context, id != waiting.room { break }
            if roomStates[waiting.room]?.membership.wantsIn == true { roomStates[waiting.room]?.membership = .waiting }
        case .message(let message):
            received(message)
        case .ack(let ack):
            _ = takeContext(ack.ref)
            if pendingSends[ack.clientID]?.room == ack.room { pendingSends.removeValue(forKey: ack.clientID) }
        case .history(let history):
            self.history(history)
        case .presence(let presence):
            guard var room = roomStates[presence.room], room.isLive else { break }
            room.members.removeAll { $0.id == presence.member.id }
            if presence.state == .joined {
                let index = room.members.firstIndex { ($0.name, $0.id) > (presence.member.name, presence.member.id) }
                room.members.insert(presence.member, at: index ?? room.members.endIndex)
            }
            roomStates[presence.room] = room
        case .knock(let knock):
            var room = roomState(knock.room)
            room.waiting.removeAll { $0.id == knock.member.id }
            if knock.state == .waiting { room.waiting.append(knock.member) }
            roomStates[knock.room] = room
        case .denied(let denied):
            guard var room = roomStates[denied.room] else { break }
            room.membership = .left(reason: denied.message)
            room.joinInFlight = nil
            room.isLive = false
            room.isResuming = false
            room.members = []
            room.hands = []
            roomStates[denied.room] = room
            pageQueue.removeAll { $0.room == denied.room }
        case .roomState(let state):
            roomStates[state.room]?.paused = state.paused
            if let missing = state.consentMissing { roomStates[state.room]?.consentMissing = missing }
        case .checkin(let frame):
            var room = roomState(frame.checkin.room)
            room.checkins[frame.checkin.member.id, default: []].append(frame.checkin)
            roomStates[frame.checkin.room] = room
        case .alert(let frame):
            alerts[frame.alert.id] = frame.alert
        case .alerts(let frame):
            openAlertsListed(frame, context: takeContext(frame.ref))
        case .moderation(let moderation):
            moderated(moderation, into: &effects)
        case .ended(let ended):
            guard var room = roomStates[ended.room] else { break }
            room.controls.ended = true
            room.controls.round = nil
            room.hands = []
            room.waiting = []
            // Staff stay in the room, read-only; participants and family are taken out of it.
            if user?.role.isStaff != true {
                room.membership = .left(reason: nil)
                room.isLive = false
            }
            roomStates[ended.room] = room
        case .hands(let hands):
            roomStates[hands.room]?.hands = hands.queue
        case .report(let report):
            reports[report.id] = report
        case .support(let support):
            roomStates[support.room]?.support = support.text
        case .schedule(let schedule):
            for summary in schedule.rooms { rooms[summary.id] = ScheduledRoom(summary) }
        case .ok(let ok):
            _ = takeContext(ok.ref)
        case .error(let error):
            refused(error, now: now)
        default:
            // Replies to requests the state does not make (attendance, summary, notes, …) are the screen's business.
            break
        }
        pumpPages(into: &effects)
    }

    /// The context of a request the state made, forgotten once answered.
    mutating func takeContext(_ ref: String?) -> RequestContext? {
        guard let ref else { return nil }
        return requests.removeValue(forKey: ref)
    }

    /// The room's state, made empty (membership `none`) for a room heard of for the first time.
    func roomState(_ id: RoomID) -> RoomState {
        roomStates[id] ?? RoomState(id: id, messageLimit: messageLimit)
    }

    // MARK: welcome

    private mutating func welcomed(_ welcome: ServerFrame.Welcome, into effects: inout [ClientEffect]) {
        _ = takeContext(welcome.ref)
        user = welcome.user
        connection = .online
        stopReason = nil
        for summary in welcome.rooms { rooms[summary.id] = ScheduledRoom(summary) }
        // Unacknowledged alerts are replayed after every welcome; the `alerts` reply then says which are still open
        // (one acknowledged elsewhere while this client was away is not replayed, and would stay open forever).
        if welcome.user.role.isStaff { effects.append(request(.alerts(room: nil), .alerts(nil))) }
        // Rejoin every room the person is in, the one on screen first; each resumes after `have`.
        let rejoin = roomStates.values.filter { $0.membership.wantsIn }.map(\.id)
            .sorted { ($0 == focusedRoom ? 0 : 1, $0) < ($1 == focusedRoom ? 0 : 1, $1) }
        for id in rejoin { enqueuePage(.join(id), into: &effects) }
    }

    // MARK: joined

    /// What a `joined` answers.
    private enum JoinAnswer {
        /// A join without `after_seq`: the latest page.
        case latest
        /// A resume page after this `seq`.
        case resume(after: Int64)
        /// A join this state did not make (another part of the client sent it): its messages are merged, `have` is
        /// left alone.
        case unknown
    }

    private mutating func joined(_ joined: ServerFrame.Joined, into effects: inout [ClientEffect]) {
        let id = joined.room
        // Taken out of the table while it changes, so its messages are changed in place rather than copied.
        var room = roomStates.removeValue(forKey: id) ?? RoomState(id: id, messageLimit: messageLimit)
        // By ref; a `joined` without ref (after an admission) answers the join the room is waiting with.
        let ask: JoinAsk?
        if case .join(let asked, let join)? = takeContext(joined.ref), asked == id {
            pageAnswered(joined.ref)
            // The person left while this join was on its way: its `leave` follows.
            guard room.membership.wantsIn else {
                roomStates[id] = room
                return
            }
            ask = join
        } else {
            ask = room.joinInFlight
        }
        if joined.ref == nil, case .join(id)? = pageInFlight?.ask { pageInFlight = nil }
        let answer: JoinAnswer = if let ask {
            ask.afterSeq.map { .resume(after: $0) } ?? .latest
        } else {
            room.hasSnapshot ? .unknown : .latest
        }

        room.joinInFlight = nil
        room.membership = .joined
        room.isLive = true
        room.lastError = nil
        room.role = joined.role
        room.open = joined.open
        room.paused = joined.paused
        room.agreement = joined.agreement?.text
        room.notice = joined.notice
        room.controls = joined.controls
        room.members = joined.members
        if let waiting = joined.waiting { room.waiting = waiting }
        if let hands = joined.hands { room.hands = hands }
        room.consentMissing = joined.consentMissing ?? []
        if let listed = joined.reports { reportsListed(listed, room: id) }
        room.pinned = joined.pinned
        room.hasSnapshot = true

        switch answer {
        case .latest:
            merge(joined.messages, into: &room, countUnread: false)
            room.have = joined.seq
            room.isResuming = false
            room.moreBefore = joined.more
            room.pageOldest = joined.messages.first?.seq
        case .resume:
            merge(joined.messages, into: &room, countUnread: true)
            if joined.more, let last = joined.messages.last {
                // Up to this page's last seq everything is held; live messages above it do not count yet.
                room.have = max(room.have, last.seq)
                room.isResuming = true
                roomStates[id] = room
                enqueuePage(.join(id), first: true, into: &effects)
                return
            }
            // The last page: every message up to its boundary is held, and every live one since this connection's
            // first boundary, so nothing is missing up to the higher of the two.
            room.have = max(room.have, joined.seq, room.liveMax)
            room.isResuming = false
        case .unknown:
            merge(joined.messages, into: &room, countUnread: false)
        }
        roomStates[id] = room
        flushSends(id, into: &effects)
    }

    /// Adds messages from a page, dropping repeats and the person's pending messages they bring back.
    private mutating func merge(_ messages: [ChatMessage], into room: inout RoomState, countUnread: Bool) {
        for message in messages where message.room == room.id {
            add(message, to: &room, countUnread: countUnread)
        }
    }

    /// Adds one message: deduplicated by `seq`, counted as unread when new, from someone else, and not on screen.
    private mutating func add(_ message: ChatMessage, to room: inout RoomState, countUnread: Bool) {
        let isNew = room.messages.insert(message)
        if let index = room.pinned.firstIndex(where: { $0.seq == message.seq }) { room.pinned[index] = message }
        let mine = message.from.id == user?.id
        if mine, pendingSends[message.clientID]?.room == room.id {
            pendingSends.removeValue(forKey: message.clientID)
        }
        if countUnread, isNew, !mine, focusedRoom != room.id {
            room.unread += 1
            room.unreadFrom = min(room.unreadFrom ?? message.seq, message.seq)
        }
    }

    // MARK: Messages

    private mutating func received(_ message: ChatMessage) {
        guard var room = roomStates.removeValue(forKey: message.room) else { return }
        defer { roomStates[message.room] = room }
        guard room.isLive else { return }
        add(message, to: &room, countUnread: true)
        room.liveMax = max(room.liveMax, message.seq)
        // While resume pages are outstanding, live messages lie above a possible gap.
        if !room.isResuming { room.have = max(room.have, message.seq) }
    }

    private mutating func history(_ history: ServerFrame.History) {
        let context = takeContext(history.ref)
        pageAnswered(history.ref)
        guard var room = roomStates.removeValue(forKey: history.room) else { return }
        merge(history.messages, into: &room, countUnread: false)
        switch context {
        case .history(let id)? where id == history.room:
            room.loadingEarlier = false
            room.moreBefore = history.more
            if let first = history.messages.first?.seq { room.pageOldest = min(room.pageOldest ?? first, first) }
        case .refetch(let id, let seq)? where id == history.room:
            if let message = history.messages.first(where: { $0.seq == seq }), message.pinned == true,
               !room.pinned.contains(where: { $0.seq == seq }) {
                room.pinned.append(message)
                room.pinned.sort { $0.seq < $1.seq }
            }
        default:
            break
        }
        roomStates[history.room] = room
    }

    // MARK: Alerts and reports

    /// The `alerts` reply: the open alerts of its scope. An open alert of that scope missing from it was
    /// acknowledged while this client did not hear of it: it is dropped (the acknowledgement is not known).
    /// A reply to a request the state did not make has an unknown scope: it only adds.
    private mutating func openAlertsListed(_ frame: ServerFrame.Alerts, context: RequestContext?) {
        if case .alerts(let scope)? = context {
            let listed = Set(frame.alerts.map(\.id))
            for (id, alert) in alerts where alert.isOpen && !listed.contains(id) && (scope == nil || alert.room == scope) {
                alerts.removeValue(forKey: id)
            }
        }
        for alert in frame.alerts { alerts[alert.id] = alert }
    }

    /// `joined.reports` lists the room's unresolved reports: one held as unresolved and missing from it was resolved
    /// while this client was away.
    private mutating func reportsListed(_ listed: [ServerFrame.Report], room: RoomID) {
        let ids = Set(listed.map(\.id))
        for (id, report) in reports where report.room == room && report.resolved != true && !ids.contains(id) {
            reports[id]?.resolved = true
        }
        for report in listed { reports[report.id] = report }
    }

    // MARK: Errors

    private mutating func refused(_ error: ServerFrame.ErrorFrame, now: Date) {
        // Close 4001 follows: keep the server's words for the screen.
        if error.code == .unauthorized { stopReason = error.message }
        let context = takeContext(error.ref)
        pageAnswered(error.ref)
        // Too many requests: the request is made again after the server's `retry_after`; the screen shows its words.
        let limited = error.code == .rateLimited
        switch context {
        case .join(let id, _)?:
            guard var room = roomStates[id] else { return }
            room.joinInFlight = nil
            if limited {
                // The room stays wanted (not dropped): the join goes again after the wait.
                room.lastError = error.message
                if room.membership.wantsIn { retry(.join(id), after: error.retryAfter, now: now) }
            } else if error.code == .internal {
                // May pass: the room stays wanted and `join` resumes; `have` has not moved past what is held.
                room.lastError = error.message
            } else if room.membership.wantsIn {
                room.membership = .left(reason: error.message)
                room.isLive = false
                room.isResuming = false
            }
            roomStates[id] = room
        case .send(_, let clientID)?:
            // Still pending, shown with the server's words; a rate-limited one goes again by itself after the wait.
            pendingSends[clientID]?.status = .refused(code: error.code, message: error.message)
            if limited, pendingSends[clientID] != nil { retry(.send(clientID: clientID), after: error.retryAfter, now: now) }
        case .history(let id)?:
            roomStates[id]?.loadingEarlier = false
            roomStates[id]?.lastError = error.message
        case .alerts(let scope)?:
            if limited { retry(.alerts(scope), after: error.retryAfter, now: now) }
        case .leave(let id)?:
            if limited { retry(.leave(id), after: error.retryAfter, now: now) }
        case .refetch?, nil:
            break
        }
    }
}

extension Alert {
    /// Not acknowledged yet.
    public var isOpen: Bool { acknowledgedAt == nil && acknowledgedBy == nil }
}
