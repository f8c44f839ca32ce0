import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// What both test servers offer: `TestServer` (sockets) and `InMemoryHub` (no sockets), each over a fresh database
/// seeded with `TestClinic` and a clock the test moves.
protocol ClinicServer: AnyObject {
    associatedtype Connection: TestConnection

    var clock: TestClock { get }
    var database: HearthDatabase { get }
    var clinic: TestClinic { get }

    /// Connects and says hello.
    func connect(_ token: String) async throws -> (Connection, ServerFrame.Welcome)
}

extension TestServer: ClinicServer {}

extension InMemoryHub: ClinicServer {}

extension ClinicServer {
    /// Connects, says hello and joins a room.
    func joined(_ token: String, _ room: RoomDescriptor, afterSeq: Int64? = nil) async throws
        -> (Connection, ServerFrame.Joined) {
        let (connection, _) = try await connect(token)
        return (connection, try await connection.join(room.id, afterSeq: afterSeq))
    }

    /// Adds a one-off session running now (by default started 30 minutes ago, 3 hours long) and returns its room.
    func addRoom(_ key: String, title: String = "Session", kind: SessionKind = .group, roster: Roster,
                 admission: Admission = .auto, requiresStaff: Bool = false, agreement: String? = nil,
                 facilitators: [PersonID] = [], startedMinutesAgo: Double = 30, minutes: Int = 180) throws
        -> RoomDescriptor {
        let now = clock.now
        let store = ScheduleStore(database)
        let schedule = TestClinic.once(now.addingTimeInterval(-startedMinutesAgo * 60), minutes: minutes)
        let series = try store.upsertSeries(.init(key: key, title: title, kind: kind, schedule: schedule, roster: roster,
                                                  facilitators: facilitators, admission: admission,
                                                  requiresStaff: requiresStaff, agreement: agreement), now: now)
        try store.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(2 * 86400), now: now)
        return try #require(try store.rooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(2 * 86400),
                                            defaultWindow: .standard).first { $0.series == series.id })
    }

    /// Alex's family session with a waiting room, led by the clinic's counselor.
    func familyWaitingRoom() throws -> RoomDescriptor {
        try addRoom("family-waiting", title: "Family therapy: Alex R.", kind: .family,
                    roster: .family(clinic.alex.0.id), admission: .waiting, facilitators: [clinic.counselor.0.id])
    }
}
