import Foundation

/// Size limits a message must respect.
public struct MessageLimits: Hashable, Sendable, Codable {
    /// Longest body, in characters (extended grapheme clusters, what a person counts).
    public var maxBodyCharacters: Int = 4000
    /// Messages in `joined` when no `after_seq` is given.
    public var joinPage: Int = 50
    /// Most messages in `joined` when resuming with `after_seq`.
    public var resumePage: Int = 500
    /// Most messages per `history` request.
    public var historyMax: Int = 200
    /// A `joined` or `history` page stops growing at about this many bytes of message text (`more` says the rest
    /// is still there), so one reply never floods a connection's send queue.
    public var pageBytes: Int = 256 * 1024

    public init() {}

    /// How many of `sizes` (message body sizes in bytes, in page order) fit in one page, keeping at least one.
    public func pageFit(_ sizes: some Sequence<Int>) -> Int {
        var total = 0, count = 0
        for size in sizes {
            total += size + 200
            if count > 0 && total > pageBytes { break }
            count += 1
        }
        return count
    }

    /// Checks a body before it is stored.
    public func validate(body: String) -> ProtocolError? {
        if body.utf8.count > maxBodyCharacters, body.count > maxBodyCharacters {
            return ProtocolError(.tooLarge, "A message can be at most \(maxBodyCharacters) characters.")
        }
        if body.allSatisfy(\.isWhitespace) {
            return .badRequest("A message cannot be empty.")
        }
        return nil
    }
}
