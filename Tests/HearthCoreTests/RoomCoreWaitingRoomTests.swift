import Foundation
import HearthCore
import Testing

/// The waiting room: who knocks, who is admitted or not (only once the decision is stored), who leaves.
struct RoomCoreWaitingRoomTests {
    typealias Fixture = RoomCoreTests
    static let jamie = Identity(id: PersonID("p_jamie"), role: .participant, displayName: "Jamie L.")

    /// A family session with a waiting room and nobody in it yet.
    static func room() -> RoomCore {
        let descriptor = RoomDescriptor(id: RoomID("r_family"), series: SeriesID("s_family"), title: "Family", kind: .family,
                                        starts: Fixture.starts, ends: Fixture.starts.addingTimeInterval(3600),
                                        timeZone: Fixture.zone, window: .standard,
                                        roster: [Fixture.alex.id, Fixture.sam.id, jamie.id], admission: .waiting)
        return RoomCore(descriptor: descriptor, deliveredSeq: 0)
    }

    @Test func admittingOnePersonTakesEffectOnlyOnceTheDecisionIsStored() throws {
        var room = Self.room()
        #expect(room.knock(Fixture.alex.member) == true)
        #expect(room.knock(Fixture.sam.member) == true)
        let decision = try room.admit(Fixture.sam.id, by: Fixture.dana.id, now: Fixture.now).get()
        #expect(decision == WaitingRoomDecision(verdict: .admitted, people: [Fixture.sam.member], by: Fixture.dana.id,
                                                at: Fixture.now))
        // Not stored yet: still waiting, not admitted.
        #expect(room.waitingMembers == [Fixture.alex.member, Fixture.sam.member] && room.admitted.isEmpty)
        #expect(room.join(Fixture.sam, alreadyIn: false) == .success(.wait))
        #expect(room.confirm(decision) == [Fixture.sam.member])
        #expect(room.waitingMembers == [Fixture.alex.member] && room.admitted == [Fixture.sam.id])
        // Admitted for the rest of the occurrence: back in at once on reconnecting.
        #expect(room.join(Fixture.sam, alreadyIn: false) == .success(.enter))
        #expect(room.join(Fixture.alex, alreadyIn: false) == .success(.wait))
    }

    @Test func admittingEveryoneGoesInArrivalOrder() throws {
        var room = Self.room()
        _ = room.knock(Fixture.sam.member)
        _ = room.knock(Fixture.alex.member)
        _ = room.knock(Self.jamie.member)
        _ = room.knock(Fixture.alex.member)           // a second tab keeps Alex's place
        // Sam leaves and comes back: to the end of the line.
        #expect(room.leaveWaiting(Fixture.sam.id) == Fixture.sam.member)
        #expect(room.knock(Fixture.sam.member) == true)
        let decision = try room.admit(nil, by: Fixture.dana.id, now: Fixture.now).get()
        #expect(decision.people == [Fixture.alex.member, Self.jamie.member, Fixture.sam.member])
        #expect(room.confirm(decision) == [Fixture.alex.member, Self.jamie.member, Fixture.sam.member])
        #expect(room.waiting.isEmpty && room.admitted == [Fixture.alex.id, Self.jamie.id, Fixture.sam.id])
        // Nobody waiting: admitting everyone decides about nobody.
        #expect(try room.admit(nil, by: Fixture.dana.id, now: Fixture.now).get().people == [])
    }

    @Test func someoneNotWaitingIsNotFound() {
        var room = Self.room()
        _ = room.knock(Fixture.alex.member)
        let admit = room.admit(Fixture.sam.id, by: Fixture.dana.id, now: Fixture.now).failure
        #expect(admit == ProtocolError(.notFound, "p_sam is not in the waiting room."))
        let deny = room.deny(PersonID("p_nobody"), message: nil, by: Fixture.dana.id, now: Fixture.now).failure
        #expect(deny == ProtocolError(.notFound, "p_nobody is not in the waiting room."))
    }

    @Test func denyingTellsThePersonAndDoesNotAdmitThem() throws {
        var room = Self.room()
        _ = room.knock(Fixture.alex.member)
        _ = room.knock(Fixture.sam.member)
        let denied = try room.deny(Fixture.alex.id, message: "  Please call the clinic first.\n", by: Fixture.dana.id,
                                   now: Fixture.now).get()
        #expect(denied.verdict == .denied(message: "Please call the clinic first.") && denied.people == [Fixture.alex.member])
        #expect(room.waitingMembers.count == 2)
        #expect(room.confirm(denied) == [Fixture.alex.member])
        #expect(room.waitingMembers == [Fixture.sam.member] && room.admitted.isEmpty)
        #expect(room.join(Fixture.alex, alreadyIn: false) == .success(.wait))
        // No message, or only spaces: the standard text.
        for message in [nil, "   "] {
            let decision = try room.deny(Fixture.sam.id, message: message, by: Fixture.dana.id, now: Fixture.now).get()
            #expect(decision.verdict == .denied(message: WaitingRoomDecision.deniedMessage))
        }
    }

    @Test func aDecisionStoredAfterThePersonLeftChangesNothingForThem() throws {
        var room = Self.room()
        _ = room.knock(Fixture.alex.member)
        _ = room.knock(Fixture.sam.member)
        let decision = try room.admit(nil, by: Fixture.dana.id, now: Fixture.now).get()
        _ = room.leaveWaiting(Fixture.alex.id)
        #expect(room.confirm(decision) == [Fixture.sam.member])
        #expect(room.admitted == [Fixture.sam.id])
    }

    @Test func aSecondConnectionDoesNotKnockTwiceAndTheLastToLeaveIsHeard() {
        var room = Self.room()
        #expect(room.knock(Fixture.alex.member) == true)
        #expect(room.knock(Fixture.alex.member) == false)
        #expect(room.waiting == [RoomCore.Waiting(member: Fixture.alex.member, connections: 2)])
        // One of two connections leaves: still waiting, staff hear nothing.
        #expect(room.leaveWaiting(Fixture.alex.id) == nil)
        #expect(room.waitingMember(Fixture.alex.id) == Fixture.alex.member)
        // The last one: gone, staff hear `left`.
        #expect(room.leaveWaiting(Fixture.alex.id) == Fixture.alex.member)
        #expect(room.waiting.isEmpty && room.waitingMember(Fixture.alex.id) == nil)
        #expect(room.leaveWaiting(Fixture.alex.id) == nil)
        // Back again: a new knock.
        #expect(room.knock(Fixture.alex.member) == true)
    }
}

/// The group agreement: who must accept it, and an acceptance that counts at once and is withdrawn if not stored.
struct RoomCoreAgreementTests {
    typealias Fixture = RoomCoreTests

    @Test func aSessionWithoutAnAgreementAsksNothing() {
        var room = Fixture.room()
        #expect(room.agreementToAccept(by: Fixture.alex) == nil)
        #expect(room.agree(Fixture.alex.id) == .notRequired)
        #expect(room.agreed.isEmpty)
        #expect(Fixture.code(Fixture.post(&room, Fixture.alex)) == nil)
    }

    @Test func participantsMustAgreeOnceAndStaffNever() {
        var room = Fixture.room(agreement: "Be kind.")
        #expect(room.agreementToAccept(by: Fixture.alex) == "Be kind.")
        #expect(room.agreementToAccept(by: Fixture.dana) == nil)
        #expect(Fixture.code(Fixture.post(&room, Fixture.alex)) == .agreementRequired)
        #expect(Fixture.code(Fixture.post(&room, Fixture.dana)) == nil)
        #expect(room.agree(Fixture.alex.id) == .record)
        // Counts at once: a second `agree` while it is stored stores nothing more.
        #expect(room.agree(Fixture.alex.id) == .alreadyAgreed)
        #expect(room.agreementToAccept(by: Fixture.alex) == nil)
        #expect(Fixture.code(Fixture.post(&room, Fixture.alex)) == nil)
        #expect(room.agreementToAccept(by: Fixture.sam) == "Be kind.")
    }

    @Test func anAcceptanceThatCouldNotBeStoredIsWithdrawn() {
        var room = Fixture.room(agreement: "Be kind.")
        #expect(room.agree(Fixture.alex.id) == .record)
        room.withdrawAgreement(Fixture.alex.id)
        #expect(room.agreementToAccept(by: Fixture.alex) == "Be kind.")
        #expect(Fixture.code(Fixture.post(&room, Fixture.alex)) == .agreementRequired)
        #expect(room.agree(Fixture.alex.id) == .record)
    }

    @Test func anAgreementReadAtLoadCountsAsAccepted() {
        let base = Fixture.room(agreement: "Be kind.")
        let room = RoomCore(descriptor: base.descriptor, deliveredSeq: 0, agreed: [Fixture.sam.id])
        #expect(room.agreementToAccept(by: Fixture.sam) == nil)
        #expect(room.agreementToAccept(by: Fixture.alex) == "Be kind.")
    }
}

/// Departures: a raised hand goes down with the last connection, and the room pauses with its last counselor.
struct RoomCoreDepartureTests {
    typealias Fixture = RoomCoreTests
    static let lee = Identity(id: PersonID("p_lee"), role: .counselor, displayName: "Lee K.")

    @Test func aRaisedHandGoesDownOnlyWithTheLastConnection() throws {
        var room = Fixture.room()
        room.present = [:]
        _ = room.arrive(Fixture.alex.member)
        _ = room.arrive(Fixture.alex.member)
        _ = room.arrive(Fixture.sam.member)
        _ = try room.hand(of: Fixture.alex.member, raised: true).get()
        _ = try room.hand(of: Fixture.sam.member, raised: true).get()
        #expect(room.depart(Fixture.alex.id) == [])
        #expect(room.hands == [Fixture.alex.member, Fixture.sam.member])
        #expect(room.depart(Fixture.alex.id) == [.handsChanged, .left(Fixture.alex.member)])
        #expect(room.hands == [Fixture.sam.member] && room.present[Fixture.alex.id] == nil)
        #expect(room.depart(Fixture.sam.id) == [.handsChanged, .left(Fixture.sam.member)])
        // Without a hand up: only `left`; a room that does not require staff never pauses.
        _ = room.arrive(Fixture.dana.member)
        #expect(room.depart(Fixture.dana.id) == [.left(Fixture.dana.member)])
        #expect(!room.paused)
    }

    @Test func aStaffedRoomPausesWithItsLastCounselorAndResumesWithTheNext() {
        var room = Fixture.room(requiresStaff: true)
        room.present = [:]
        #expect(room.arrive(Fixture.alex.member) == [.joined(Fixture.alex.member)])
        #expect(room.arrive(Fixture.dana.member) == [.joined(Fixture.dana.member), .pausedChanged(false)])
        #expect(room.arrive(Self.lee.member) == [.joined(Self.lee.member)])
        #expect(room.depart(Fixture.dana.id) == [.left(Fixture.dana.member)])
        #expect(!room.paused)
        #expect(room.depart(Self.lee.id) == [.left(Self.lee.member), .pausedChanged(true)])
        #expect(room.paused)
        // A participant leaving a paused room does not change it.
        #expect(room.depart(Fixture.alex.id) == [.left(Fixture.alex.member)])
        #expect(room.arrive(Self.lee.member) == [.joined(Self.lee.member), .pausedChanged(false)])
    }
}

/// Timed mutes run out at their end: `until <= now` has run out (the store keeps `until > now` in force).
struct RoomCoreMuteExpiryTests {
    typealias Fixture = RoomCoreTests
    static let jamie = RoomCoreWaitingRoomTests.jamie

    @Test func aMuteRunsOutExactlyAtItsEndAndUntimedMutesNever() {
        var room = Fixture.room()
        let end = Fixture.now.addingTimeInterval(300)
        room.muted = [Fixture.alex.id: .some(end), Fixture.sam.id: nil,
                      Self.jamie.id: .some(end.addingTimeInterval(60))]
        let justBefore = end.addingTimeInterval(-0.001)
        #expect(room.expireMutes(at: justBefore) == [])
        #expect(room.mute(of: Fixture.alex.id, at: justBefore) == .some(end))
        // At the end itself: run out, for the post check and for the sweep alike.
        #expect(room.mute(of: Fixture.alex.id, at: end) == nil)
        #expect(Fixture.code(Fixture.post(&room, Fixture.alex, at: end)) == nil)
        #expect(room.expireMutes(at: end) == [Fixture.alex.id])
        #expect(room.muted[Fixture.alex.id] == nil)
        #expect(room.expireMutes(at: end) == [])
        // Until unmuted: never runs out.
        let later = end.addingTimeInterval(86400)
        #expect(room.expireMutes(at: later) == [Self.jamie.id])
        #expect(room.muted.count == 1 && room.mute(of: Fixture.sam.id, at: later) == .some(nil))
    }

    @Test func mutesThatRanOutTogetherComeEarliestEndFirst() {
        var room = Fixture.room()
        room.muted = [Fixture.alex.id: .some(Fixture.now.addingTimeInterval(20)),
                      Fixture.sam.id: .some(Fixture.now.addingTimeInterval(10)),
                      Self.jamie.id: .some(Fixture.now.addingTimeInterval(10))]
        #expect(room.expireMutes(at: Fixture.now.addingTimeInterval(30)) == [Self.jamie.id, Fixture.sam.id, Fixture.alex.id])
        #expect(room.muted.isEmpty)
    }
}
