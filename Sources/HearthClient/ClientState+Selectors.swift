import Foundation
import HearthCore

/// One room in the rooms bar.
public struct RoomBarEntry: Equatable, Sendable {
    public var id: RoomID
    /// The session's title, or the room id for a room joined by id and never listed.
    public var title: String
    /// Nil for a room this client has no ROOM for.
    public var phase: RoomPhase?
    /// The person is in the room, or on the way in.
    public var joined: Bool
    public var present: Int
    public var waiting: Int
    public var openAlerts: Int
    public var unread: Int

    public init(id: RoomID, title: String, phase: RoomPhase?, joined: Bool, present: Int, waiting: Int, openAlerts: Int,
                unread: Int) {
        self.id = id; self.title = title; self.phase = phase; self.joined = joined; self.present = present
        self.waiting = waiting; self.openAlerts = openAlerts; self.unread = unread
    }
}

// What a screen reads. Everything here is computed from the state; nothing changes it.
extension ClientState {
    /// Unacknowledged alerts, oldest first.
    public var openAlerts: [Alert] {
        alerts.values.filter(\.isOpen).sorted { ($0.ts, $0.id) < ($1.ts, $1.id) }
    }

    /// The room's state at `now`: its window, or `ended` once staff ended the session.
    public func phase(of id: RoomID, at now: Date) -> RoomPhase? {
        if roomStates[id]?.controls.ended == true { return .ended }
        return rooms[id]?.phase(at: now)
    }

    /// The rooms bar: today's sessions (in each session's own zone), those open now, and every room the person is in,
    /// by start time then id; rooms joined by id without a ROOM come last.
    public func barRooms(at now: Date) -> [RoomBarEntry] {
        var ids = Set(rooms.values.filter { $0.startsOnSameDay(as: now) || $0.phase(at: now) == .open }.map(\.id))
        ids.formUnion(roomStates.values.filter { $0.membership.wantsIn }.map(\.id))
        let openAlertCounts = Dictionary(grouping: openAlerts, by: \.room).mapValues(\.count)
        let sorted = ids.sorted { lhs, rhs in
            let left = rooms[lhs]?.starts ?? .distantFuture, right = rooms[rhs]?.starts ?? .distantFuture
            return (left, lhs) < (right, rhs)
        }
        return sorted.map { id in
            let room = roomStates[id]
            return RoomBarEntry(id: id, title: rooms[id]?.summary.title ?? id.rawValue, phase: phase(of: id, at: now),
                                joined: room?.membership.wantsIn ?? false, present: room?.members.count ?? 0,
                                waiting: room?.waiting.count ?? 0, openAlerts: openAlertCounts[id] ?? 0,
                                unread: room?.unread ?? 0)
        }
    }

    /// The room's messages held, in `seq` order. Staff receive every message: hidden ones keep their text (shown
    /// dimmed), held ones wait for release, whispers and private questions are marked by `kind`.
    public func visibleMessages(in id: RoomID) -> MessageBuffer {
        roomStates[id]?.messages ?? MessageBuffer(limit: messageLimit)
    }

    /// Whether "load earlier" can bring older messages: the server has some, and the buffer has room for them.
    public func canLoadEarlier(in id: RoomID) -> Bool {
        guard let room = roomStates[id] else { return false }
        return room.moreBefore && !room.loadingEarlier && room.messages.count < messageLimit
    }

    /// Who waits to be admitted, in order of arrival.
    public func waitingList(in id: RoomID) -> [MemberInfo] { roomStates[id]?.waiting ?? [] }

    /// Raised hands, first raised first.
    public func hands(in id: RoomID) -> [MemberInfo] { roomStates[id]?.hands ?? [] }

    /// Staff, multi-family rooms: who on the roster lacks a consent to join, by name.
    public func consentMissing(in id: RoomID) -> [MissingConsent] { roomStates[id]?.consentMissing ?? [] }

    /// The running check-in round, if any.
    public func round(in id: RoomID) -> ServerFrame.Round? { roomStates[id]?.controls.round }

    /// Members muted now, by name (a timed mute past its end is over even if its `unmute` was missed).
    public func mutedMembers(in id: RoomID, at now: Date) -> [MemberInfo] {
        guard let room = roomStates[id] else { return [] }
        return room.muted.values.filter { $0.until.map { $0 > now } ?? true }
            .map(\.member).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// The latest check-in of each member who checked in, by member.
    public func latestCheckins(in id: RoomID) -> [PersonID: Checkin] {
        roomStates[id]?.checkins.compactMapValues(\.last) ?? [:]
    }

    /// Unresolved reports, oldest first; of one room when given.
    public func openReports(in id: RoomID? = nil) -> [ServerFrame.Report] {
        reports.values.filter { $0.resolved != true && (id == nil || $0.room == id) }.sorted { $0.id < $1.id }
    }

    /// Private questions to staff from others, held in the room's buffer (all rooms when nil), oldest first.
    public func privateQuestions(in id: RoomID? = nil) -> [ChatMessage] {
        let states = id.map { roomStates[$0].map { [$0] } ?? [] } ?? Array(roomStates.values)
        return states.flatMap { room in room.messages.filter { $0.kind == .private && $0.from.id != user?.id } }
            .sorted { ($0.ts, $0.room, $0.seq) < ($1.ts, $1.room, $1.seq) }
    }

    /// The person's messages not acknowledged yet, in the order written; of one room when given.
    public func pending(in id: RoomID? = nil) -> [PendingSend] {
        pendingSends.values.filter { id == nil || $0.room == id }.sorted { $0.order < $1.order }
    }
}
