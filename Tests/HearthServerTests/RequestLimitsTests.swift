import Foundation
import GRDB
import HearthClient
import HearthCore
import HearthStore
@testable import HearthServer
import Testing

/// Every request kind has an allowance per person (docs/PROTOCOL.md 3 and 12): a flood is cut off with
/// `rate_limited`, refused staff-only requests are audited once per person, request and minute with a count, the
/// server stays responsive while it lasts, and a normal session never meets a limit.
@Suite struct RequestLimitsTests {
    /// Sends `count` copies of a request without waiting, then reads every reply: (answered `ok`, `forbidden`,
    /// `rate_limited` errors in order of arrival).
    private func flood(_ connection: HearthConnection, _ command: ClientCommand, count: Int)
        async throws -> (ok: Int, forbidden: Int, limited: [ServerFrame.ErrorFrame]) {
        for number in 0..<count { connection.send(ClientRequest(command, ref: "f\(number)")) }
        var ok = 0, forbidden = 0, limited: [ServerFrame.ErrorFrame] = []
        while ok + forbidden + limited.count < count {
            switch try await connection.next(timeout: .seconds(60)) {
            case .ok(let reply) where reply.ref?.hasPrefix("f") == true: ok += 1
            case .error(let error) where error.ref?.hasPrefix("f") == true:
                switch error.code {
                case .forbidden: forbidden += 1
                case .rateLimited: limited.append(error)
                default: Issue.record("unexpected \(error.code): \(error.message)"); return (ok, forbidden, limited)
                }
            default: break
            }
        }
        return (ok, forbidden, limited)
    }

    /// A server whose send queues hold a whole flood's replies: these tests are about allowances, and on a loaded
    /// machine the test's client may fall behind 20,000 replies for more than a second (then it would be closed
    /// as a slow consumer, which `BadInputTests` covers).
    private func floodServer() throws -> TestServer {
        try TestServer {
            $0.sendQueueMessages = 50_000
            $0.sendQueueBytes = 32 * 1024 * 1024
        }
    }

    @Test func aCheckinFloodIsCutOffAfterTheBurstAndFewAreStored() async throws {
        let server = try floodServer()
        defer { server.shutdown() }
        let clinic = server.clinic, group = clinic.group.id
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)

        let result = try await flood(alex, .checkin(room: group, mood: 3, craving: nil, safe: false), count: 20_000)
        // The test clock stands still: exactly the burst passes, every other check-in is refused with a wait.
        let burst = try #require(RequestLimits.defaults[.checkins]?.burst)
        #expect(result.ok == burst)
        #expect(result.limited.count == 20_000 - burst)
        #expect(result.limited.allSatisfy { ($0.retryAfter ?? 0) >= 1 && $0.message.contains("Wait") })
        let rows = try await server.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkin") }
        #expect(rows == burst)
        // Refused ones were not audited either.
        #expect(try await server.auditRows(actions: [.refused], atLeast: 0).isEmpty)

        // Time refills the allowance.
        server.clock.advance(5)
        #expect(try await alex.refusalCode(.checkin(room: group, mood: 4, craving: nil, safe: nil)) == nil)
    }

    @Test func aFloodOfRefusedStaffRequestsIsAuditedAsAFewCountedRowsAndACrisisStillGetsThrough() async throws {
        let server = try floodServer()
        defer { server.shutdown() }
        let clinic = server.clinic, group = clinic.group.id
        let (dana, alex, sam) = try await server.groupSession()
        _ = await dana.drain(for: .milliseconds(100))
        let mute = ClientCommand.moderate(room: group, action: .mute(member: clinic.sam.0.id, minutes: 5, reason: nil))

        // Alex floods; while the flood is on the wire, Sam writes a real crisis message.
        let flooding = Task { try await flood(alex, mute, count: 5_000) }
        let ack = try await sam.say(CrisisSafetyTests.crisis, in: group)
        let alert = try await dana.expect("crisis alert", timeout: .seconds(30)) { frame -> Alert? in
            if case .alert(let frame) = frame, frame.alert.seq == ack.seq { return frame.alert }
            return nil
        }
        #expect(alert.member.id == clinic.sam.0.id && alert.category == .crisis(.suicide))
        let result = try await flooding.value

        // The moderation allowance cut the flood off: the refusals past it were not even audited.
        let burst = try #require(RequestLimits.defaults[.moderation]?.burst)
        #expect(result.ok == 0)
        #expect(result.forbidden == burst)
        #expect(result.limited.count == 5_000 - burst)
        // One row at once; the rest of the minute is counted into one more row when it closes.
        server.clock.advance(61)
        let rows = try await server.auditRows(actor: clinic.alex.0.id, actions: [.refused], atLeast: 2)
        #expect(rows.count == 2)
        #expect(rows.first?.detail == "moderate mute" && rows.allSatisfy { $0.room == group })
        let counted = rows.map { row -> Int in
            guard let more = row.detail?.firstMatch(of: /\((\d+) more\)$/) else { return 1 }
            return Int(more.1) ?? 0
        }
        #expect(counted.reduce(0, +) == result.forbidden)
        // Another member's send is still acknowledged.
        try await sam.say("still here", in: group)
    }

    @Test func aCounselorsBusySessionNeverMeetsALimit() async throws {
        let server = try TestServer { $0.sendRatePerSecond = 5; $0.sendBurst = 20 }
        defer { server.shutdown() }
        let clinic = server.clinic, group = clinic.group.id
        let (dana, alex, _) = try await server.groupSession()
        let said = try await alex.say("something to pin", in: group)
        // 30 moderation actions in a burst, then notes, reads and messages as a busy group goes.
        for number in 0..<30 {
            let action: ModerationRequest = number.isMultiple(of: 2) ? .pin(seq: said.seq) : .unpin(seq: said.seq)
            #expect(try await dana.moderate(group, action) == nil, "action \(number)")
        }
        for number in 0..<10 { try await dana.say("note to the group \(number)", in: group) }
        for _ in 0..<20 {
            guard case .history = try await dana.request(.history(room: group, beforeSeq: nil, limit: 50)) else {
                Issue.record("history refused"); return
            }
        }
        #expect(try await dana.refusalCode(.note(room: group, body: "Alex engaged well.")) == nil)
        #expect(try await dana.refusalCode(.alerts(room: nil)) == nil)
        #expect(try await dana.refusalCode(.summary(room: group)) == nil)
    }

    @Test func limitsComeFromTheConfigurationFileAndTheEnvironment() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-limits-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"request_limits": {"checkins": {"rate": 1, "burst": 3}, "reads": {"rate": 10, "burst": 200}}}"#.utf8)
            .write(to: file)
        let resolved = try ServerConfiguration.resolve(file: file.path, environment: [
            "HEARTH_REQUEST_LIMITS": #"{"reads": {"rate": 0, "burst": 1}, "joins": {"rate": 0.5, "burst": 5}}"#,
        ])
        #expect(resolved.requestLimit(.checkins) == RequestLimit(rate: 1, burst: 3))
        // The environment wins over the file, class by class; unnamed classes keep their defaults.
        #expect(resolved.requestLimit(.reads) == RequestLimit(rate: 0, burst: 1))
        #expect(resolved.requestLimit(.joins) == RequestLimit(rate: 0.5, burst: 5))
        #expect(resolved.requestLimit(.moderation) == RequestLimits.defaults[.moderation])
        #expect(resolved.requestLimit(.messages) == RequestLimit(rate: 5, burst: 20))

        // Unknown classes, `messages` and impossible values are refused.
        for bad in [#"{"dances": {"rate": 1, "burst": 1}}"#, #"{"messages": {"rate": 1, "burst": 1}}"#,
                    #"{"checkins": {"rate": -1, "burst": 1}}"#, #"{"checkins": {"rate": 1, "burst": 0}}"#, "[]"] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                try ServerConfiguration.resolve(file: nil, environment: ["HEARTH_REQUEST_LIMITS": bad])
            }
        }
        try Data(#"{"request_limits": {"checkins": {"rate": 1, "burst": 0}}}"#.utf8).write(to: file)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve(file: file.path, environment: [:]) }
        // The default configuration prints every class but messages.
        let printed = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ServerConfiguration())) as? [String: Any]
        let limits = try #require(printed?["request_limits"] as? [String: Any])
        #expect(Set(limits.keys) == Set(RequestLimits.classes.map(\.rawValue)))
    }

    @Test func aConfiguredLimitIsEnforcedAndTimeRefillsIt() async throws {
        var limits = RequestLimits()
        try limits.apply(["hands": RequestLimit(rate: 1, burst: 2), "reports": RequestLimit(rate: 0, burst: 1)])
        let server = try TestServer { $0.requestLimits = limits }
        defer { server.shutdown() }
        let clinic = server.clinic, group = clinic.group.id
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        #expect(try await alex.refusalCode(.hand(room: group, raised: true)) == nil)
        #expect(try await alex.refusalCode(.hand(room: group, raised: false)) == nil)
        guard case .error(let error) = try await alex.request(.hand(room: group, raised: true)) else {
            Issue.record("expected rate_limited"); return
        }
        #expect(error.code == .rateLimited && error.retryAfter == 1)
        // Another class is not touched: a rate of 0 turns reports' limit off.
        let said = try await alex.say("a message", in: group)
        for _ in 0..<15 {
            #expect(try await alex.refusalCode(.report(room: group, seq: said.seq, reason: "testing")) == nil)
        }
        server.clock.advance(1)
        #expect(try await alex.refusalCode(.hand(room: group, raised: true)) == nil)
    }

    @Test func theTallyWritesTheFirstRefusalAtOnceAndTheRestOfTheMinuteAsOneCountedRow() {
        var tally = RefusalTally()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let alex = PersonID("p_alex"), room = RoomID("r_group")
        let first = tally.refused(person: alex, what: "moderate mute", room: room, now: start)
        #expect(first.map(\.detail) == ["moderate mute"])
        for second in 1...40 {
            #expect(tally.refused(person: alex, what: "moderate mute", room: room, now: start + Double(second)).isEmpty)
        }
        // Another request is tallied apart.
        #expect(tally.refused(person: alex, what: "notes", room: nil, now: start + 2).map(\.detail) == ["notes"])
        #expect(tally.close(now: start + 59).isEmpty)
        let closed = tally.close(now: start + 60)
        #expect(closed.map(\.detail) == ["moderate mute (40 more)"])
        #expect(closed.first?.room == room && closed.first?.at == start + 40)
        // A new minute opens with a new first row; a refusal after an unclosed minute closes it first.
        #expect(tally.refused(person: alex, what: "moderate mute", room: room, now: start + 61).count == 1)
        _ = tally.refused(person: alex, what: "moderate mute", room: RoomID("r_other"), now: start + 62)
        let next = tally.refused(person: alex, what: "moderate mute", room: room, now: start + 200)
        #expect(next.map(\.detail) == ["moderate mute (1 more)", "moderate mute"])
        #expect(next.first?.room == nil)
        #expect(tally.closeAll().isEmpty)
    }
}
