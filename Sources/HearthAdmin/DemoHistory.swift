import Foundation
import HearthCore
import HearthStore

/// Gives the demo clinic a past: attendance and check-ins for the demo program's sessions of the last eight days,
/// so `hearthd report attendance` and the session summary have something to show. Deterministic (the same people
/// are late or miss the same sessions every time) and written once per room.
struct DemoHistory {
    let database: HearthDatabase

    init(_ database: HearthDatabase) { self.database = database }

    func seed(window: ChatWindowPolicy, now: Date) throws {
        let attendance = AttendanceStore(database)
        let records = SessionRecords(database)
        let directory = Directory(database)
        let demoSeries = Set(try ScheduleStore(database).allSeries()
            .filter { $0.key.hasPrefix("demo:") && !$0.key.hasSuffix("-now") }.map(\.id))
        let rooms = try ScheduleStore(database).rooms(from: now.addingTimeInterval(-8 * 86400), to: now, defaultWindow: window)
            .filter { demoSeries.contains($0.series) && $0.ends < now }
        for (index, room) in rooms.enumerated() where try !attendance.hasIntervals(room: room.id) {
            for (position, person) in room.roster.sorted().enumerated() {
                let pattern = (index * 7 + position * 3) % 10
                if pattern == 0 { continue } // no-show
                let late = pattern == 1 ? 14.0 * 60 : -2.0 * 60
                let early = pattern == 2 ? 25.0 * 60 : 0
                let arrived = room.starts.addingTimeInterval(late), left = room.ends.addingTimeInterval(-early)
                try attendance.open(room: room.id, person: person, at: arrived)
                if pattern == 3 {
                    // A dropped connection and a reconnect four minutes later.
                    let drop = room.starts.addingTimeInterval(40 * 60)
                    try attendance.close(room: room.id, person: person, at: drop)
                    try attendance.open(room: room.id, person: person, at: drop.addingTimeInterval(240))
                }
                try attendance.close(room: room.id, person: person, at: left)
                if room.kind == .group || room.kind == .relapsePrevention, let record = try directory.person(person) {
                    let weekFactor = Int(now.timeIntervalSince(room.starts) / 86400) / 7
                    try records.record(Checkin(room: room.id, member: record.identity.member,
                                               mood: min(10, 4 + position % 4 + (1 - weekFactor)), craving: max(0, 5 - position % 3 - (1 - weekFactor)),
                                               safe: true, ts: WireTime.timestamp(arrived)), at: arrived)
                }
            }
            for facilitator in room.facilitators {
                try attendance.open(room: room.id, person: facilitator.id, at: room.starts.addingTimeInterval(-600))
                try attendance.close(room: room.id, person: facilitator.id, at: room.ends.addingTimeInterval(300))
            }
        }
    }
}
