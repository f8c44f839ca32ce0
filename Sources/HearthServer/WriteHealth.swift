import Foundation
import Synchronization

/// Whether the database has been taking writes: the last failed write, cleared by the next one that succeeds.
/// Written by the records queue and the message writer, read by `/healthz`. Safe from any thread.
final class WriteHealth: Sendable {
    private let lastFailure = Mutex<Date?>(nil)

    /// When the most recent write failed, while no write has succeeded since (nil: writes are going through).
    var failingSince: Date? { lastFailure.withLock { $0 } }

    func failed(at time: Date = Date()) { lastFailure.withLock { $0 = time } }

    func succeeded() { lastFailure.withLock { if $0 != nil { $0 = nil } } }
}
