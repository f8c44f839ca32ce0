import Foundation
import HearthClient
import HearthCore
@testable import HearthServer
import HearthStore
import Testing

/// Crisis first and bounded queues (issue 11): alert writes take the records queue's crisis lane, which the worker
/// always drains before the next ordinary write, so a crisis reaches connected staff while an ordinary backlog is
/// still waiting; the ordinary lane has a bound, past which requests are answered "busy" (`internal` with
/// `retry_after`) and nothing is queued, and a full ordinary lane never refuses crisis work.
@Suite struct CrisisFirstTests {
    static let crisis = "honestly i want to kill myself tonight"

    /// Queues `count` real audit writes (each its own transaction on the real database) on the ordinary lane.
    private static func backlog(_ server: TestServer, _ count: Int, actor: PersonID) {
        let log = AuditLog(server.database), keeper = server.server.keeper, now = server.clock.now
        for index in 0..<count {
            keeper.write("audit") {
                try log.append(.reportRead, actor: actor, room: nil, target: nil, detail: "backlog \(index)", at: now)
            }
        }
    }

    @Test func aCrisisOvertakesAnOrdinaryBacklogHeldInPlace() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id, keeper = server.server.keeper
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        let (jamie, _) = try await server.joined(clinic.jamie.token, clinic.group)
        let target = try await sam.say("Something to report.", in: room)

        // The ordinary lane stops taking work: 500 real writes and Sam's report wait behind it.
        keeper.pauseOrdinary()
        Self.backlog(server, 500, actor: clinic.sam.0.id)
        let reportRef = sam.makeRef()
        sam.send(ClientRequest(.report(room: room, seq: target.seq, reason: "testing the queue"), ref: reportRef))
        // `history` is answered on the service thread: once it is, the report has been queued.
        _ = try await sam.request(.history(room: room, beforeSeq: nil, limit: 1))
        let backlog = keeper.depth(.ordinary)
        #expect(backlog >= 501)

        // A crisis message: its alert reaches the counselor while the ordinary backlog has not moved.
        _ = try await alex.say(Self.crisis, in: room)
        let alert = try await dana.alertFrame()
        #expect(alert.member.id == clinic.alex.0.id && alert.category == .crisis(.suicide))
        // (Not one ordinary item ran; on a slow machine an attendance heartbeat may have joined the queue.)
        #expect(keeper.depth(.ordinary) >= backlog)
        // A "not safe" check-in is crisis work too: stored and answered, with its alert, past the same backlog.
        #expect(try await jamie.refusalCode(.checkin(room: room, mood: nil, craving: nil, safe: false)) == nil)
        let notSafe = try await dana.alertFrame()
        #expect(notSafe.member.id == clinic.jamie.0.id && notSafe.category == .notSafe)
        #expect(keeper.depth(.ordinary) >= backlog)
        let alerts = try await server.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alert") }
        #expect(alerts == 2)

        // Released, the backlog drains in order and the report is answered.
        keeper.resumeOrdinary()
        let reply = try await sam.expect("report reply", timeout: .seconds(30)) { frame -> ServerFrame? in
            switch frame {
            case .ok(let ok) where ok.ref == reportRef: return frame
            case .error(let error) where error.ref == reportRef: return frame
            default: return nil
            }
        }
        #expect(reply.type == "ok")
        keeper.drain()
        #expect(keeper.depth(.ordinary) == 0 && keeper.refused(.ordinary) == 0)
    }

    @Test func aCrisisDuringARealBacklogArrivesBeforeTheBacklogDrains() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id, keeper = server.server.keeper
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)

        // Nothing paused: 5,000 real ordinary writes are running when the crisis comes.
        let flood = 5_000
        let started = ContinuousClock.now
        Self.backlog(server, flood, actor: clinic.sam.0.id)
        let sent = ContinuousClock.now
        _ = try await alex.say(Self.crisis, in: room)
        _ = try await dana.alertFrame()
        let arrived = ContinuousClock.now
        let left = keeper.depth(.ordinary)
        // The order this guarantees: the alert is stored and sent while ordinary writes queued before it still wait.
        #expect(left > 0)
        keeper.drain()
        let drained = ContinuousClock.now
        print("crisis-first: alert \(arrived - sent) after the crisis message, with \(left) of \(flood) ordinary writes "
              + "still queued; the backlog took \(drained - started) to drain")
    }

    @Test func theRecordsQueueRefusesPastItsBoundAndRecovers() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id, keeper = server.server.keeper
        let (dana, _) = try await server.joined(clinic.counselor.token, clinic.group)
        let (alex, _) = try await server.joined(clinic.alex.token, clinic.group)
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        let target = try await sam.say("Something to report.", in: room)
        keeper.drain()

        keeper.limits = .init(ordinary: 50, crisis: RecordKeeper.Limits.standard.crisis)
        keeper.pauseOrdinary()
        Self.backlog(server, 50 - keeper.depth(.ordinary), actor: clinic.sam.0.id)
        #expect(keeper.depth(.ordinary) == 50)

        // Full: a report is refused at once with the documented error, and nothing is queued for it.
        guard case .error(let busy) = try await sam.request(.report(room: room, seq: target.seq, reason: "full")) else {
            Issue.record("a report into a full records queue was not refused")
            return
        }
        #expect(busy.code == .internal && busy.retryAfter == 1)
        #expect(busy.message == "The server is busy: try again in a moment.")
        // (An attendance heartbeat due meanwhile is refused too on a slow machine: at least the report was.)
        #expect(keeper.depth(.ordinary) == 50 && keeper.refused(.ordinary) >= 1)

        // A full ordinary lane never refuses a crisis.
        _ = try await alex.say(Self.crisis, in: room)
        let alert = try await dana.alertFrame()
        #expect(alert.member.id == clinic.alex.0.id)
        #expect(keeper.refused(.crisis) == 0)

        // Drained, it takes requests again.
        keeper.resumeOrdinary()
        keeper.drain()
        guard case .ok = try await sam.request(.report(room: room, seq: target.seq, reason: "later")) else {
            Issue.record("the records queue did not recover")
            return
        }
        #expect(keeper.highWater(.ordinary) <= 50)
    }

    @Test func aRefusedRequestFloodNeverGrowsTheQueuePastItsBound() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id, keeper = server.server.keeper
        let (sam, _) = try await server.joined(clinic.sam.token, clinic.group)
        let target = try await sam.say("Something to report.", in: room)
        keeper.drain()
        let bound = 50
        keeper.limits = .init(ordinary: bound, crisis: RecordKeeper.Limits.standard.crisis)
        keeper.pauseOrdinary()

        // 2,000 writes nobody waits for: all but the bound are refused, counted, and shown as failing writes.
        Self.backlog(server, 2_000, actor: clinic.sam.0.id)
        #expect(keeper.depth(.ordinary) == bound)
        // (At least: an attendance heartbeat due meanwhile on a slow machine is refused too.)
        #expect(keeper.refused(.ordinary) >= 2_000 - bound)
        #expect(keeper.health.failingSince != nil)

        // 1,000 reports from one participant: each is answered (busy, or a rate limit), none is dropped.
        let flood = 1_000
        for _ in 0..<flood {
            sam.send(ClientRequest(.report(room: room, seq: target.seq, reason: "flood"), ref: sam.makeRef()))
        }
        var refused = 0
        while refused < flood {
            guard case .error(let error) = try await sam.next(timeout: .seconds(30)) else { continue }
            #expect(error.code == .internal || error.code == .rateLimited)
            #expect(error.retryAfter != nil)
            refused += 1
        }
        #expect(keeper.depth(.ordinary) == bound)
        #expect(keeper.highWater(.ordinary) == bound)

        keeper.resumeOrdinary()
        keeper.drain()
        #expect(keeper.depth(.ordinary) == 0 && keeper.highWater(.ordinary) == bound)
        // The next write that goes through clears the failing state.
        keeper.write("audit") {}
        keeper.drain()
        #expect(keeper.health.failingSince == nil)
    }
}
