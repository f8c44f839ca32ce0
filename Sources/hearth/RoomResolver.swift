import Foundation
import HearthCore

/// A room named on the command line, once resolved: its id, and its ROOM object when a list had it.
struct ResolvedRoom: Sendable, Equatable {
    var id: RoomID
    var summary: RoomSummary?

    /// The title, or the id when only the id is known.
    var title: String { summary?.title ?? id.rawValue }
}

/// Resolves ROOM as the screen does: a room id, or a unique case-insensitive prefix of a room's title.
///
/// A weekly series lists today's meeting and the next one under one title, so when a prefix matches several rooms
/// the one open now is meant, else the one starting today; a title typed in full beats titles it is the start of.
/// Anything still ambiguous is an error listing the matches.
///
/// ```swift
/// let resolver = RoomResolver(rooms: welcome.rooms, now: Date())
/// try resolver.resolve("group")   // "Group therapy (evening IOP)", open now
/// try resolver.resolve("r_ftmf2fs8svhqjzk9d9yk")
/// ```
struct RoomResolver {
    private(set) var rooms: [RoomSummary]
    var now: Date

    init(rooms: [RoomSummary], now: Date) {
        self.rooms = []
        self.now = now
        add(rooms)
    }

    /// Adds rooms not listed yet (e.g. from `schedule`).
    mutating func add(_ more: [RoomSummary]) {
        var seen = Set(rooms.map(\.id))
        for room in more where seen.insert(room.id).inserted { rooms.append(room) }
    }

    /// Whether `text` has the shape of a room id (`r_…`), so it may be tried on the server as is.
    static func looksLikeID(_ text: String) -> Bool {
        text.hasPrefix("r_") && text.count > 2 && text.utf8.count <= 64 && !text.contains(where: \.isWhitespace)
    }

    /// The room `query` names among `rooms`; nil when none matches.
    /// - Throws: `CLIError.ambiguousRoom` listing the matches.
    func resolve(_ query: String) throws(CLIError) -> ResolvedRoom? {
        let query = query.trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else { return nil }
        if let room = rooms.first(where: { $0.id.rawValue == query }) { return ResolvedRoom(id: room.id, summary: room) }
        let folded = Self.fold(query)
        var matches = rooms.filter { Self.fold($0.title).hasPrefix(folded) }
        guard !matches.isEmpty else { return nil }
        let exact = matches.filter { Self.fold($0.title) == folded }
        if !exact.isEmpty { matches = exact }
        for tier in [matches.filter(isOpenNow), matches.filter(startsToday), matches] where !tier.isEmpty {
            guard tier.count == 1 else { throw .ambiguousRoom(query: query, matches: tier) }
            return ResolvedRoom(id: tier[0].id, summary: tier[0])
        }
        return nil
    }

    private func isOpenNow(_ room: RoomSummary) -> Bool { RoomTable.state(room, now: now) == "open" }

    private func startsToday(_ room: RoomSummary) -> Bool {
        guard let starts = WireTime.parse(room.starts), let zone = TimeZone(identifier: room.timeZone) else { return false }
        return LocalDate(starts, in: zone) == LocalDate(now, in: zone)
    }

    /// Case- and accent-insensitive form for prefix matching.
    private static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }
}
