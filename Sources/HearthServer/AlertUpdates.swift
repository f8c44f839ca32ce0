import HearthCore

/// The `alert` frames of coalesced alerts, at most one a second per alert. A repeat signal updates its open alert in
/// the store at once; the frame that tells staff goes out at once when none went out for that alert in the last
/// second, or else waits, replaced by any later update, until the second has passed (the hub's tick sends it). So a
/// flood of signals makes a frame a second, each carrying the latest count. Runs on the service thread.
struct AlertUpdates {
    /// The shortest time between two frames of one alert.
    static let interval: Duration = .seconds(1)

    private var lastSent: [Int64: ContinuousClock.Instant] = [:]
    private var waiting: [Int64: (alert: Alert, room: RoomDescriptor)] = [:]

    /// A frame of this alert went out: it is newer than any update waiting, which is dropped.
    mutating func sent(_ id: Int64, at now: ContinuousClock.Instant) {
        lastSent[id] = now
        waiting[id] = nil
    }

    /// An updated alert: true when its frame may go out now; false when it waits (replacing an older update).
    mutating func offer(_ alert: Alert, room: RoomDescriptor, at now: ContinuousClock.Instant) -> Bool {
        if let last = lastSent[alert.id], now - last < Self.interval {
            waiting[alert.id] = (alert, room)
            return false
        }
        return true
    }

    /// Takes out the waiting updates whose second has passed, by alert id; forgets alerts quiet for a second.
    mutating func due(at now: ContinuousClock.Instant) -> [(alert: Alert, room: RoomDescriptor)] {
        let ready = waiting.filter { id, _ in lastSent[id].map { now - $0 >= Self.interval } ?? true }
            .sorted { $0.key < $1.key }.map(\.value)
        for update in ready { waiting[update.alert.id] = nil }
        lastSent = lastSent.filter { id, last in now - last < Self.interval || waiting[id] != nil }
        return ready
    }

    /// How many updates wait (for tests and logs).
    var waitingCount: Int { waiting.count }
}
