import Foundation
import HearthCore
@testable import HearthServer
import HearthTransport
import Testing

/// When the hub checks access again, without a server: the once-a-second access-version read (one at a time; a moved
/// version or the re-check interval asks for a re-check; a failed read keeps the version and tells `/healthz`), each
/// connection's due time, one re-check at a time, and who a re-check looks at. Both clocks are passed in.
@Suite struct AccessChecksTests {
    static let start = ContinuousClock.now
    static let now = Date(timeIntervalSince1970: 1_795_485_600)

    @Test func aMovedAccessVersionAsksForARecheckAndAnUnchangedOneOnlyOnceTheIntervalHasPassed() {
        var checks = AccessChecks(version: 7, recheckSeconds: 15, at: Self.start)
        let t1 = Self.start + .seconds(1)
        #expect(checks.startVersionRead(at: t1) == true)
        #expect(checks.versionRead(7, startedAt: t1) == false)
        let t2 = Self.start + .seconds(2)
        #expect(checks.startVersionRead(at: t2) == true)
        #expect(checks.versionRead(8, startedAt: t2) == true)
        #expect(checks.version == 8)
        // Unchanged: not until 15 s after the last re-check it asked for.
        let early = t2 + .seconds(14)
        #expect(checks.startVersionRead(at: early) == true)
        #expect(checks.versionRead(8, startedAt: early) == false)
        let due = t2 + .seconds(15)
        #expect(checks.startVersionRead(at: due) == true)
        #expect(checks.versionRead(8, startedAt: due) == true)
    }

    @Test func oneVersionReadAtATimeAndOneWaitingTooLongMakesTheStoreUnanswering() {
        var checks = AccessChecks(version: 1, recheckSeconds: 15, at: Self.start)
        #expect(checks.storeAnswers(at: Self.start))
        #expect(checks.startVersionRead(at: Self.start) == true)
        #expect(checks.startVersionRead(at: Self.start + .seconds(1)) == false)
        #expect(checks.storeAnswers(at: Self.start + .seconds(5)))
        #expect(!checks.storeAnswers(at: Self.start + .milliseconds(5001)))
        #expect(checks.versionRead(1, startedAt: Self.start) == false)
        #expect(checks.storeAnswers(at: Self.start + .seconds(6)))
    }

    @Test func aFailedReadKeepsTheVersionAndTheStoreAnswersAgainOnceAReadSucceeds() {
        var checks = AccessChecks(version: nil, recheckSeconds: 15, at: Self.start)
        #expect(!checks.storeAnswers(at: Self.start))
        #expect(checks.version == 0)
        _ = checks.startVersionRead(at: Self.start)
        #expect(checks.versionRead(4, startedAt: Self.start) == true)
        #expect(checks.storeAnswers(at: Self.start))
        let t1 = Self.start + .seconds(1)
        _ = checks.startVersionRead(at: t1)
        #expect(checks.versionRead(nil, startedAt: t1) == false)
        #expect(checks.version == 4 && !checks.storeAnswers(at: t1))
        // A failed read still lets the interval's re-check run.
        let late = Self.start + .seconds(15)
        _ = checks.startVersionRead(at: late)
        #expect(checks.versionRead(nil, startedAt: late) == true)
        #expect(checks.version == 4)
    }

    @Test func aSignInReadAtAnOlderVersionThanTheOneActedOnIsReadAgain() {
        let checks = AccessChecks(version: 9, recheckSeconds: 15, at: Self.start)
        #expect(!checks.isCurrent(readAt: 8))
        #expect(checks.isCurrent(readAt: 9) && checks.isCurrent(readAt: 10))
    }

    @Test func aConnectionWhoseAccessMayHaveEndedMakesOneRecheckAndIsForgottenOnceClosed() {
        var checks = AccessChecks(version: 1, recheckSeconds: 15, at: Self.start)
        let (a, b, c) = (ConnectionID(1), ConnectionID(2), ConnectionID(3))
        checks.setDue(Self.now.addingTimeInterval(60), for: a)
        checks.setDue(Self.now.addingTimeInterval(120), for: b)
        checks.setDue(Self.now.addingTimeInterval(30), for: c)
        checks.forget(c)
        #expect(checks.takeDue(at: Self.now.addingTimeInterval(59)) == false)
        #expect(checks.takeDue(at: Self.now.addingTimeInterval(60)) == true)
        #expect(checks.dueDate(of: a) == nil && checks.dueDate(of: b) == Self.now.addingTimeInterval(120))
        #expect(checks.takeDue(at: Self.now.addingTimeInterval(61)) == false)
        // The re-check sets the next due time; nil when none is foreseen.
        checks.setDue(nil, for: b)
        #expect(checks.takeDue(at: Self.now.addingTimeInterval(3600)) == false)
    }

    @Test func aRecheckAskedForWhileOneRunsFollowsItOnce() {
        var checks = AccessChecks(version: 1, recheckSeconds: 15, at: Self.start)
        #expect(checks.startRecheck() == true)
        #expect(checks.startRecheck() == false)
        #expect(checks.startRecheck() == false)
        #expect(checks.finishRecheck() == true)
        #expect(checks.startRecheck() == true)
        #expect(checks.finishRecheck() == false)
        #expect(checks.startRecheck() == true)
    }

    @Test func aRecheckLooksAtSignedInConnectionsAndTheirRoomsButNotBreakGlassOnesAndAtStaffedMultiFamilyRooms() {
        let alex = Identity(id: PersonID("p_alex"), role: .participant, displayName: "Alex R.")
        let jordan = Identity(id: PersonID("p_jordan"), role: .admin, displayName: "Jordan K.")
        func room(_ id: String, _ kind: SessionKind) -> LiveRoom {
            LiveRoom(descriptor: RoomDescriptor(id: RoomID(id), series: SeriesID("s_\(id)"), title: id, kind: kind,
                                                starts: Self.now, ends: Self.now.addingTimeInterval(3600),
                                                timeZone: TimeZone(identifier: "UTC")!, window: .standard,
                                                roster: [alex.id]),
                     deliveredSeq: 0, admitted: [], agreed: [])
        }
        let (group, family, staffed, empty) = (room("r_group", .group), room("r_family", .family),
                                               room("r_mf", .multiFamily), room("r_mf_empty", .multiFamily))
        let participant = Connection(id: ConnectionID(1), openedAt: Self.start)
        participant.identity = alex
        participant.tokenHash = Data([1])
        participant.rooms = [group.descriptor.id]
        participant.waitingRooms = [family.descriptor.id]
        participant.entering = [staffed.descriptor.id: Entering(attempt: 1, snapshot: nil)]
        let admin = Connection(id: ConnectionID(2), openedAt: Self.start)
        admin.identity = jordan
        admin.tokenHash = Data([2])
        admin.rooms = [staffed.descriptor.id, group.descriptor.id]
        admin.breakGlass = [group.descriptor.id]
        let notSignedIn = Connection(id: ConnectionID(3), openedAt: Self.start)
        let closing = Connection(id: ConnectionID(4), openedAt: Self.start)
        closing.identity = alex
        closing.tokenHash = Data([1])
        closing.closing = true
        staffed.connections = [admin.id]
        empty.connections = [participant.id]
        let connections = Dictionary(uniqueKeysWithValues: [participant, admin, notSignedIn, closing].map { ($0.id, $0) })
        let rooms = Dictionary(uniqueKeysWithValues: [group, family, staffed, empty].map { ($0.descriptor.id, $0) })

        let input = AccessChecks.input(connections: connections, rooms: rooms)
        let entries = Dictionary(uniqueKeysWithValues: input.entries.map { ($0.connectionID, $0) })
        #expect(Set(entries.keys) == [participant.id, admin.id])
        #expect(Set(entries[participant.id]?.rooms ?? []) == [group.descriptor.id, family.descriptor.id,
                                                               staffed.descriptor.id])
        #expect(entries[participant.id]?.tokenHash == Data([1]) && entries[participant.id]?.identity == alex)
        #expect(entries[admin.id]?.rooms == [staffed.descriptor.id])
        #expect(Set(input.liveRooms) == Set(rooms.keys))
        #expect(input.multiFamilyRooms.map(\.id) == [staffed.descriptor.id])
    }
}
