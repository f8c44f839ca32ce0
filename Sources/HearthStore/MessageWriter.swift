import Foundation
import GRDB
import HearthCore
import Logging
import Synchronization

/// A message the hub wants stored. `Tag` is the caller's own routing data (which connection to ack).
public struct PendingMessage<Tag: Sendable>: Sendable {
    public var room: RoomID
    public var sender: MemberInfo
    public var body: String
    public var clientID: String
    public var sentAt: Date
    public var kind: MessageKind
    /// A whisper's member.
    public var to: MemberInfo?
    /// Stored held for a counselor's review.
    public var held: Bool
    public var tag: Tag

    public init(room: RoomID, sender: MemberInfo, body: String, clientID: String, sentAt: Date,
                kind: MessageKind = .chat, to: MemberInfo? = nil, held: Bool = false, tag: Tag) {
        self.room = room; self.sender = sender; self.body = body; self.clientID = clientID
        self.sentAt = sentAt; self.kind = kind; self.to = to; self.held = held; self.tag = tag
    }
}

/// What happened to one pending message.
public enum WriteOutcome<Tag: Sendable>: Sendable {
    /// Newly committed with the next seq of its room.
    case committed(StoredMessage, Tag)
    /// The sender already used this client_id in this room: the original message, nothing new stored.
    case duplicate(StoredMessage, Tag)
    /// Not stored (the batch's transaction failed); the sender should retry with the same client_id.
    case failed(PendingMessage<Tag>, reason: String)
}

/// The group-commit writer: one thread owns every message insert. Callers `submit` from any thread; the thread
/// takes everything queued since its last commit, writes it in one transaction (seq numbers are assigned inside
/// it, per room, with no gaps), and hands the outcomes, in commit order, to `onCommit`.
public final class MessageWriter<Tag: Sendable>: Sendable {
    private struct Queue {
        var items: [PendingMessage<Tag>] = []
        var stopping = false
    }

    private let database: HearthDatabase
    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let maxBatch: Int
    private let onCommit: @Sendable ([WriteOutcome<Tag>]) -> Void
    private let observeCommit: (@Sendable (_ messages: Int, _ duration: Duration) -> Void)?
    private let logger: Logger
    /// Batches and messages committed so far (for the benchmark and logs).
    private let counters = Mutex((batches: 0, messages: 0))

    /// How many messages may wait for a commit (`queued`) before the caller must refuse more: the queue is bounded
    /// by the caller checking `queued` before it accepts a message (`submit` itself never drops one).
    public let maxQueued: Int
    /// Generous: ten full batches, well under a second of commits on a healthy disk.
    public static var defaultMaxQueued: Int { 10_000 }

    /// Starts the writer thread.
    /// - Parameters:
    ///   - observeCommit: Called on the writer thread after each transaction with its size and how long it took
    ///     (the statements, the commit and its fsync): for metrics.
    ///   - onCommit: Called on the writer thread after each transaction, with outcomes in seq order.
    public init(database: HearthDatabase, maxBatch: Int = 1000, maxQueued: Int = MessageWriter.defaultMaxQueued,
                logger: Logger, observeCommit: (@Sendable (_ messages: Int, _ duration: Duration) -> Void)? = nil,
                onCommit: @escaping @Sendable ([WriteOutcome<Tag>]) -> Void) {
        self.database = database
        self.observeCommit = observeCommit
        self.maxBatch = max(1, maxBatch)
        self.maxQueued = max(1, maxQueued)
        self.onCommit = onCommit
        self.logger = logger
        let thread = Thread { [self] in self.run() }
        thread.name = "hearth-writer"
        thread.start()
    }

    /// Queues messages for the next commit. Never blocks on the database.
    public func submit(_ messages: [PendingMessage<Tag>]) {
        guard !messages.isEmpty else { return }
        let shouldWake = queue.withLock { queue in
            let wasEmpty = queue.items.isEmpty
            queue.items.append(contentsOf: messages)
            return wasEmpty
        }
        if shouldWake { wake.signal() }
    }

    /// Commits what is queued, then stops the thread. Returns when the last outcome has been handed over.
    /// Calling it again does nothing.
    public func stop() {
        let first = queue.withLock { queue in
            defer { queue.stopping = true }
            return !queue.stopping
        }
        guard first else { return }
        wake.signal()
        finished.wait()
    }

    /// Messages submitted and not yet taken into a transaction.
    public var queued: Int { queue.withLock { $0.items.count } }

    /// Transactions and messages committed since start.
    public var committed: (batches: Int, messages: Int) { counters.withLock { $0 } }

    private func run() {
        var lastSeq: [RoomID: Int64] = [:]
        while true {
            wake.wait()
            while true {
                let (batch, stopping) = queue.withLock { queue -> ([PendingMessage<Tag>], Bool) in
                    if queue.items.count <= maxBatch {
                        // The usual case: take the whole queue, without copying it.
                        var batch: [PendingMessage<Tag>] = []
                        swap(&batch, &queue.items)
                        return (batch, queue.stopping)
                    }
                    let batch = Array(queue.items.prefix(maxBatch))
                    queue.items.removeFirst(maxBatch)
                    return (batch, queue.stopping)
                }
                if batch.isEmpty {
                    if stopping { finished.signal(); return }
                    break
                }
                let started = ContinuousClock.now
                let outcomes = commit(batch, lastSeq: &lastSeq)
                observeCommit?(batch.count, ContinuousClock.now - started)
                onCommit(outcomes)
            }
        }
    }

    private func commit(_ batch: [PendingMessage<Tag>], lastSeq: inout [RoomID: Int64]) -> [WriteOutcome<Tag>] {
        var seqs = lastSeq
        do {
            let outcomes = try database.pool.write { db -> [WriteOutcome<Tag>] in
                // The unique index on (roomId, senderId, clientId) decides whether a message is new: the INSERT
                // does nothing for a client_id the sender already used in the room (in an earlier transaction or
                // earlier in this one), and only then is the original read, for its ack.
                let insert = try MessageInsert(db)
                let latestSeq = try db.cachedStatement(sql: "SELECT MAX(seq) FROM message WHERE roomId = ?")
                let findOriginal = try db.cachedStatement(sql: MessageStore.select + """
                     WHERE m.roomId = ? AND m.senderId = ? AND m.clientId = ?
                    """)
                var outcomes: [WriteOutcome<Tag>] = []
                outcomes.reserveCapacity(batch.count)
                for pending in batch {
                    let previous: Int64
                    if let known = seqs[pending.room] {
                        previous = known
                    } else {
                        previous = try Int64.fetchOne(latestSeq, arguments: [pending.room]) ?? 0
                    }
                    let seq = previous + 1
                    let message = StoredMessage(room: pending.room, seq: seq, id: IDGenerator.message(),
                                                sender: pending.sender, body: pending.body, clientID: pending.clientID,
                                                sentAt: pending.sentAt, kind: pending.kind, to: pending.to,
                                                held: pending.held)
                    if try insert.run(message, in: db) {
                        seqs[pending.room] = seq
                        outcomes.append(.committed(message, pending.tag))
                        continue
                    }
                    // Nothing inserted: the sender already used this client_id here. The seq is not used.
                    guard let row = try Row.fetchOne(findOriginal,
                                                     arguments: [pending.room, pending.sender.id, pending.clientID]) else {
                        throw DatabaseError(resultCode: .SQLITE_INTERNAL,
                                            message: "a message insert did nothing and there is no original")
                    }
                    outcomes.append(.duplicate(MessageStore.message(row), pending.tag))
                }
                return outcomes
            }
            lastSeq = seqs
            counters.withLock { $0.batches += 1; $0.messages += outcomes.count }
            return outcomes
        } catch {
            // Nothing of this batch was stored; seqs stay where the last good commit left them.
            logger.error("message batch failed", metadata: [
                "hearth.batch.size": "\(batch.count)", "hearth.db.error": "\((error as? DatabaseError)?.resultCode.description ?? "\(type(of: error))")",
            ])
            return batch.map { .failed($0, reason: "The message could not be saved. Send it again.") }
        }
    }
}
