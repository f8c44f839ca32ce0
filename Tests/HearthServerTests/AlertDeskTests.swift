import Foundation
import HearthCore
@testable import HearthServer
import HearthStore
import Testing

/// The hub's alert bookkeeping without a server: when an unacknowledged alert is escalated, how repeats coalesce into
/// at most one frame a second, what an acknowledgement or a failed escalation changes, how the replay after a staff
/// `welcome` is cut, and who may receive and acknowledge an alert. Both clocks are passed in.
@Suite struct AlertDeskTests {
    static let raised = Date(timeIntervalSince1970: 1_795_485_600)
    static let start = ContinuousClock.now
    static let alex = Identity(id: PersonID("p_alex"), role: .participant, displayName: "Alex R.")
    static let dana = Identity(id: PersonID("p_dana"), role: .counselor, displayName: "Dana M.")
    static let jordan = Identity(id: PersonID("p_jordan"), role: .admin, displayName: "Jordan K.")

    static func room(_ kind: SessionKind, facilitators: [Identity] = []) -> RoomDescriptor {
        RoomDescriptor(id: RoomID("r_\(kind.rawValue)"), series: SeriesID("s_1"), title: "Session", kind: kind,
                       starts: raised, ends: raised.addingTimeInterval(3600), timeZone: TimeZone(identifier: "UTC")!,
                       window: .standard, roster: [alex.id], facilitators: facilitators.map(\.member))
    }

    /// An alert of Alex's in a group room, raised `ts`, standing for `signals` signals.
    static func alert(_ id: Int64, ts: Date = raised, signals: Int = 1, latest: Date? = nil,
                      escalated: Bool? = nil) -> Alert {
        Alert(id: id, room: room(.group).id, member: alex.member, severity: .high, category: .notSafe,
              ts: WireTime.timestamp(ts), escalated: escalated, count: signals > 1 ? signals : nil,
              latest: latest.map(WireTime.timestamp))
    }

    static func opened(_ id: Int64) -> AlertSignal {
        AlertSignal(alert: alert(id), opened: true, severityRaised: false)
    }

    static func repeated(_ id: Int64, signals: Int, severityRaised: Bool = false) -> AlertSignal {
        AlertSignal(alert: alert(id, signals: signals), opened: false, severityRaised: severityRaised)
    }

    // MARK: Escalation

    @Test func anUnacknowledgedAlertIsDueForEscalationOnceItsDelayHasPassedAndOnlyOnce() {
        var desk = AlertDesk(escalationSeconds: 300)
        #expect(desk.signalled(Self.opened(1), room: Self.room(.group), now: Self.raised, at: Self.start) == true)
        #expect(desk.isWatched(1))
        #expect(desk.dueForEscalation(at: Self.raised.addingTimeInterval(299)) == [])
        #expect(desk.dueForEscalation(at: Self.raised.addingTimeInterval(300)) == [1])
        #expect(!desk.isWatched(1) && desk.unescalatedCount == 1)
        desk.escalated(1)
        #expect(desk.unescalatedCount == 0)
        #expect(desk.dueForEscalation(at: Self.raised.addingTimeInterval(3600)) == [])
    }

    @Test func alertsDueTogetherAreEscalatedInIdOrderAndARepeatKeepsTheFirstSignalsTime() {
        var desk = AlertDesk(escalationSeconds: 60)
        let room = Self.room(.group)
        _ = desk.signalled(Self.opened(7), room: room, now: Self.raised, at: Self.start)
        _ = desk.signalled(Self.opened(3), room: room, now: Self.raised.addingTimeInterval(10), at: Self.start)
        // A repeat 50 s later does not restart alert 7's time.
        _ = desk.signalled(Self.repeated(7, signals: 2), room: room, now: Self.raised.addingTimeInterval(50),
                           at: Self.start + .seconds(50))
        #expect(desk.dueForEscalation(at: Self.raised.addingTimeInterval(60)) == [7])
        #expect(desk.dueForEscalation(at: Self.raised.addingTimeInterval(70)) == [3])
    }

    @Test func anAcknowledgedAlertIsNeverEscalated() {
        var desk = AlertDesk(escalationSeconds: 60)
        _ = desk.signalled(Self.opened(1), room: Self.room(.group), now: Self.raised, at: Self.start)
        desk.acknowledged([1])
        #expect(!desk.isWatched(1))
        #expect(desk.dueForEscalation(at: Self.raised.addingTimeInterval(600)) == [])
    }

    @Test func aFailedEscalationIsTriedAgainUnlessTheAlertWasAcknowledgedMeanwhile() {
        var desk = AlertDesk(escalationSeconds: 60)
        let room = Self.room(.group)
        _ = desk.signalled(Self.opened(1), room: room, now: Self.raised, at: Self.start)
        _ = desk.signalled(Self.opened(2), room: room, now: Self.raised, at: Self.start)
        let later = Self.raised.addingTimeInterval(61)
        #expect(desk.dueForEscalation(at: later) == [1, 2])
        // While both escalations are being recorded, alert 2 is acknowledged; then both records fail.
        desk.acknowledged([2])
        desk.escalationFailed(1)
        desk.escalationFailed(2)
        #expect(desk.dueForEscalation(at: later.addingTimeInterval(1)) == [1])
    }

    @Test func alertsLeftOpenByAnEarlierRunAreWatchedFromWhenTheyWereRaisedUnlessAlreadyEscalated() {
        var desk = AlertDesk(escalationSeconds: 300)
        let now = Self.raised.addingTimeInterval(200)
        desk.restore([Self.alert(1), Self.alert(2, escalated: true), Self.alert(3, ts: now)], now: now)
        #expect(desk.isWatched(1) && !desk.isWatched(2) && desk.isWatched(3))
        #expect(desk.dueForEscalation(at: Self.raised.addingTimeInterval(300)) == [1])
        #expect(desk.dueForEscalation(at: now.addingTimeInterval(300)) == [3])
    }

    // MARK: Coalescing

    @Test func repeatsWithinASecondWaitAndOnlyTheLatestGoesOutWhenTheSecondHasPassed() {
        var desk = AlertDesk(escalationSeconds: 300)
        let room = Self.room(.group), t0 = Self.start
        #expect(desk.signalled(Self.opened(1), after: .zero) == true)
        desk.sent(1, at: t0)
        #expect(desk.signalled(Self.repeated(1, signals: 2), after: .milliseconds(100)) == false)
        #expect(desk.signalled(Self.repeated(1, signals: 3), after: .milliseconds(500)) == false)
        #expect(desk.waitingCount == 1)
        #expect(desk.dueUpdates(at: t0 + .milliseconds(999)).isEmpty)
        let due = desk.dueUpdates(at: t0 + .seconds(1))
        #expect(due.map(\.alert.signals) == [3])
        #expect(due.map(\.room) == [room])
        #expect(desk.waitingCount == 0)
        #expect(desk.dueUpdates(at: t0 + .seconds(5)).isEmpty)
    }

    @Test func aRepeatAfterAQuietSecondOrOneThatRaisesTheSeverityGoesOutAtOnce() {
        var desk = AlertDesk(escalationSeconds: 300)
        let t0 = Self.start
        _ = desk.signalled(Self.opened(1), after: .zero)
        desk.sent(1, at: t0)
        #expect(desk.signalled(Self.repeated(1, signals: 2), after: .seconds(1)) == true)
        desk.sent(1, at: t0 + .seconds(1))
        #expect(desk.signalled(Self.repeated(1, signals: 3), after: .milliseconds(1200)) == false)
        // A severity raised does not wait; its frame replaces the update that waited.
        #expect(desk.signalled(Self.repeated(1, signals: 4, severityRaised: true), after: .milliseconds(1300)) == true)
        desk.sent(1, at: t0 + .milliseconds(1300))
        #expect(desk.waitingCount == 0)
        #expect(desk.dueUpdates(at: t0 + .seconds(3)).isEmpty)
    }

    @Test func aFrameSentForAnotherReasonDropsTheWaitingUpdateAndRestartsTheSecond() {
        var desk = AlertDesk(escalationSeconds: 300)
        let t0 = Self.start
        _ = desk.signalled(Self.opened(1), after: .zero)
        desk.sent(1, at: t0)
        #expect(desk.signalled(Self.repeated(1, signals: 2), after: .milliseconds(200)) == false)
        // The acknowledgement's (or escalation's) frame carries the latest state.
        desk.sent(1, at: t0 + .milliseconds(600))
        #expect(desk.waitingCount == 0)
        #expect(desk.signalled(Self.repeated(1, signals: 3), after: .milliseconds(1500)) == false)
        #expect(desk.dueUpdates(at: t0 + .milliseconds(1599)).isEmpty)
        #expect(desk.dueUpdates(at: t0 + .milliseconds(1600)).map(\.alert.signals) == [3])
    }

    @Test func updatesOfSeveralAlertsComeOutInIdOrder() {
        var desk = AlertDesk(escalationSeconds: 300)
        let t0 = Self.start
        for id: Int64 in [9, 4, 6] {
            _ = desk.signalled(Self.opened(id), after: .zero)
            desk.sent(id, at: t0)
            _ = desk.signalled(Self.repeated(id, signals: 2), after: .milliseconds(10))
        }
        #expect(desk.dueUpdates(at: t0 + .seconds(1)).map(\.alert.id) == [4, 6, 9])
    }

    // MARK: The replay after welcome

    @Test func theReplayCarriesEveryOpenAlertUpToTheLimit() {
        let open = (1...3).map { Self.alert(Int64($0), ts: Self.raised.addingTimeInterval(Double($0))) }
        let replay = AlertDesk.replay(open, limit: 3)
        #expect(replay.alerts == open && replay.backlog == nil)
    }

    @Test func pastTheLimitTheReplayKeepsTheMostRecentlySignalledOldestFirstAndCountsTheRest() {
        // Alert 1 is the oldest but was signalled again last; alert 2 is the oldest left out.
        let open = [
            Self.alert(1, ts: Self.raised, signals: 2, latest: Self.raised.addingTimeInterval(100)),
            Self.alert(2, ts: Self.raised.addingTimeInterval(1)),
            Self.alert(3, ts: Self.raised.addingTimeInterval(2)),
            Self.alert(4, ts: Self.raised.addingTimeInterval(3)),
        ]
        let replay = AlertDesk.replay(open, limit: 2)
        #expect(replay.alerts.map(\.id) == [1, 4])
        #expect(replay.backlog == ServerFrame.AlertBacklog(replayed: 2, more: 2, oldest: open[1].ts))
    }

    // MARK: Who may receive and acknowledge

    @Test func staffWhoMayOpenTheRoomReceiveAnAlertAndParticipantsNever() {
        let individual = Self.room(.individual, facilitators: [Self.jordan])
        #expect(AlertDesk.mayReceive(Self.dana, of: Self.room(.group)))
        #expect(!AlertDesk.mayReceive(Self.dana, of: individual))
        #expect(AlertDesk.mayReceive(Self.jordan, of: individual))
        #expect(!AlertDesk.mayReceive(Self.alex, of: Self.room(.group)))
        // A room that cannot be found: every staff member.
        #expect(AlertDesk.mayReceive(Self.dana, of: nil))
        #expect(!AlertDesk.mayReceive(Self.alex, of: nil))
    }

    @Test func onlyAnAdminWhoBrokeTheGlassIntoARoomAcknowledgesItsAlertsThroughIt() {
        let individual = Self.room(.individual, facilitators: [Self.dana])
        let admin = Identity(id: PersonID("p_pat"), role: .admin, displayName: "Pat A.")
        #expect(AlertDesk.mayAcknowledge(Self.dana, of: individual, breakGlass: []))
        #expect(!AlertDesk.mayAcknowledge(admin, of: individual, breakGlass: []))
        #expect(AlertDesk.mayAcknowledge(admin, of: individual, breakGlass: [individual.id]))
        #expect(!AlertDesk.mayAcknowledge(Self.alex, of: Self.room(.group), breakGlass: []))
    }
}

extension AlertDesk {
    /// `signalled` for an alert of the group room, raised at `AlertDeskTests.raised`, `offset` after the test's start
    /// on the monotonic clock.
    fileprivate mutating func signalled(_ signal: AlertSignal, after offset: Duration) -> Bool {
        signalled(signal, room: AlertDeskTests.room(.group), now: AlertDeskTests.raised,
                  at: AlertDeskTests.start + offset)
    }
}
