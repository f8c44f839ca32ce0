import Foundation
import HearthCore
import HearthTransport

/// The hub's bookkeeping of access re-checks, and nothing else: the store's access version last acted on and the
/// once-a-second read of it (which also tells `/healthz` whether the store answers), when every connection is due to
/// be checked again (the version moved, `token_recheck_seconds` passed, or a connection's access may end by now with
/// no write to the store), one re-check at a time, and who a re-check looks at. It decides when; the hub runs the
/// reads on the lookups queue (`StoreReads.recheck`) and applies what they found. No I/O and no clock: the clinic's
/// clock (`Date`) and the monotonic one (`ContinuousClock.Instant`) are passed in. Service thread only (a value the
/// hub owns).
struct AccessChecks {
    /// A store read unanswered for this long makes `/healthz` say the database is unavailable.
    static let readStall: Duration = .seconds(5)

    /// How often every connection is checked even when the access version did not move.
    let recheckInterval: Duration
    /// The store's access version last acted on: every connection was checked against it, or is being.
    private(set) var version: Int64
    /// When every connection was last checked because of the version or the interval (monotonic clock).
    private var lastRecheck: ContinuousClock.Instant
    /// The access-version read under way, since then.
    private var versionReadSince: ContinuousClock.Instant?
    /// Whether the last read of the store's access version succeeded.
    private(set) var storeReadable: Bool
    /// When each signed-in connection's access may end with no write to the store (its token's expiry, an
    /// enrollment's end, a consent's last day over): it is checked again then.
    private var due: [ConnectionID: Date] = [:]
    /// A re-check is under way; another is due when it ends.
    private var rechecking = false
    private var recheckAgain = false

    /// - Parameter version: the store's access version read while the server is built; nil when it could not be.
    init(version: Int64?, recheckSeconds: Int, at instant: ContinuousClock.Instant) {
        self.version = version ?? 0
        storeReadable = version != nil
        recheckInterval = .seconds(recheckSeconds)
        lastRecheck = instant
    }

    // MARK: The access version

    /// The tick wants to read the store's access version: true when it may (none is under way).
    mutating func startVersionRead(at instant: ContinuousClock.Instant) -> Bool {
        guard versionReadSince == nil else { return false }
        versionReadSince = instant
        return true
    }

    /// The access-version read started at `instant` came back (nil: it failed). True when every connection is to be
    /// checked again now: the version moved, or `recheckInterval` passed since the last such re-check. A failed
    /// read keeps the version last seen.
    mutating func versionRead(_ read: Int64?, startedAt instant: ContinuousClock.Instant) -> Bool {
        versionReadSince = nil
        storeReadable = read != nil
        let read = read ?? version
        guard read != version || instant - lastRecheck >= recheckInterval else { return false }
        version = read
        lastRecheck = instant
        return true
    }

    /// Whether the store answers, for `/healthz`: its last access-version read succeeded, and the one under way (if
    /// any) has not waited `readStall`.
    func storeAnswers(at instant: ContinuousClock.Instant) -> Bool {
        storeReadable && !(versionReadSince.map { instant - $0 > Self.readStall } ?? false)
    }

    /// Whether a sign-in's reads, made at access version `readAt`, may be used: a re-check started since the version
    /// moved did not cover that connection, so an older read is read again.
    func isCurrent(readAt: Int64) -> Bool { readAt >= version }

    // MARK: When a connection's access may end

    /// When a signed-in connection's access may next end with no write to the store (nil: not foreseen).
    mutating func setDue(_ date: Date?, for connection: ConnectionID) {
        due[connection] = date
    }

    /// The connection closed: nothing is due for it.
    mutating func forget(_ connection: ConnectionID) {
        due[connection] = nil
    }

    /// Takes out the connections whose access may have ended by `now`: true when any did (every connection is then
    /// checked again, which sets their next due time).
    mutating func takeDue(at now: Date) -> Bool {
        let ended = due.filter { $0.value <= now }.keys
        for connection in ended { due[connection] = nil }
        return !ended.isEmpty
    }

    /// When a connection's access is next due to be checked (for tests and logs).
    func dueDate(of connection: ConnectionID) -> Date? { due[connection] }

    // MARK: One re-check at a time

    /// A re-check is wanted: true when it may start now; false when one is under way (another follows it).
    mutating func startRecheck() -> Bool {
        guard !rechecking else {
            recheckAgain = true
            return false
        }
        rechecking = true
        return true
    }

    /// The re-check under way ended: true when another was asked for meanwhile (start it now).
    mutating func finishRecheck() -> Bool {
        rechecking = false
        defer { recheckAgain = false }
        return recheckAgain
    }

    // MARK: Who a re-check looks at

    /// Every signed-in connection not closing, with the rooms it is in, waiting for or entering (not those opened
    /// with break-glass: that access lasts for the rest of the connection, while the token and standing hold); every
    /// live room, and the live multi-family rooms with staff in them.
    static func input(connections: [ConnectionID: Connection], rooms: [RoomID: LiveRoom]) -> RecheckInput {
        var entries: [RecheckInput.Entry] = []
        for connection in connections.values where !connection.closing {
            guard let hash = connection.tokenHash, let identity = connection.identity else { continue }
            let rooms = connection.rooms.union(connection.waitingRooms).union(connection.entering.keys)
                .subtracting(connection.breakGlass)
            entries.append(.init(connectionID: connection.id, identity: identity, tokenHash: hash, rooms: Array(rooms)))
        }
        let multiFamily = rooms.values.filter { room in
            room.descriptor.kind == .multiFamily
                && room.connections.contains { connections[$0]?.identity?.role.isStaff == true }
        }.map(\.descriptor)
        return RecheckInput(entries: entries, liveRooms: Array(rooms.keys), multiFamilyRooms: multiFamily)
    }
}
