import Foundation
import HearthCore
import HearthStore
import Logging
import Synchronization
import Testing

// Shared helpers for the store tests: temporary databases, a small clinic to write messages into, and a box that
// collects a MessageWriter's outcomes.

/// Runs `body` with a new empty folder that is removed afterwards.
func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("hearth-store-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(folder)
}

/// Runs `body` with a freshly created database at `<temporary folder>/h.db`, removed afterwards.
func withTemporaryDatabase<T>(synchronous: SynchronousMode = .full, _ body: (HearthDatabase) throws -> T) throws -> T {
    try withTemporaryFolder { folder throws in
        try body(try HearthDatabase(path: folder + "/h.db", synchronous: synchronous))
    }
}

/// A UTC or offset ISO-8601 time, e.g. `2026-03-02T10:00:00Z`.
func time(_ text: String) throws -> Date {
    try #require(WireTime.parse(text), "not an ISO-8601 time: \(text)")
}

let testLogger = Logger(label: "hearth.store-tests")

/// Two participants, a counselor and two rooms (2026-03-02 and 2026-03-03, 10:00-11:00 UTC) of one daily group.
struct SmallClinic {
    let database: HearthDatabase
    let alex: PersonRecord
    let sam: PersonRecord
    let dana: PersonRecord
    let rooms: [RoomDescriptor]

    init(_ database: HearthDatabase) throws {
        self.database = database
        let directory = Directory(database)
        alex = try directory.addPerson(role: .participant, displayName: "Alex R.", externalKey: "alex")
        sam = try directory.addPerson(role: .participant, displayName: "Sam T.", externalKey: "sam")
        dana = try directory.addPerson(role: .counselor, displayName: "Dana M.", externalKey: "dana")
        let schedule = ScheduleStore(database)
        try schedule.upsertSeries(
            key: "daily-group", title: "Daily group", kind: .group,
            schedule: SessionSchedule(recurrence: .weekly(Set(Weekday.allCases)), start: LocalTime(hour: 10, minute: 0)!,
                                      durationMinutes: 60, timeZone: .gmt),
            roster: [alex.id, sam.id])
        let from = try time("2026-03-02T00:00:00Z"), to = try time("2026-03-04T00:00:00Z")
        try schedule.materializeRooms(from: from, to: to, now: from)
        rooms = try schedule.rooms(from: from, to: to, defaultWindow: .standard)
        try #require(rooms.count == 2)
    }

    /// A message from `sender` tagged with `tag`.
    func pending(_ room: Int, from sender: PersonRecord, _ body: String, clientID: String, tag: Int,
                 sentAt: Date = Date(timeIntervalSince1970: 1_772_445_600.25)) -> PendingMessage<Int> {
        PendingMessage(room: rooms[room].id, sender: sender.identity.member, body: body, clientID: clientID,
                       sentAt: sentAt, tag: tag)
    }
}

/// Collects a writer's outcomes from its thread; `wait(for:)` blocks until that many more have arrived.
final class OutcomeBox: Sendable {
    private let outcomes = Mutex<[WriteOutcome<Int>]>([])
    private let batchSizes = Mutex<[Int]>([])
    private let arrived = DispatchSemaphore(value: 0)

    func receive(_ batch: [WriteOutcome<Int>]) {
        outcomes.withLock { $0.append(contentsOf: batch) }
        batchSizes.withLock { $0.append(batch.count) }
        for _ in batch { arrived.signal() }
    }

    /// Waits for `count` more outcomes. The deadline only keeps a broken writer from hanging the run.
    func wait(for count: Int) throws {
        for _ in 0..<count {
            try #require(arrived.wait(timeout: .now() + 60) == .success, "the writer handed over too few outcomes")
        }
    }

    var all: [WriteOutcome<Int>] { outcomes.withLock { $0 } }
    var batches: [Int] { batchSizes.withLock { $0 } }

    func makeWriter(_ database: HearthDatabase, maxBatch: Int = 1000) -> MessageWriter<Int> {
        MessageWriter(database: database, maxBatch: maxBatch, logger: testLogger) { [self] in receive($0) }
    }
}

extension WriteOutcome {
    /// The stored message when this outcome is a new commit.
    var committed: StoredMessage? {
        if case .committed(let message, _) = self { return message }
        return nil
    }

    /// The original message when this outcome is a duplicate.
    var duplicate: StoredMessage? {
        if case .duplicate(let message, _) = self { return message }
        return nil
    }

    var isFailed: Bool {
        if case .failed = self { return true }
        return false
    }

    var tag: Tag {
        switch self {
        case .committed(_, let tag), .duplicate(_, let tag): tag
        case .failed(let pending, _): pending.tag
        }
    }
}
