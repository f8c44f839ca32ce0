import Foundation
import HearthCore
import Testing

/// The room core's rules, without sockets, a database or a clock: every decision given `now`.
struct RoomCoreTests {
    static let zone = TimeZone(identifier: "America/Los_Angeles")!
    static let starts = Date(timeIntervalSince1970: 1_795_485_600)   // Monday 2026-11-23 18:00 PST
    static let now = starts.addingTimeInterval(600)
    static let alex = Identity(id: PersonID("p_alex"), role: .participant, displayName: "Alex R.")
    static let sam = Identity(id: PersonID("p_sam"), role: .participant, displayName: "Sam T.")
    static let dana = Identity(id: PersonID("p_dana"), role: .counselor, displayName: "Dana M.")
    static let limits = MessageLimits()

    static func room(kind: SessionKind = .group, requiresStaff: Bool = false, agreement: String? = nil) -> RoomCore {
        let descriptor = RoomDescriptor(id: RoomID("r_group"), series: SeriesID("s_group"), title: "Group therapy",
                                        kind: kind, starts: starts, ends: starts.addingTimeInterval(3 * 3600),
                                        timeZone: zone, window: .standard, roster: [alex.id, sam.id],
                                        requiresStaff: requiresStaff, agreement: agreement)
        var room = RoomCore(descriptor: descriptor, deliveredSeq: 0)
        for person in [alex, sam, dana] { room.present[person.id] = .init(member: person.member, connections: 1) }
        return room
    }

    /// A post with no crisis signal and room in the writer.
    static func post(_ room: inout RoomCore, _ sender: Identity, _ body: String = "hello", to recipient: Recipient? = nil,
                     announce: Bool = false, at time: Date = now, writer: WriterRoom = .available,
                     scan: (String) -> CrisisMatch? = { _ in nil }) -> Result<AcceptedPost, PostRefusal> {
        room.post(PostRequest(sender: sender, body: body, recipient: recipient, announce: announce), now: time,
                  limits: limits, writer: writer, holdHighSeverity: true, scan: scan)
    }

    static func code(_ result: Result<AcceptedPost, PostRefusal>) -> ErrorCode? {
        if case .failure(let refusal) = result { return refusal.error.code }
        return nil
    }

    @Test func aParticipantPostsToTheRoomAndStaffAnnounceAndWhisper() throws {
        var room = Self.room()
        #expect(try Self.post(&room, Self.alex).get() == AcceptedPost(kind: .chat, to: nil, held: false, crisis: nil))
        #expect(try Self.post(&room, Self.alex, to: .staff).get().kind == .private)
        #expect(try Self.post(&room, Self.dana, announce: true).get().kind == .announcement)
        let whisper = try Self.post(&room, Self.dana, to: .member(Self.sam.id)).get()
        #expect(whisper.kind == .whisper && whisper.to == Self.sam.member)
        // A participant may not announce or whisper: refused, and recorded as a refused staff-only request.
        guard case .failure(let refusal) = Self.post(&room, Self.alex, announce: true) else { Issue.record("announce"); return }
        #expect(refusal.error.code == .forbidden && refusal.note == .staffOnly(what: "send announce"))
        #expect(Self.code(Self.post(&room, Self.dana, to: .member(PersonID("p_nobody")))) == .badRequest)
    }

    @Test func closedWindowEndedAndBreakGlassRefuseInTheProtocolsOrder() {
        var room = Self.room()
        guard case .failure(let closed) = Self.post(&room, Self.alex, at: Self.starts.addingTimeInterval(-3600)) else {
            Issue.record("before the window"); return
        }
        #expect(closed.error.code == .roomClosed && closed.note == .roomClosed)
        room.control.endedAt = Self.now
        #expect(Self.code(Self.post(&room, Self.alex)) == .ended)
        let outsider = Identity(id: PersonID("p_pat"), role: .participant, displayName: "Pat O.")
        #expect(Self.code(Self.post(&room, outsider)) == .forbidden)
    }

    @Test func muteRoundAgreementAndPauseStopAParticipantButNotAPrivateQuestion() {
        var room = Self.room(requiresStaff: true, agreement: "Be kind.")
        room.agreed = [Self.alex.id, Self.sam.id]
        room.muted[Self.alex.id] = .some(Self.now.addingTimeInterval(90))
        guard case .failure(let muted) = Self.post(&room, Self.alex) else { Issue.record("muted"); return }
        #expect(muted.error.code == .muted && muted.error.message.contains("for 2 more min"))
        #expect(Self.code(Self.post(&room, Self.alex, to: .staff)) == nil)
        // The mute runs out on its own.
        #expect(Self.code(Self.post(&room, Self.alex, at: Self.now.addingTimeInterval(91))) == nil)
        room.muted = [:]
        room.round = ([Self.sam.member, Self.alex.member], 0)
        #expect(Self.code(Self.post(&room, Self.alex)) == .notYourTurn)
        #expect(Self.code(Self.post(&room, Self.sam)) == nil)
        room.round = nil
        room.agreed = []
        #expect(Self.code(Self.post(&room, Self.alex)) == .agreementRequired)
        room.agreed = [Self.alex.id]
        room.present.removeValue(forKey: Self.dana.id)
        #expect(room.paused)
        #expect(Self.code(Self.post(&room, Self.alex)) == .noStaff)
        #expect(Self.code(Self.post(&room, Self.dana)) == nil)
    }

    @Test func slowModeCountsFromTheLastChatAndStaffAreExempt() {
        var room = Self.room()
        _ = room.moderate(.slow(seconds: 30), by: Self.dana.member, target: nil, now: Self.now)
        #expect(Self.code(Self.post(&room, Self.alex)) == nil)
        guard case .failure(let wait) = Self.post(&room, Self.alex, at: Self.now.addingTimeInterval(10)) else {
            Issue.record("slow mode"); return
        }
        #expect(wait.error.code == .rateLimited && wait.error.retryAfter == 20 && wait.note == .slowMode)
        #expect(Self.code(Self.post(&room, Self.alex, to: .staff, at: Self.now.addingTimeInterval(10))) == nil)
        #expect(Self.code(Self.post(&room, Self.dana, at: Self.now.addingTimeInterval(10))) == nil)
        #expect(Self.code(Self.post(&room, Self.alex, at: Self.now.addingTimeInterval(30))) == nil)
        // Turning it off (or changing it) forgets the times.
        _ = room.moderate(.slow(seconds: 0), by: Self.dana.member, target: nil, now: Self.now)
        #expect(room.lastPost.isEmpty)
    }

    @Test func reviewModeAndHighSeverityHoldOnlyChatAndTheScanGoesWithThePost() throws {
        var room = Self.room()
        let high = CrisisMatch(severity: .high, category: .suicide)
        let held = try Self.post(&room, Self.alex, "I want to die", scan: { _ in high }).get()
        #expect(held.held && held.crisis == high)
        _ = room.moderate(.review(on: true), by: Self.dana.member, target: nil, now: Self.now)
        #expect(try Self.post(&room, Self.sam, "fine").get().held)
        #expect(try !Self.post(&room, Self.sam, "a question", to: .staff).get().held)
        #expect(try !Self.post(&room, Self.dana, "staff are never held").get().held)
    }

    @Test func aFullWriterRefusesBusyButKeepsItsReserveForAParticipantsCrisis() throws {
        var room = Self.room()
        let crisis = CrisisMatch(severity: .high, category: .suicide)
        guard case .failure(let full) = Self.post(&room, Self.alex, writer: .full, scan: { _ in crisis }) else {
            Issue.record("full"); return
        }
        #expect(full.error == .busy && full.note == .writerFull)
        #expect(try Self.post(&room, Self.alex, writer: .crisisReserveOnly, scan: { _ in crisis }).get().crisis == crisis)
        #expect(Self.code(Self.post(&room, Self.sam, writer: .crisisReserveOnly)) == .internal)
        #expect(Self.code(Self.post(&room, Self.dana, writer: .crisisReserveOnly, scan: { _ in crisis })) == .internal)
        // A bad body is refused for what it is before the writer is considered.
        #expect(Self.code(Self.post(&room, Self.alex, "   ", writer: .full)) == .badRequest)
    }

    @Test func muteRemoveBanAndUnbanChangeTheStateAndAskForOneRecordEach() throws {
        var room = Self.room()
        room.hands = [Self.sam.member]
        let mute = try room.moderate(.mute(member: Self.alex.id, minutes: 5, reason: "cool down"), by: Self.dana.member,
                                     target: Self.alex.member, now: Self.now).get()
        let until = Self.now.addingTimeInterval(300)
        #expect(mute.first == .restrict(.mute, Self.alex.member, until: until, reason: "cool down"))
        #expect(room.mute(of: Self.alex.id, at: Self.now) == .some(until))
        guard case .announce(let frame, .staffAnd(Self.alex.id)) = mute[1] else { Issue.record("mute announce"); return }
        #expect(frame.until == WireTime.timestamp(until) && frame.reason == "cool down")
        let removal = try room.moderate(.remove(member: Self.sam.id, reason: nil), by: Self.dana.member,
                                        target: Self.sam.member, now: Self.now).get()
        #expect(room.removed == [Self.sam.id] && room.hands.isEmpty)
        #expect(removal.last == .evict(Self.sam.id))
        _ = room.moderate(.ban(member: Self.alex.id, reason: "threats"), by: Self.dana.member, target: Self.alex.member, now: Self.now)
        #expect(room.banned == [Self.alex.id])
        let unban = try room.moderate(.unban(member: Self.alex.id), by: Self.dana.member, target: Self.alex.member, now: Self.now).get()
        #expect(room.banned.isEmpty && unban.first == .lift(.ban, Self.alex.member))
        // Staff are never the target; an unknown member is not found.
        #expect(room.moderate(.mute(member: Self.dana.id, minutes: nil, reason: nil), by: Self.dana.member,
                              target: Self.dana.member, now: Self.now).failure?.code == .badRequest)
        #expect(room.moderate(.unmute(member: PersonID("p_x")), by: Self.dana.member, target: nil, now: Self.now).failure?.code == .notFound)
    }

    @Test func everyModerationDecisionHasAtMostOneRecord() {
        let actions: [ModerationRequest] = [
            .mute(member: Self.alex.id, minutes: nil, reason: nil), .unmute(member: Self.alex.id),
            .remove(member: Self.alex.id, reason: nil), .ban(member: Self.sam.id, reason: nil), .unban(member: Self.sam.id),
            .lock, .unlock, .slow(seconds: 5), .review(on: true), .roundStart(order: [Self.alex.id, Self.sam.id]),
            .roundEnd, .end,
        ]
        var room = Self.room()
        for action in actions {
            let target = action.member.map { $0 == Self.alex.id ? Self.alex.member : Self.sam.member }
            let effects = (try? room.moderate(action, by: Self.dana.member, target: target, now: Self.now).get()) ?? []
            #expect(effects.filter(\.isRecord).count <= 1, "\(action)")
        }
    }

    @Test func aFlagNeedsADeliveredMessage() {
        var room = Self.room()
        room.deliveredSeq = 3
        #expect(room.moderate(.hide(seq: 4, reason: "slur"), by: Self.dana.member, target: nil, now: Self.now).failure?.code == .notFound)
        #expect((try? room.moderate(.hide(seq: 3, reason: "slur"), by: Self.dana.member, target: nil, now: Self.now).get())
                == [.flag(.hidden(reason: "slur"), seq: 3)])
    }

    @Test func handsAndTheTalkingPiece() throws {
        var room = Self.room()
        #expect(try room.hand(of: Self.alex.member, raised: true).get() == [.sendHands])
        #expect(try room.hand(of: Self.alex.member, raised: true).get() == [])
        #expect(room.hand(of: Self.dana.member, raised: true).failure?.code == .badRequest)
        #expect(room.moderate(.lowerHand(member: Self.sam.id), by: Self.dana.member, target: Self.sam.member, now: Self.now).failure?.code == .badRequest)
        let lowered = try room.moderate(.lowerHand(member: Self.alex.id), by: Self.dana.member, target: Self.alex.member, now: Self.now).get()
        #expect(lowered.first == .audit(.lowerHand(Self.alex.id)) && room.hands.isEmpty)

        #expect(room.moderate(.roundStart(order: [Self.alex.id, PersonID("p_away")]), by: Self.dana.member, target: nil,
                              now: Self.now).failure?.code == .badRequest)
        _ = try room.moderate(.roundStart(order: [Self.alex.id, Self.sam.id]), by: Self.dana.member, target: nil, now: Self.now).get()
        #expect(room.speaker == Self.alex.member)
        #expect(room.pass(by: Self.sam.member).failure?.code == .notYourTurn)
        _ = try room.pass(by: Self.alex.member).get()
        #expect(room.speaker == Self.sam.member)
        let last = try room.pass(by: Self.sam.member).get()
        #expect(room.round == nil && last.first == .audit(.roundEnd))
        #expect(room.pass(by: Self.dana.member).failure?.code == .badRequest)
    }

    @Test func endingASessionIsOnceAndClearsTheRoundAndHands() throws {
        var room = Self.room()
        room.hands = [Self.alex.member]
        room.round = ([Self.alex.member], 0)
        let effects = try room.moderate(.end, by: Self.dana.member, target: nil, now: Self.now).get()
        #expect(effects == [.saveControl(.end, detail: nil), .endSession(by: Self.dana.member)])
        #expect(room.ended && room.round == nil && room.hands.isEmpty && room.control.endedAt == Self.now)
        #expect(room.moderate(.end, by: Self.dana.member, target: nil, now: Self.now).failure?.code == .ended)
        #expect(Self.code(Self.post(&room, Self.dana)) == .ended)
    }
}

extension Result {
    /// The failure, if it failed.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Who gets in, who waits, and what the room hears as people come and go.
struct RoomCorePresenceTests {
    typealias Fixture = RoomCoreTests

    @Test func removalBanAndTheEndKeepMembersOutButNotStaff() {
        var room = Fixture.room()
        room.removed = [Fixture.alex.id]
        room.banned = [Fixture.sam.id]
        #expect(room.join(Fixture.alex, alreadyIn: false).failure?.error.code == .removed)
        #expect(room.join(Fixture.sam, alreadyIn: false).failure?.note == .staffOnly(what: "join (banned)"))
        room.control.endedAt = Fixture.now
        #expect(room.join(Fixture.dana, alreadyIn: false) == .success(.enter))
        room.removed = []
        #expect(room.join(Fixture.alex, alreadyIn: false).failure?.error.code == .ended)
    }

    @Test func aLockedRoomLetsBackThoseWhoWereInAndNewcomersWait() {
        var room = Fixture.room()
        room.present = [:]
        room.control.locked = true
        _ = room.arrive(Fixture.alex.member)
        #expect(room.join(Fixture.alex, alreadyIn: false) == .success(.enter))
        #expect(room.join(Fixture.sam, alreadyIn: false) == .success(.wait))
        room.admitted.insert(Fixture.sam.id)
        #expect(room.join(Fixture.sam, alreadyIn: false) == .success(.enter))
    }

    @Test func aWaitingRoomSessionMakesParticipantsWaitUntilAdmitted() {
        let descriptor = RoomDescriptor(id: RoomID("r_family"), series: SeriesID("s_family"), title: "Family", kind: .family,
                                        starts: Fixture.starts, ends: Fixture.starts.addingTimeInterval(3600),
                                        timeZone: Fixture.zone, window: .standard, roster: [Fixture.alex.id],
                                        admission: .waiting)
        var room = RoomCore(descriptor: descriptor, deliveredSeq: 0)
        #expect(room.join(Fixture.alex, alreadyIn: false) == .success(.wait))
        #expect(room.join(Fixture.alex, alreadyIn: true) == .success(.enter))
        #expect(room.join(Fixture.dana, alreadyIn: false) == .success(.enter))
        room.admitted.insert(Fixture.alex.id)
        #expect(room.join(Fixture.alex, alreadyIn: false) == .success(.enter))
    }

    @Test func presenceIsPerPersonAndAStaffedRoomPausesWhenItsLastCounselorLeaves() {
        var room = Fixture.room(requiresStaff: true)
        room.present = [:]
        #expect(room.paused)
        #expect(room.arrive(Fixture.alex.member) == [.joined(Fixture.alex.member)])
        #expect(room.arrive(Fixture.alex.member) == [])
        #expect(room.arrive(Fixture.dana.member) == [.joined(Fixture.dana.member), .pausedChanged(false)])
        _ = room.hand(of: Fixture.alex.member, raised: true)
        #expect(room.depart(Fixture.alex.id) == [])
        #expect(room.depart(Fixture.alex.id) == [.handsChanged, .left(Fixture.alex.member)])
        #expect(room.depart(Fixture.dana.id) == [.left(Fixture.dana.member), .pausedChanged(true)])
        #expect(room.depart(Fixture.dana.id) == [])
        #expect(room.everPresent == [Fixture.alex.id, Fixture.dana.id])
    }
}
