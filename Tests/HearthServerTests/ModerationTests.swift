import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// The moderator's toolset over sockets: every staff action refused (and recorded) when a participant tries it, and
/// what must hold across a restart (removals, bans, the end of a session). The other moderation rules run on the
/// in-memory hub (`ModerationRuleTests`).
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

    @Test func removeKeepsSomeoneOutOfThisSessionAndBanOutOfTheSeriesUntilLifted() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        let (jamie, _) = try await server.joined(clinic.jamie.token, clinic.group)
        _ = await alex.drain()

        #expect(try await dana.moderate(room, .remove(member: clinic.sam.0.id, reason: "unsafe language")) == nil)
        #expect(try await sam.moderation(.remove).reason == nil)
        let left = try await alex.expect("sam left") { frame -> MemberInfo? in
            if case .presence(let presence) = frame, presence.state == .left { return presence.member }
            return nil
        }
        #expect(left.id == clinic.sam.0.id)
        #expect(try await sam.refusalCode(.send(room: room, body: "hello?", clientID: "x")) == .forbidden)
        #expect(try await sam.refusalCode(.join(room: room, afterSeq: nil)) == .removed)

        #expect(try await dana.moderate(room, .ban(member: clinic.jamie.0.id, reason: nil)) == nil)
        _ = try await jamie.moderation(.ban)
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

    @Test func aLockedRoomSendsNewcomersToTheWaitingRoom() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(try await dana.moderate(room, .lock) == nil)
        #expect(try await alex.moderation(.lock).by?.id == clinic.counselor.0.id)

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
