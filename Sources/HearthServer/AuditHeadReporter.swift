import Dispatch
import Foundation
import HearthStore
import Logging
import Synchronization

/// Logs the audit chain's head (`audit head`: the last row's hash and the row count) at start, every hour and at
/// shutdown, so a copy of it lives outside the database (the system journal, a log server): `hearthd audit verify
/// --expect-head` then notices rows cut off the end. Reads on its own queue, never on the service thread; logs
/// only the hash and counts.
final class AuditHeadReporter: Sendable {
    private let log: AuditLog
    private let logger: Logger
    private let interval: Duration
    private let queue = DispatchQueue(label: "hearth.audit-head", qos: .utility)
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)

    init(database: HearthDatabase, logger: Logger, interval: Duration) {
        log = AuditLog(database)
        self.logger = logger
        self.interval = interval
    }

    /// Logs the head now (on the queue) and then every `interval`.
    func start() {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let every = DispatchTimeInterval.milliseconds(max(1, Int(seconds * 1000)))
        queue.async { [self] in report("start") }
        timer.withLock { current in
            current?.cancel()
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(deadline: .now() + every, repeating: every, leeway: .milliseconds(min(1000, max(1, Int(seconds * 100)))))
            source.setEventHandler { [self] in report("periodic") }
            source.resume()
            current = source
        }
    }

    /// Stops the timer and logs the head one last time, after the queue's last periodic read; returns once logged.
    func stop() {
        timer.withLock { source in
            source?.cancel()
            source = nil
        }
        queue.sync { report("shutdown") }
    }

    private func report(_ when: String) {
        do {
            let head = try log.head()
            logger.notice("audit head", metadata: [
                "hearth.audit.head": "\(head.hash)", "hearth.audit.rows": "\(head.rows)", "hearth.audit.when": "\(when)",
            ])
        } catch {
            logger.error("could not read the audit head", metadata: ["hearth.error": "\(type(of: error))"])
        }
    }
}
