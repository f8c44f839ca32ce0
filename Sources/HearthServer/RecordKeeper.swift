import Foundation
import HearthCore
import HearthStore
import Logging
import Synchronization

/// The hub's clinical record writes (attendance, agreements, waiting-room decisions, check-ins, alerts, moderation,
/// audit rows) and the reads that must see them (reports, the alert list), run one at a time on one serial queue
/// so the service thread never waits for the database's write lock.
///
/// Two lanes, one worker. SQLite takes one writer at a time, so crisis work cannot run beside ordinary writes; it
/// goes first instead. Every time the worker is free it takes the oldest **crisis** item (an alert raised,
/// updated, escalated or acknowledged; a check-in that says "not safe"; the alert list and replay) before any
/// ordinary one, so a crisis waits for at most the one ordinary write already running, however long the ordinary
/// backlog is. Ordering that follows: an ordinary item runs after every crisis item queued before it (a report sees
/// every alert raised before it was asked for); a crisis item runs after the crisis items queued before it, but may
/// overtake ordinary writes.
///
/// Each lane is bounded (`Limits`). An item that would pass its lane's bound is refused at once: not queued, and
/// its `done` is told `QueueFull` on the caller's thread, so the request is answered `internal` "busy" with
/// `retry_after`; a write with no `done` (an audit row, attendance) is counted, logged at most once a minute and
/// shown by `/healthz` as a failing write. A full ordinary lane never refuses crisis work.
final class RecordKeeper: Sendable {
    enum Lane: String, Sendable { case crisis, ordinary }

    /// How many items each lane may hold (queued and not yet finished).
    struct Limits: Sendable, Equatable {
        var ordinary: Int
        var crisis: Int
        /// Generous: at about 1 ms a write, 10 s of backlog; a flood is refused long before memory matters.
        static let standard = Limits(ordinary: 10_000, crisis: 10_000)
    }

    /// A lane was full: the work was not queued.
    struct QueueFull: Error, Sendable {
        let lane: Lane
    }

    /// The answer to a request refused because a queue was full.
    static let busy = ProtocolError.busy

    private struct State {
        /// Taken items are set to nil (nothing they hold stays alive) and compacted away from time to time.
        var crisis: [(@Sendable () -> Void)?] = []
        var crisisHead = 0
        var ordinary: [(@Sendable () -> Void)?] = []
        var ordinaryHead = 0
        var limits: Limits
        var paused = false
        /// Pump blocks that found only paused ordinary work: scheduled again on `resume`.
        var owed = 0
        var highWater = (crisis: 0, ordinary: 0)
        var refused = (crisis: 0, ordinary: 0)
        /// Refusals not yet logged, by what was refused; logged at most once a minute.
        var unlogged: [String: Int] = [:]
        var lastLog: ContinuousClock.Instant?

        /// The lane of the item running now (counted in its lane's depth until it has finished).
        var running: Lane?

        var crisisDepth: Int { crisis.count - crisisHead + (running == .crisis ? 1 : 0) }
        var ordinaryDepth: Int { ordinary.count - ordinaryHead + (running == .ordinary ? 1 : 0) }
    }

    private let queue = DispatchQueue(label: "hearth.records")
    private let state: Mutex<State>
    let attendance: AttendanceStore
    let records: SessionRecords
    /// Failed and successful writes, for `/healthz`.
    let health: WriteHealth
    private let logger: Logger

    init(database: HearthDatabase, health: WriteHealth = WriteHealth(), limits: Limits = .standard, logger: Logger) {
        self.health = health
        attendance = AttendanceStore(database)
        records = SessionRecords(database)
        state = Mutex(State(limits: limits))
        self.logger = logger
    }

    /// Runs a write in order on its lane; a failure is logged (never with personal data) and shows in `/healthz`.
    /// - Parameter done: Told whether it was stored (on the records queue: hop back to the service thread with
    ///   `WebSocketServer.execute`), or `QueueFull` at once, on the caller's thread, when the lane was full. A
    ///   request answered `ok` waits for it: nothing is `ok` that was not stored.
    func write(_ what: String, lane: Lane = .ordinary, _ work: @escaping @Sendable () throws -> Void,
               done: (@Sendable (Result<Void, any Error>) -> Void)? = nil) {
        let accepted = enqueue(lane, what: what, lostIfRefused: done == nil) { [logger, health] in
            do {
                try work()
                health.succeeded()
                done?(.success(()))
            } catch {
                health.failed()
                logger.error("could not record \(what)", metadata: ["hearth.error": "\(type(of: error))"])
                done?(.failure(error))
            }
        }
        if !accepted { done?(.failure(QueueFull(lane: lane))) }
    }

    /// Runs work on its lane (see the ordering above), then hands the result to `done` (on the records queue: hop
    /// back to the service thread with `WebSocketServer.execute`); `QueueFull` at once, on the caller's thread, when
    /// the lane was full.
    func run<T: Sendable>(lane: Lane = .ordinary, what: String = "request", _ work: @escaping @Sendable () throws -> T,
                          done: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let accepted = enqueue(lane, what: what, lostIfRefused: false) { done(Result { try work() }) }
        if !accepted { done(.failure(QueueFull(lane: lane))) }
    }

    /// Waits until every queued item has run (resumes the ordinary lane if it was paused).
    func drain() {
        resumeOrdinary()
        queue.sync {}
    }

    // MARK: Observing and testing

    /// Items queued on a lane and not yet finished.
    func depth(_ lane: Lane) -> Int {
        state.withLock { lane == .crisis ? $0.crisisDepth : $0.ordinaryDepth }
    }

    /// The most items a lane has held at once since start.
    func highWater(_ lane: Lane) -> Int {
        state.withLock { lane == .crisis ? $0.highWater.crisis : $0.highWater.ordinary }
    }

    /// Items refused because their lane was full, since start.
    func refused(_ lane: Lane) -> Int {
        state.withLock { lane == .crisis ? $0.refused.crisis : $0.refused.ordinary }
    }

    var limits: Limits {
        get { state.withLock { $0.limits } }
        set { state.withLock { $0.limits = newValue } }
    }

    /// Stops the worker from starting ordinary items (crisis items still run): a real pause of the real queue, so a
    /// test can hold an ordinary backlog in place. Anything already running finishes.
    func pauseOrdinary() { state.withLock { $0.paused = true } }

    /// Lets the worker take ordinary items again.
    func resumeOrdinary() {
        let owed = state.withLock { state -> Int in
            state.paused = false
            defer { state.owed = 0 }
            return state.owed
        }
        for _ in 0..<owed { queue.async { [self] in pump() } }
    }

    // MARK: The worker

    /// Queues an item on its lane and one pump block on the serial queue; false when the lane is full.
    private func enqueue(_ lane: Lane, what: String, lostIfRefused: Bool, _ item: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, logNow) = state.withLock { state -> (Bool, [String: Int]?) in
            switch lane {
            case .crisis where state.crisisDepth < state.limits.crisis:
                state.crisis.append(item)
                state.highWater.crisis = max(state.highWater.crisis, state.crisisDepth)
                return (true, nil)
            case .ordinary where state.ordinaryDepth < state.limits.ordinary:
                state.ordinary.append(item)
                state.highWater.ordinary = max(state.highWater.ordinary, state.ordinaryDepth)
                return (true, nil)
            default:
                if lane == .crisis { state.refused.crisis += 1 } else { state.refused.ordinary += 1 }
                state.unlogged["\(lane.rawValue) \(what)", default: 0] += 1
                let now = ContinuousClock.now
                guard state.lastLog.map({ now - $0 >= .seconds(60) }) ?? true else { return (false, nil) }
                state.lastLog = now
                defer { state.unlogged = [:] }
                return (false, state.unlogged)
            }
        }
        guard accepted else {
            // A write nobody waits for (an audit row, attendance) is lost: say so where operators look.
            if lostIfRefused { health.failed() }
            if let logNow {
                logger.warning("records queue full: refused", metadata: [
                    "hearth.refused": "\(logNow.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))",
                ])
            }
            return false
        }
        queue.async { [self] in pump() }
        return true
    }

    /// Runs the next item: the oldest crisis item if there is one, else the oldest ordinary one (unless paused).
    /// Each queued item schedules exactly one pump, so every item runs once.
    private func pump() {
        let next = state.withLock { state -> (@Sendable () -> Void)? in
            if state.crisisHead < state.crisis.count {
                state.running = .crisis
                return state.crisis.take(at: &state.crisisHead)
            }
            if !state.paused, state.ordinaryHead < state.ordinary.count {
                state.running = .ordinary
                return state.ordinary.take(at: &state.ordinaryHead)
            }
            state.owed += 1
            return nil
        }
        guard let next else { return }
        next()
        state.withLock { $0.running = nil }
    }
}

private extension Array {
    /// Takes the element at `head` and moves past it, dropping the taken prefix once it is half the storage.
    mutating func take<Wrapped>(at head: inout Int) -> Element where Element == Wrapped? {
        let element = self[head]
        self[head] = nil
        head += 1
        if head >= 1024, head * 2 >= count {
            removeFirst(head)
            head = 0
        }
        return element
    }
}

extension ProtocolError {
    /// The answer to a request whose record could not be written or read: "busy" (`internal` with `retry_after`)
    /// when its records lane was full, else `internal` with `message`.
    static func record(_ error: any Error, _ message: String) -> ProtocolError {
        error is RecordKeeper.QueueFull ? RecordKeeper.busy : ProtocolError(.internal, message)
    }
}
