import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// The moderator's rules on the in-memory hub (moved from ModerationTests, which keeps the ones that restart the
/// server over sockets): mutes that run out on the tick, hands, the check-in round, whispers and announcements,
/// slow mode, hidden and pinned messages. "Nobody else heard" is checked after `settle()`, not after a pause.
@Suite struct ModerationRuleTests {
    @Test func aTimedMuteSilencesOnlyTheMemberUntilItRunsOut() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let clinic = hub.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await hub.groupSession()

        #expect(try await dana.moderate(room, .mute(member: clinic.alex.0.id, minutes: 5, reason: "talking over others")) == nil)
        let told = try await alex.moderation(.mute)
        #expect(told.target?.id == clinic.alex.0.id && told.until != nil && told.reason == nil)
        #expect(try await dana.moderation(.mute).reason == "talking over others")
        try await hub.settle()
        #expect(sam.drainFrames().isEmpty)

        #expect(try await alex.refusalCode(.send(room: room, body: "hey", clientID: "m1")) == .muted)
        // A muted member can still reach the counselor privately.
        try await alex.say("can I talk to you after?", in: room, to: .staff)
        // The mute shows on rejoining.
        let (again, rejoined) = try await hub.joined(clinic.alex.token, clinic.group)
        #expect(rejoined.controls.muted == true && rejoined.controls.mutedUntil == told.until)
        again.close()

        // Not lifted before it runs out; lifted by the first tick after.
        hub.clock.advance(4 * 60)
        await hub.tick()
        try await hub.settle()
        #expect(!alex.drainFrames().contains { if case .moderation = $0 { true } else { false } })
        #expect(try await alex.refusalCode(.send(room: room, body: "now?", clientID: "m2")) == .muted)
        hub.clock.advance(2 * 60)
        await hub.tick()
        let lifted = try await alex.moderation(.unmute)
        #expect(lifted.by == nil)
        try await alex.say("thanks", in: room)

        // An untimed mute lasts until unmuted.
        #expect(try await dana.moderate(room, .mute(member: clinic.sam.0.id, minutes: nil, reason: nil)) == nil)
        #expect(try await sam.refusalCode(.send(room: room, body: "hm", clientID: "s1")) == .muted)
        #expect(try await dana.moderate(room, .unmute(member: clinic.sam.0.id)) == nil)
        try await sam.say("back", in: room)
        #expect(try await dana.moderate(room, .mute(member: clinic.counselor.0.id, minutes: nil, reason: nil)) == .badRequest)
        #expect(try await hub.auditRows(room: room, actions: [.mute, .unmute]).count == 4)
    }

    @Test func handsQueueInOrderForStaffOnly() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let clinic = hub.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await hub.groupSession()
        func queue() async throws -> [PersonID] {
            try await dana.expect("hands") { frame in
                if case .hands(let hands) = frame { return hands.queue.map(\.id) }
                return nil
            }
        }
        #expect(try await alex.refusalCode(.hand(room: room, raised: true)) == nil)
        #expect(try await queue() == [clinic.alex.0.id])
        #expect(try await sam.refusalCode(.hand(room: room, raised: true)) == nil)
        #expect(try await queue() == [clinic.alex.0.id, clinic.sam.0.id])
        try await hub.settle()
        #expect(alex.drainFrames().isEmpty && sam.drainFrames().isEmpty)

        #expect(try await dana.moderate(room, .lowerHand(member: clinic.alex.0.id)) == nil)
        #expect(try await alex.moderation(.lowerHand).target?.id == clinic.alex.0.id)
        #expect(try await queue() == [clinic.sam.0.id])
        let (_, staffView) = try await hub.joined(clinic.admin.token, clinic.group)
        #expect(staffView.hands?.map(\.id) == [clinic.sam.0.id])
        #expect(try await sam.refusalCode(.hand(room: room, raised: false)) == nil)
        #expect(try await queue() == [])
        #expect(try await dana.refusalCode(.hand(room: room, raised: true)) == .badRequest)
    }

    @Test func aCheckinRoundPassesTheTalkingPieceInOrder() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let clinic = hub.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await hub.groupSession()
        let (jamie, _) = try await hub.joined(clinic.jamie.token, clinic.group)
        let (alexID, samID) = (clinic.alex.0.id, clinic.sam.0.id)

        #expect(try await dana.moderate(room, .roundStart(order: [alexID, clinic.outsider.0.id])) == .badRequest)
        #expect(try await dana.moderate(room, .roundStart(order: [alexID, samID])) == nil)
        for member in [alex, sam, jamie] {
            let started = try await member.moderation(.roundStart)
            #expect(started.round?.speaker.id == alexID && started.round?.order.map(\.id) == [alexID, samID])
        }
        #expect(try await sam.refusalCode(.send(room: room, body: "me first", clientID: "s1")) == .notYourTurn)
        #expect(try await jamie.refusalCode(.send(room: room, body: "hi", clientID: "j1")) == .notYourTurn)
        // A private question to staff goes through outside one's turn.
        try await jamie.say("can I go early today?", in: room, to: .staff)
        try await alex.say("I'm at a 6 today, cravings low.", in: room)
        try await dana.say("Thank you, Alex.", in: room)
        #expect(try await sam.refusalCode(.pass(room: room)) == .notYourTurn)
        #expect(try await alex.refusalCode(.pass(room: room)) == nil)
        #expect(try await jamie.moderation(.pass).round?.speaker.id == samID)
        #expect(try await alex.refusalCode(.send(room: room, body: "one more thing", clientID: "a2")) == .notYourTurn)
        try await sam.say("A 4. Rough weekend.", in: room)
        #expect(try await sam.refusalCode(.pass(room: room)) == nil)
        let ended = try await jamie.moderation(.roundEnd)
        #expect(ended.by?.id == samID && ended.round == nil)
        try await jamie.say("Can I go?", in: room)
        // Staff can end a round early.
        #expect(try await dana.moderate(room, .roundStart(order: [samID])) == nil)
        #expect(try await dana.moderate(room, .roundEnd) == nil)
        #expect(try await dana.moderate(room, .roundEnd) == .badRequest)
        try await alex.say("free to talk again", in: room)
        #expect(try await hub.auditRows(room: room, actions: [.roundStart, .roundEnd]).count == 4)
    }

    @Test func announcementsReachEveryoneAndWhispersOnlyTheirMemberAndStaff() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let clinic = hub.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await hub.groupSession()
        let (jordan, _) = try await hub.joined(clinic.admin.token, clinic.group)
        try await hub.settle()
        for connection in [dana, alex, sam, jordan] { _ = connection.drain() }

        let announcement = try await dana.say("Ten-minute break now.", in: room, announce: true)
        let whisper = try await dana.say("Alex, are you okay to stay?", in: room, to: .member(clinic.alex.0.id))
        let ask = try await alex.say("Yes, just tired.", in: room, to: .staff)
        try await hub.settle()
        func kinds(_ connection: InMemoryConnection) -> [Int64: MessageKind?] {
            Dictionary(uniqueKeysWithValues: connection.drainMessages().map { ($0.seq, $0.kind) })
        }
        // Live: everyone gets the announcement; the whisper reaches Alex and staff; the question Alex and staff.
        #expect(kinds(sam) == [announcement.seq: .announcement])
        #expect(kinds(alex) == [announcement.seq: .announcement, whisper.seq: .whisper, ask.seq: .private])
        for staff in [dana, jordan] {
            #expect(kinds(staff) == [announcement.seq: .announcement, whisper.seq: .whisper, ask.seq: .private])
        }
        // Rejoining and paging show the same: Sam's snapshot and history skip both private messages.
        let (_, samView) = try await hub.joined(clinic.sam.token, clinic.group)
        #expect(samView.messages.map(\.seq) == [announcement.seq])
        guard case .history(let page) = try await sam.request(.history(room: room, beforeSeq: nil, limit: 50)) else {
            Issue.record("history"); return
        }
        #expect(page.messages.map(\.kind) == [.announcement])
        let (_, alexView) = try await hub.joined(clinic.alex.token, clinic.group)
        #expect(alexView.messages.map(\.seq) == [announcement.seq, whisper.seq, ask.seq])
        #expect(try await dana.refusalCode(.send(room: room, body: "x", clientID: "w2", to: .member(clinic.outsider.0.id))) == .badRequest)
        #expect(try await dana.refusalCode(.send(room: room, body: "x", clientID: "w3", to: .member(clinic.admin.0.id))) == .badRequest)
        #expect(try await hub.auditRows(room: room, actions: [.whisper, .announce]).count == 2)
    }

    @Test func slowModeSpacesEachParticipantsMessagesOnTheServerClock() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let clinic = hub.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await hub.groupSession()
        #expect(try await dana.moderate(room, .slow(seconds: 30)) == nil)
        #expect(try await alex.moderation(.slow).seconds == 30)

        try await alex.say("first", in: room)
        guard case .error(let early) = try await alex.request(.send(room: room, body: "second", clientID: "s2")) else {
            Issue.record("a second message within 30 s should be refused"); return
        }
        #expect(early.code == .rateLimited && early.retryAfter == 30)
        hub.clock.advance(10)
        guard case .error(let later) = try await alex.request(.send(room: room, body: "second", clientID: "s2")) else {
            Issue.record("still within 30 s"); return
        }
        #expect(later.retryAfter == 20)
        // Each participant has their own interval; staff are exempt, and so are private questions.
        try await sam.say("mine", in: room)
        try await alex.say("a question", in: room, to: .staff)
        try await dana.say("one", in: room)
        try await dana.say("two", in: room)
        hub.clock.advance(20)
        try await alex.say("second", in: room)
        #expect(try await dana.moderate(room, .slow(seconds: 0)) == nil)
        try await alex.say("third", in: room)
    }

    @Test func hiddenMessagesKeepTheirPlaceAndPinnedOnesShowOnJoin() async throws {
        let hub = try InMemoryHub()
        defer { hub.shutdown() }
        let clinic = hub.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await hub.groupSession()
        let rude = try await alex.say("something hurtful", in: room)
        let kind = try await sam.say("Remember: one day at a time.", in: room)
        try await hub.settle()
        for connection in [dana, alex, sam] { _ = connection.drain() }

        #expect(try await dana.moderate(room, .hide(seq: rude.seq, reason: "personal attack")) == nil)
        let seen = try await sam.moderation(.hide)
        #expect(seen.seq == rude.seq && seen.reason == nil)
        #expect(try await dana.moderation(.hide).reason == "personal attack")
        #expect(try await dana.moderate(room, .pin(seq: kind.seq)) == nil)
        #expect(try await sam.moderation(.pin).seq == kind.seq)

        let (later, peer) = try await hub.joined(clinic.jamie.token, clinic.group)
        let hidden = try #require(peer.messages.first { $0.seq == rude.seq })
        #expect(hidden.hidden == true && hidden.body.isEmpty && hidden.hiddenReason == nil)
        #expect(peer.pinned.map(\.seq) == [kind.seq])
        later.close()
        let (_, staffView) = try await hub.joined(clinic.admin.token, clinic.group)
        let kept = try #require(staffView.messages.first { $0.seq == rude.seq })
        #expect(kept.body == "something hurtful" && kept.hiddenReason == "personal attack")

        #expect(try await dana.moderate(room, .unhide(seq: rude.seq)) == nil)
        #expect(try await dana.moderate(room, .unpin(seq: kind.seq)) == nil)
        let (_, after) = try await hub.joined(clinic.jamie.token, clinic.group)
        #expect(after.messages.first { $0.seq == rude.seq }?.body == "something hurtful")
        #expect(after.pinned.isEmpty)
        #expect(try await dana.moderate(room, .hide(seq: 999, reason: "x")) == .notFound)
        #expect(try await dana.refusalCode(.moderate(room: room, action: .pin(seq: 1000))) == .notFound)
    }
}
