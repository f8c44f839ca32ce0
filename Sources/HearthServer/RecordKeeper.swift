import Foundation
import HearthStore
import Logging

/// The hub's clinical record writes (attendance, agreements, waiting-room decisions, check-ins, alerts) and the
/// reports that read them, run in order on one serial queue so the service thread never waits for the database's
/// write lock. A report queued after a write sees it.
final class RecordKeeper: Sendable {
    private let queue = DispatchQueue(label: "hearth.records")
    let attendance: AttendanceStore
    let records: SessionRecords
    /// Failed and successful writes, for `/healthz`.
    let health: WriteHealth
    private let logger: Logger

    init(database: HearthDatabase, health: WriteHealth = WriteHealth(), logger: Logger) {
        self.health = health
        attendance = AttendanceStore(database)
        records = SessionRecords(database)
        self.logger = logger
    }

    /// Runs a write in order; a failure is logged (never with personal data) and shows in `/healthz`.
    /// - Parameter done: Told whether it was stored (on this queue: hop back to the service thread with
    ///   `WebSocketServer.execute`). A request answered `ok` waits for it: nothing is `ok` that was not stored.
    func write(_ what: String, _ work: @escaping @Sendable () throws -> Void,
               done: (@Sendable (Result<Void, any Error>) -> Void)? = nil) {
        queue.async { [logger, health] in
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
    }

    /// Runs work after every write queued before it, then hands the result to `done` (on this queue: hop back to
    /// the service thread with `WebSocketServer.execute`).
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T, done: @escaping @Sendable (Result<T, any Error>) -> Void) {
        queue.async { done(Result { try work() }) }
    }

    /// Waits until every queued write has run.
    func drain() { queue.sync {} }
}
