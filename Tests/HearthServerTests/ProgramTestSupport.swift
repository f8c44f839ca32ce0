import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

extension TestServer {
    /// Adds a one-off session running now (by default started 30 minutes ago, 3 hours long) and returns its room.
    func addRoom(_ key: String, title: String = "Session", kind: SessionKind = .group, roster: Roster,
                 admission: Admission = .auto, requiresStaff: Bool = false, agreement: String? = nil,
                 facilitators: [PersonID] = [], startedMinutesAgo: Double = 30, minutes: Int = 180) throws -> RoomDescriptor {
        let zone = TestClinic.zone
        let starts = clock.now.addingTimeInterval(-startedMinutesAgo * 60)
        let local = Calendar.gregorian(in: zone).dateComponents([.hour, .minute], from: starts)
        let schedule = SessionSchedule(recurrence: .once(LocalDate(starts, in: zone)),
                                       start: LocalTime(hour: local.hour!, minute: local.minute!)!,
                                       durationMinutes: minutes, timeZone: zone)
        let store = ScheduleStore(database)
        let series = try store.upsertSeries(.init(key: key, title: title, kind: kind, schedule: schedule, roster: roster,
                                                  facilitators: facilitators, admission: admission,
                                                  requiresStaff: requiresStaff, agreement: agreement), now: clock.now)
        try store.materializeRooms(from: clock.now.addingTimeInterval(-86400), to: clock.now.addingTimeInterval(2 * 86400),
                                   now: clock.now)
        return try #require(try store.rooms(from: clock.now.addingTimeInterval(-86400), to: clock.now.addingTimeInterval(2 * 86400),
                                            defaultWindow: .standard).first { $0.series == series.id })
    }
}

extension HearthConnection {
    /// Waits for the first frame `match` accepts, skipping others.
    func expect<T>(_ what: String, timeout: Duration = .seconds(5), _ match: (ServerFrame) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw HearthClientError.timedOut(waitingFor: what) }
            if let found = match(try await next(timeout: remaining)) { return found }
        }
    }

    func knock(_ state: ServerFrame.KnockState) async throws -> ServerFrame.Knock {
        try await expect("knock \(state.rawValue)") { frame in
            if case .knock(let knock) = frame, knock.state == state { return knock }
            return nil
        }
    }

    func joinedFrame() async throws -> ServerFrame.Joined {
        try await expect("joined") { frame in
            if case .joined(let joined) = frame { return joined }
            return nil
        }
    }

    func alertFrame() async throws -> Alert {
        try await expect("alert") { frame in
            if case .alert(let alert) = frame { return alert.alert }
            return nil
        }
    }

    /// Sends a request and returns every frame up to and including its reply (`request` drops the ones before).
    func requestKeepingFrames(_ command: ClientCommand, timeout: Duration = .seconds(5)) async throws -> [ServerFrame] {
        let ref = makeRef()
        send(ClientRequest(command, ref: ref))
        var frames: [ServerFrame] = []
        let deadline = ContinuousClock.now + timeout
        while true {
            let frame = try await next(timeout: deadline - ContinuousClock.now)
            frames.append(frame)
            if frame.ref == ref { return frames }
        }
    }

    /// The error code of a request's reply, or nil when it succeeded.
    func refusalCode(_ command: ClientCommand) async throws -> ErrorCode? {
        if case .error(let error) = try await request(command) { return error.code }
        return nil
    }
}
