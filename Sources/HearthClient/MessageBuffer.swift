import HearthCore

/// A room's messages, one per `seq`, in `seq` order, at most `limit` of them: when a message makes one too many, the
/// oldest goes. A repeat of a `seq` replaces the copy held (the later copy knows more) and does not count as new.
public struct MessageBuffer: Equatable, Sendable, RandomAccessCollection {
    /// The most messages kept.
    public let limit: Int
    private var storage: [ChatMessage] = []

    public init(limit: Int) {
        precondition(limit > 0, "a message buffer holds at least one message")
        self.limit = limit
    }

    public var startIndex: Int { storage.startIndex }
    public var endIndex: Int { storage.endIndex }
    public subscript(position: Int) -> ChatMessage { storage[position] }

    /// The oldest and newest `seq` held.
    public var firstSeq: Int64? { storage.first?.seq }
    public var lastSeq: Int64? { storage.last?.seq }

    /// The message with this `seq`, if held.
    public func message(seq: Int64) -> ChatMessage? {
        let index = insertionIndex(of: seq)
        return index < storage.count && storage[index].seq == seq ? storage[index] : nil
    }

    /// Adds a message, or replaces the copy with the same `seq`.
    /// - Returns: true when the `seq` was not held before (even if, older than everything in a full buffer, it
    ///   was dropped at once).
    @discardableResult
    mutating func insert(_ message: ChatMessage) -> Bool {
        // Live messages arrive in order: appending is the common case.
        if let last = storage.last, last.seq >= message.seq {
            let index = insertionIndex(of: message.seq)
            if index < storage.count && storage[index].seq == message.seq {
                storage[index] = message
                return false
            }
            storage.insert(message, at: index)
        } else {
            storage.append(message)
        }
        if storage.count > limit { storage.removeFirst(storage.count - limit) }
        return true
    }

    /// Changes the message with this `seq` in place, if held.
    @discardableResult
    mutating func update(seq: Int64, _ change: (inout ChatMessage) -> Void) -> Bool {
        let index = insertionIndex(of: seq)
        guard index < storage.count, storage[index].seq == seq else { return false }
        change(&storage[index])
        return true
    }

    /// The first index whose `seq` is not below `seq`.
    private func insertionIndex(of seq: Int64) -> Int {
        var low = 0, high = storage.count
        while low < high {
            let middle = (low + high) / 2
            if storage[middle].seq < seq { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
