import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// The moderator's toolset, from the counselor who uses it and from each member who feels its effect; and every
/// staff action refused (and recorded) when a participant tries it.
@Suite struct ModerationTests {
    @Test func everyStaffActionFromAParticipantIsForbiddenAndAudited() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let sam = clinic.sam.0.id
        let attempts: [ClientCommand] = [
            .moderate(room: room, action: .mute(member: sam, minutes: 5, reason: nil)),
            .moderate(room: room, action: .unmute(member: sam)),
            .moderate(room: room, action: .remove(member: sam, reason: nil)),
            .moderate(room: room, action: .ban(member: sam, reason: nil)),
            .moderate(room: room, action: .unban(member: sam)),
            .moderate(room: room, action: .hide(seq: 1, reason: "x")),
            .moderate(room: room, action: .unhide(seq: 1)),
            .moderate(room: room, action: .pin(seq: 1)),
            .moderate(room: room, action: .unpin(seq: 1)),
            .moderate(room: room, action: .lock),
            .moderate(room: room, action: .unlock),
            .moderate(room: room, action: .slow(seconds: 30)),
            .moderate(room: room, action: .review(on: true)),
            .moderate(room: room, action: .release(seq: 1)),
            .moderate(room: room, action: .lowerHand(member: sam)),
            .moderate(room: room, action: .roundStart(order: [sam])),
            .moderate(room: room, action: .roundEnd),
            .moderate(room: room, action: .end),
            .send(room: room, body: "Everyone listen", clientID: "a1", announce: true),
            .send(room: room, body: "psst", clientID: "w1", to: .member(sam)),
            .note(room: room, body: "my note"),
            .notes(room: room),
            .transcript(room: room, recipient: "me", purpose: "curious", json: false),
            .breakGlass(room: room, reason: "I want to read it all"),
            .reportAck(report: 1, outcome: nil),
            .alertAck(alert: 1, outcome: nil),
            .alerts(room: nil),
        ]
        for attempt in attempts {
            #expect(try await alex.refusalCode(attempt) == .forbidden, "\(attempt.type)")
        }
        let refused = try await server.auditRows(actor: clinic.alex.0.id, actions: [.refused], atLeast: attempts.count)
        #expect(refused.count == attempts.count)
        #expect(refused.contains { $0.detail == "moderate mute" && $0.room == room })
        #expect(refused.contains { $0.detail == "send whisper" })
        #expect(refused.contains { $0.detail == "break_glass" })
        // Nothing happened: Alex can still send, unmuted, in an open room.
        try await alex.say("still here", in: room)
    }

    @Test func aTimedMuteSilencesOnlyTheMemberUntilItRunsOut() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        _ = await dana.drain()

        #expect(try await dana.moderate(room, .mute(member: clinic.alex.0.id, minutes: 5, reason: "talking over others")) == nil)
        let told = try await alex.moderation("mute")
        #expect(told.target?.id == clinic.alex.0.id && told.until != nil && told.reason == nil)
        #expect(try await dana.moderation("mute").reason == "talking over others")
        #expect(await sam.drain().allSatisfy { if case .moderation = $0 { false } else { true } })

        #expect(try await alex.refusalCode(.send(room: room, body: "hey", clientID: "m1")) == .muted)
        // A muted member can still reach the counselor privately.
        try await alex.say("can I talk to you after?", in: room, to: .staff)
        // The mute shows on rejoining.
        let (again, rejoined) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(rejoined.controls.muted == true && rejoined.controls.mutedUntil == told.until)
        again.close()

        server.clock.advance(6 * 60)
        let lifted = try await alex.moderation("unmute")
        #expect(lifted.by == nil)
        try await alex.say("thanks", in: room)

        // An untimed mute lasts until unmuted.
        #expect(try await dana.moderate(room, .mute(member: clinic.sam.0.id, minutes: nil, reason: nil)) == nil)
        #expect(try await sam.refusalCode(.send(room: room, body: "hm", clientID: "s1")) == .muted)
        #expect(try await dana.moderate(room, .unmute(member: clinic.sam.0.id)) == nil)
        try await sam.say("back", in: room)
        #expect(try await dana.moderate(room, .mute(member: clinic.counselor.0.id, minutes: nil, reason: nil)) == .badRequest)
        #expect(try await server.auditRows(room: room, actions: [.mute, .unmute], atLeast: 4).count >= 4)
    }

    @Test func removeKeepsSomeoneOutOfThisSessionAndBanOutOfTheSeriesUntilLifted() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        let (jamie, _) = try await server.joined(clinic.jamie.token, clinic.group)
        _ = await alex.drain()

        #expect(try await dana.moderate(room, .remove(member: clinic.sam.0.id, reason: "unsafe language")) == nil)
        #expect(try await sam.moderation("remove").reason == nil)
        let left = try await alex.expect("sam left") { frame -> MemberInfo? in
            if case .presence(let presence) = frame, presence.state == .left { return presence.member }
            return nil
        }
        #expect(left.id == clinic.sam.0.id)
        #expect(try await sam.refusalCode(.send(room: room, body: "hello?", clientID: "x")) == .forbidden)
        #expect(try await sam.refusalCode(.join(room: room, afterSeq: nil)) == .removed)

        #expect(try await dana.moderate(room, .ban(member: clinic.jamie.0.id, reason: nil)) == nil)
        _ = try await jamie.moderation("ban")
        #expect(try await jamie.refusalCode(.join(room: room, afterSeq: nil)) == .banned)
        // The ban is kept in the store: it holds after a restart.
        try server.restart()
        let (jamieAgain, _) = try await server.connect(clinic.jamie.token)
        #expect(try await jamieAgain.refusalCode(.join(room: room, afterSeq: nil)) == .banned)
        let (danaAgain, _) = try await server.joined(clinic.counselor.token, clinic.group)
        #expect(try await danaAgain.moderate(room, .unban(member: clinic.jamie.0.id)) == nil)
        _ = try await jamieAgain.join(room)
        let refusals = try await server.auditRows(room: room, actions: [.refused], atLeast: 3)
        #expect(refusals.contains { $0.detail == "join (removed)" } && refusals.contains { $0.detail == "join (banned)" })
        #expect(try await server.auditRows(room: room, actions: [.remove, .ban, .unban], atLeast: 3).count == 3)
    }

    @Test func hiddenMessagesKeepTheirPlaceAndPinnedOnesShowOnJoin() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        let rude = try await alex.say("something hurtful", in: room)
        let kind = try await sam.say("Remember: one day at a time.", in: room)
        _ = await dana.drain(); _ = await alex.drain(); _ = await sam.drain()

        #expect(try await dana.moderate(room, .hide(seq: rude.seq, reason: "personal attack")) == nil)
        let seen = try await sam.moderation("hide")
        #expect(seen.seq == rude.seq && seen.reason == nil)
        #expect(try await dana.moderation("hide").reason == "personal attack")
        #expect(try await dana.moderate(room, .pin(seq: kind.seq)) == nil)
        #expect(try await sam.moderation("pin").seq == kind.seq)

        let (later, peer) = try await server.joined(clinic.jamie.token, clinic.group)
        let hidden = try #require(peer.messages.first { $0.seq == rude.seq })
        #expect(hidden.hidden == true && hidden.body.isEmpty && hidden.hiddenReason == nil)
        #expect(peer.pinned.map(\.seq) == [kind.seq])
        later.close()
        let (_, staffView) = try await server.joined(clinic.admin.token, clinic.group)
        let kept = try #require(staffView.messages.first { $0.seq == rude.seq })
        #expect(kept.body == "something hurtful" && kept.hiddenReason == "personal attack")

        #expect(try await dana.moderate(room, .unhide(seq: rude.seq)) == nil)
        #expect(try await dana.moderate(room, .unpin(seq: kind.seq)) == nil)
        let (_, after) = try await server.joined(clinic.jamie.token, clinic.group)
        #expect(after.messages.first { $0.seq == rude.seq }?.body == "something hurtful")
        #expect(after.pinned.isEmpty)
        #expect(try await dana.moderate(room, .hide(seq: 999, reason: "x")) == .notFound)
        #expect(try await dana.refusalCode(.moderate(room: room, action: .pin(seq: 1000))) == .notFound)
    }

    @Test func aLockedRoomSendsNewcomersToTheWaitingRoom() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(try await dana.moderate(room, .lock) == nil)
        #expect(try await alex.moderation("lock").by?.id == clinic.counselor.0.id)

        let (jamie, _) = try await server.connect(clinic.jamie.token)
        guard case .waiting = try await jamie.request(.join(room: room, afterSeq: nil)) else {
            Issue.record("a newcomer to a locked room should wait"); return
        }
        #expect(try await dana.knock(.waiting).member.id == clinic.jamie.0.id)
        // Someone who was already in comes back in.
        alex.close()
        _ = try await server.joined(clinic.alex.token, clinic.group)
        #expect(try await dana.refusalCode(.admit(room: room, member: clinic.jamie.0.id)) == nil)
        #expect(try await jamie.joinedFrame().controls.locked)
        #expect(try await dana.moderate(room, .unlock) == nil)
        _ = try await server.joined(clinic.sam.token, clinic.group)
    }

    @Test func slowModeSpacesEachParticipantsMessagesOnTheServerClock() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        #expect(try await dana.moderate(room, .slow(seconds: 30)) == nil)
        #expect(try await alex.moderation("slow").seconds == 30)

        try await alex.say("first", in: room)
        guard case .error(let early) = try await alex.request(.send(room: room, body: "second", clientID: "s2")) else {
            Issue.record("a second message within 30 s should be refused"); return
        }
        #expect(early.code == .rateLimited && early.retryAfter == 30)
        server.clock.advance(10)
        guard case .error(let later) = try await alex.request(.send(room: room, body: "second", clientID: "s2")) else {
            Issue.record("still within 30 s"); return
        }
        #expect(later.retryAfter == 20)
        // Each participant has their own interval; staff are exempt.
        try await sam.say("mine", in: room)
        try await dana.say("one", in: room)
        try await dana.say("two", in: room)
        server.clock.advance(20)
        try await alex.say("second", in: room)
        #expect(try await dana.moderate(room, .slow(seconds: 0)) == nil)
        try await alex.say("third", in: room)
    }

    @Test func handsQueueInOrderForStaffOnly() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
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
        #expect(await alex.drain().allSatisfy { if case .hands = $0 { false } else { true } })

        #expect(try await dana.moderate(room, .lowerHand(member: clinic.alex.0.id)) == nil)
        #expect(try await alex.moderation("lower_hand").target?.id == clinic.alex.0.id)
        #expect(try await queue() == [clinic.sam.0.id])
        let (_, staffView) = try await server.joined(clinic.admin.token, clinic.group)
        #expect(staffView.hands?.map(\.id) == [clinic.sam.0.id])
        #expect(try await sam.refusalCode(.hand(room: room, raised: false)) == nil)
        #expect(try await queue() == [])
        #expect(try await dana.refusalCode(.hand(room: room, raised: true)) == .badRequest)
    }

    @Test func aCheckinRoundPassesTheTalkingPieceInOrder() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        let (jamie, _) = try await server.joined(clinic.jamie.token, clinic.group)
        let (alexID, samID) = (clinic.alex.0.id, clinic.sam.0.id)

        #expect(try await dana.moderate(room, .roundStart(order: [alexID, clinic.outsider.0.id])) == .badRequest)
        #expect(try await dana.moderate(room, .roundStart(order: [alexID, samID])) == nil)
        for member in [alex, sam, jamie] {
            let started = try await member.moderation("round_start")
            #expect(started.round?.speaker.id == alexID && started.round?.order.map(\.id) == [alexID, samID])
        }
        #expect(try await sam.refusalCode(.send(room: room, body: "me first", clientID: "s1")) == .notYourTurn)
        #expect(try await jamie.refusalCode(.send(room: room, body: "hi", clientID: "j1")) == .notYourTurn)
        try await alex.say("I'm at a 6 today, cravings low.", in: room)
        try await dana.say("Thank you, Alex.", in: room)
        #expect(try await sam.refusalCode(.pass(room: room)) == .notYourTurn)
        #expect(try await alex.refusalCode(.pass(room: room)) == nil)
        #expect(try await jamie.moderation("pass").round?.speaker.id == samID)
        #expect(try await alex.refusalCode(.send(room: room, body: "one more thing", clientID: "a2")) == .notYourTurn)
        try await sam.say("A 4. Rough weekend.", in: room)
        #expect(try await sam.refusalCode(.pass(room: room)) == nil)
        let ended = try await jamie.moderation("round_end")
        #expect(ended.by?.id == samID && ended.round == nil)
        try await jamie.say("Can I go?", in: room)
        // Staff can end a round early.
        #expect(try await dana.moderate(room, .roundStart(order: [samID])) == nil)
        #expect(try await dana.moderate(room, .roundEnd) == nil)
        #expect(try await dana.moderate(room, .roundEnd) == .badRequest)
        try await alex.say("free to talk again", in: room)
        #expect(try await server.auditRows(room: room, actions: [.roundStart, .roundEnd], atLeast: 4).count == 4)
    }

    @Test func announcementsReachEveryoneAndWhispersOnlyTheirMemberAndStaff() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (jordan, _) = try await server.joined(clinic.admin.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        _ = await alex.drain(); _ = await sam.drain(); _ = await jordan.drain()

        try await dana.say("Ten-minute break now.", in: room, announce: true)
        for member in [alex, sam] { #expect(try await member.message().kind == .announcement) }
        _ = await jordan.drain()

        let whisper = try await dana.say("Alex, are you okay to stay?", in: room, to: .member(clinic.alex.0.id))
        let got = try await alex.message()
        #expect(got.kind == .whisper && got.to?.id == clinic.alex.0.id && got.seq == whisper.seq)
        #expect(try await jordan.message().kind == .whisper)
        let ask = try await alex.say("Yes, just tired.", in: room, to: .staff)
        for staff in [dana, jordan] {
            let asked = try await staff.expect("the private question") { frame -> ChatMessage? in
                if case .message(let message) = frame, message.seq == ask.seq { return message }
                return nil
            }
            #expect(asked.kind == .private && asked.from.id == clinic.alex.0.id)
        }
        #expect(await sam.drain().allSatisfy { if case .message = $0 { false } else { true } })
        // Rejoining and paging show the same: Sam's snapshot skips both private messages.
        let (_, samView) = try await server.joined(clinic.sam.token, clinic.group)
        #expect(!samView.messages.contains { $0.seq == whisper.seq || $0.seq == ask.seq })
        guard case .history(let page) = try await sam.request(.history(room: room, beforeSeq: nil, limit: 50)) else {
            Issue.record("history"); return
        }
        #expect(page.messages.map(\.kind) == [.announcement])
        #expect(try await dana.refusalCode(.send(room: room, body: "x", clientID: "w2", to: .member(clinic.outsider.0.id))) == .badRequest)
        #expect(try await server.auditRows(room: room, actions: [.whisper, .announce], atLeast: 2).count == 2)
    }

    @Test func endingTheSessionStopsEveryoneFromSending() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        #expect(try await dana.moderate(room, .end) == nil)
        for member in [alex, sam] {
            let ended = try await member.expect("ended") { frame in
                if case .ended(let ended) = frame { return ended }
                return nil
            }
            #expect(ended.by?.id == clinic.counselor.0.id)
        }
        #expect(try await alex.refusalCode(.send(room: room, body: "wait", clientID: "late")) == .forbidden)
        #expect(try await alex.refusalCode(.join(room: room, afterSeq: nil)) == .ended)
        #expect(try await dana.refusalCode(.send(room: room, body: "notes later", clientID: "d")) == .ended)
        #expect(try await dana.moderate(room, .end) == .ended)
        // Ended is kept: after a restart the room is still over.
        try server.restart()
        let (alexAgain, _) = try await server.connect(clinic.alex.token)
        #expect(try await alexAgain.refusalCode(.join(room: room, afterSeq: nil)) == .ended)
    }
}
