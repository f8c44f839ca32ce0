import Foundation
import HearthCore

/// The hub's request limits: one `RequestAllowance` per person, shared by all their connections (more tabs do not
/// mean a faster rate), and the tally that audits refused requests once per person, request and minute. Pure: time
/// is passed in. Service thread only.
struct RequestLimiter {
    private(set) var allowances: [PersonID: RequestAllowance] = [:]
    var refusals = RefusalTally()
    /// When full allowances were last dropped (clinic clock).
    private var lastPrune: Date?

    /// Takes one request of a class from the person's allowance: nil when allowed, else the whole seconds to wait.
    mutating func take(_ requestClass: RequestClass, person: PersonID, limit: RequestLimit?, now: Date) -> Int? {
        allowances[person, default: RequestAllowance()].take(requestClass, limit: limit, now: now)
    }

    /// Once a minute, forgets the allowances that have refilled: a full allowance is the same as a fresh one, so
    /// memory stays bounded by the people who were active lately, and reconnecting never resets a spent one.
    mutating func prune(limits: (RequestClass) -> RequestLimit?, now: Date) {
        if let lastPrune, now.timeIntervalSince(lastPrune) < 60, now >= lastPrune { return }
        lastPrune = now
        allowances = allowances.filter { !$0.value.isFull(limits: limits, now: now) }
    }
}

/// Refused requests, audited once per person, request and minute with a count instead of once per frame.
///
/// The first refusal of a request by a person writes its audit row at once (detail: the request, e.g.
/// `moderate mute`) and opens a minute. Further refusals of the same request by the same person within that minute
/// are only counted; when the minute closes (the hub's once-a-second tick, or the next refusal after it) one more row
/// is written with the count (`moderate mute (4999 more)`). So a flood writes at most two rows a minute per request,
/// and the rows' counts add up to the refusals.
struct RefusalTally {
    /// An audit row to write.
    struct Row: Equatable {
        var person: PersonID
        var what: String
        /// The room of the refusals, when they all named the same one.
        var room: RoomID?
        /// The first refusal's time, or the last counted one's for a minute's closing row.
        var at: Date
        /// Nil for the first refusal; the refusals counted after it for a minute's closing row.
        var repeats: Int?

        /// The row's `detail`: the request, and for a closing row how many more were refused.
        var detail: String { repeats.map { "\(what) (\($0) more)" } ?? what }
    }

    private struct Key: Hashable {
        var person: PersonID
        var what: String
    }

    private struct Minute {
        var opened: Date
        var room: RoomID?
        var sameRoom = true
        var repeats = 0
        var last: Date
    }

    static let minute: TimeInterval = 60
    private var minutes: [Key: Minute] = [:]

    /// Counts one refusal; returns the rows to write now (the first of a minute, after the closing row of a
    /// previous minute not yet closed).
    mutating func refused(person: PersonID, what: String, room: RoomID?, now: Date) -> [Row] {
        let key = Key(person: person, what: what)
        var rows: [Row] = []
        if var open = minutes[key] {
            if now.timeIntervalSince(open.opened) < Self.minute {
                open.repeats += 1
                open.last = max(open.last, now)
                if open.room != room { open.sameRoom = false }
                minutes[key] = open
                return []
            }
            if let row = Self.closing(key, open) { rows.append(row) }
        }
        minutes[key] = Minute(opened: now, room: room, last: now)
        rows.append(Row(person: person, what: what, room: room, at: now, repeats: nil))
        return rows
    }

    /// Closes the minutes that have run out by `now`: the rows for those that counted repeats.
    mutating func close(now: Date) -> [Row] {
        var rows: [Row] = []
        for (key, open) in minutes where now.timeIntervalSince(open.opened) >= Self.minute {
            minutes.removeValue(forKey: key)
            if let row = Self.closing(key, open) { rows.append(row) }
        }
        return rows.sorted { ($0.at, $0.person.rawValue, $0.what) < ($1.at, $1.person.rawValue, $1.what) }
    }

    /// Closes every minute now (the server stops): the rows for those that counted repeats.
    mutating func closeAll() -> [Row] {
        close(now: .distantFuture)
    }

    private static func closing(_ key: Key, _ minute: Minute) -> Row? {
        guard minute.repeats > 0 else { return nil }
        return Row(person: key.person, what: key.what, room: minute.sameRoom ? minute.room : nil, at: minute.last,
                   repeats: minute.repeats)
    }
}
