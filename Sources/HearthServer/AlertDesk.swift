import Foundation
import HearthCore
import HearthStore

/// The hub's bookkeeping of crisis alerts, and nothing else: which open alerts are watched for escalation and when
/// each is due, which `alert` frames may go out now and which coalesced updates wait for their second, how the
/// replay after a staff `welcome` is cut, and who may receive and acknowledge an alert. It decides; the hub writes the
/// store (on the records queue's crisis lane) and sends the frames. No I/O and no clock: escalation runs on the
/// clinic's clock (`Date`), the once-a-second pace of updates on the monotonic clock (`ContinuousClock.Instant`),
/// both passed in. Service thread only (a value the hub owns).
struct AlertDesk {
    /// The shortest time between two frames of one alert.
    static let updateInterval: Duration = .seconds(1)
    /// How many open alerts the replay after a staff `welcome` carries in full; an `alert_backlog` frame tells of
    /// the rest, which `alerts` lists.
    static let replayLimit = 50

    /// How long an alert may stay unacknowledged before it is escalated (`alert_escalation_seconds`).
    let escalationDelay: TimeInterval
    /// Alerts raised and neither acknowledged nor escalated yet, with when they were raised (clinic clock).
    private var watched: [Int64: Date] = [:]
    /// Alerts whose escalation is being recorded, with when they were raised (watched again if it fails).
    private var escalating: [Int64: Date] = [:]
    /// When the last frame of each alert went out, while it matters (the last second).
    private var lastSent: [Int64: ContinuousClock.Instant] = [:]
    /// The latest update of each coalesced alert whose frame waits for its second.
    private var waiting: [Int64: (alert: Alert, room: RoomDescriptor)] = [:]

    init(escalationSeconds: Int) {
        escalationDelay = TimeInterval(escalationSeconds)
    }

    // MARK: Watching for escalation

    /// Alerts left open by an earlier run (read at start): each not yet escalated is watched from when it was raised
    /// (`now` when its time cannot be read).
    mutating func restore(_ open: [Alert], now: Date) {
        for alert in open where alert.escalated != true {
            watched[alert.id] = WireTime.parse(alert.ts) ?? now
        }
    }

    /// Alerts acknowledged: no longer watched, and not watched again if an escalation under way fails.
    mutating func acknowledged(_ ids: some Sequence<Int64>) {
        for id in ids {
            watched[id] = nil
            escalating[id] = nil
        }
    }

    /// Takes out the alerts no one acknowledged within `escalationDelay` of being raised, by id: the hub records each
    /// escalation, then reports it with `escalated(_:)` or `escalationFailed(_:)`.
    mutating func dueForEscalation(at now: Date) -> [Int64] {
        let due = watched.filter { now.timeIntervalSince($0.value) >= escalationDelay }.keys.sorted()
        for id in due { escalating[id] = watched.removeValue(forKey: id) }
        return due
    }

    /// An escalation was recorded (or the alert was no longer open): it is not watched again.
    mutating func escalated(_ id: Int64) {
        escalating[id] = nil
    }

    /// An escalation could not be recorded (the database failed, or the crisis lane was full): watched again, so the
    /// next tick tries once more. Nothing happens when it was acknowledged meanwhile.
    mutating func escalationFailed(_ id: Int64) {
        if let raised = escalating.removeValue(forKey: id) { watched[id] = raised }
    }

    /// Whether an alert is watched for escalation (for tests and logs).
    func isWatched(_ id: Int64) -> Bool { watched[id] != nil }

    /// How many alerts are neither acknowledged nor escalated (those whose escalation is being recorded included).
    var unescalatedCount: Int { watched.count + escalating.count }

    // MARK: Frames

    /// A stored signal: true when its `alert` frame goes out now. A new alert goes out at once and is watched for
    /// escalation from `now`. A repeat of an open one (coalesced: escalation keeps the first signal's time) goes out
    /// at once when it raised the severity or when no frame of that alert went out in the last second; otherwise it
    /// waits, replacing any older update, until `dueUpdates` hands it out.
    mutating func signalled(_ signal: AlertSignal, room: RoomDescriptor, now: Date,
                            at instant: ContinuousClock.Instant) -> Bool {
        let id = signal.alert.id
        if signal.opened {
            watched[id] = now
            return true
        }
        if signal.severityRaised { return true }
        if let last = lastSent[id], instant - last < Self.updateInterval {
            waiting[id] = (signal.alert, room)
            return false
        }
        return true
    }

    /// A frame of this alert went out (a signal, an acknowledgement, an escalation): it is newer than any update
    /// waiting, which is dropped.
    mutating func sent(_ id: Int64, at instant: ContinuousClock.Instant) {
        lastSent[id] = instant
        waiting[id] = nil
    }

    /// Takes out the waiting updates whose second has passed, by alert id; forgets alerts quiet for a second.
    mutating func dueUpdates(at instant: ContinuousClock.Instant) -> [(alert: Alert, room: RoomDescriptor)] {
        let ready = waiting.filter { id, _ in lastSent[id].map { instant - $0 >= Self.updateInterval } ?? true }
            .sorted { $0.key < $1.key }.map(\.value)
        for update in ready { waiting[update.alert.id] = nil }
        lastSent = lastSent.filter { id, last in instant - last < Self.updateInterval || waiting[id] != nil }
        return ready
    }

    /// How many updates wait for their second (for tests and logs).
    var waitingCount: Int { waiting.count }

    // MARK: Who is told, and who may acknowledge

    /// The bounded replay of open alerts (given oldest first): all of them when at most `limit`; otherwise the
    /// `limit` whose latest signal is most recent, still oldest first, and the backlog of the others.
    static func replay(_ open: [Alert], limit: Int = replayLimit)
        -> (alerts: [Alert], backlog: ServerFrame.AlertBacklog?) {
        guard open.count > limit else { return (open, nil) }
        let newestFirst = open.sorted { ($0.latest ?? $0.ts, $0.id) > ($1.latest ?? $1.ts, $1.id) }
        let chosen = Set(newestFirst.prefix(limit).map(\.id))
        let replayed = open.filter { chosen.contains($0.id) }
        let left = open.filter { !chosen.contains($0.id) }
        return (replayed, ServerFrame.AlertBacklog(replayed: replayed.count, more: left.count, oldest: left[0].ts))
    }

    /// The one rule for who is shown an open alert, after `welcome` and in the `alerts` reply: staff who may access
    /// its room (an individual session's alerts go to its counselor), or every staff member when the room cannot be
    /// found.
    static func mayReceive(_ identity: Identity, of room: RoomDescriptor?) -> Bool {
        guard identity.role.isStaff else { return false }
        guard let room else { return true }
        return AccessRule.mayAccess(identity, room)
    }

    /// Whether `identity` may acknowledge an alert of `room`: whoever may receive it (staff who may access the
    /// room), or an admin who broke the glass into it on this connection. Escalation shows an alert to every staff
    /// member, but only these may acknowledge it.
    static func mayAcknowledge(_ identity: Identity, of room: RoomDescriptor?, breakGlass: Set<RoomID>) -> Bool {
        if let room, breakGlass.contains(room.id) { return identity.role == .admin }
        return mayReceive(identity, of: room)
    }
}
