import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// Who the access re-check looks at, taken on the service thread.
struct RecheckInput: Sendable {
    struct Entry: Sendable {
        var connectionID: ConnectionID
        var identity: Identity
        var tokenHash: Data
        /// The rooms it is in, waiting for or entering (not those opened with break-glass).
        var rooms: [RoomID]
    }
    var entries: [Entry]
    /// Every live room (their descriptors are refreshed).
    var liveRooms: [RoomID]
    /// Live multi-family rooms with staff in them (who lacks a group consent is read again).
    var multiFamilyRooms: [RoomDescriptor]
}

/// What the access re-check found, applied on the service thread. Only a confirmed loss of access is here: a failed
/// read keeps people connected.
struct RecheckOutcome: Sendable {
    struct Closing: Sendable {
        var person: PersonID
        var message: String
        var tokenEnded: Bool
    }
    var closing: [ConnectionID: Closing] = [:]
    /// Rooms each connection may no longer be in, with the `denied` message.
    var denied: [ConnectionID: [RoomID: String]] = [:]
    /// When each connection's access may next end with no write to the store (see `AccessChecks.setDue`).
    var due: [ConnectionID: Date] = [:]
    var descriptors: [RoomID: RoomDescriptor] = [:]
    /// The store's access version the descriptors were read at.
    var accessVersion: Int64 = 0
    var consentMissing: [RoomID: [MemberInfo]] = [:]
}

extension StoreReads {
    /// The access re-check's reads, off the service thread: every token at once, then each person's standing and
    /// access to each of their rooms (descriptors and standing come from the catalog, current for the store's
    /// access version and decided at `now`), the live rooms' descriptors, and who lacks a multi-family consent.
    func recheck(_ input: RecheckInput, now: Date) -> RecheckOutcome {
        var outcome = RecheckOutcome()
        let tokens = try? directory.workingTokens(input.entries.map(\.tokenHash), now: now)
        _ = try? catalog.read { reader in
            outcome.accessVersion = reader.accessVersion
            for entry in input.entries {
                let identity = entry.identity
                if let tokens, tokens[entry.tokenHash] == nil {
                    outcome.closing[entry.connectionID] = .init(
                        person: identity.id, message: "Your access has ended: it was revoked, or the session it was for is over.",
                        tokenEnded: true)
                    continue
                }
                if case .some(.some(let error)) = try? reader.standing(identity, series: nil, timeZone: .current, now: now) {
                    outcome.closing[entry.connectionID] = .init(person: identity.id, message: error.message, tokenEnded: false)
                    continue
                }
                var zones: Set<TimeZone> = [.current]
                for id in entry.rooms {
                    if outcome.descriptors[id] == nil { outcome.descriptors[id] = try? reader.descriptor(of: id) }
                    guard let room = outcome.descriptors[id] else { continue }
                    zones.insert(room.timeZone)
                    guard let message = Self.lostAccess(reader, identity, room, now: now) else { continue }
                    outcome.denied[entry.connectionID, default: [:]][id] = message
                }
                let due = [tokens?[entry.tokenHash] ?? nil,
                           try? reader.standingChanges(identity, in: Array(zones), after: now)]
                if let next = due.compactMap({ $0 ?? nil }).min() { outcome.due[entry.connectionID] = next }
            }
            for id in input.liveRooms where outcome.descriptors[id] == nil {
                outcome.descriptors[id] = try? reader.descriptor(of: id)
            }
        }
        for room in input.multiFamilyRooms {
            if let missing = try? multiFamily.missing(in: outcome.descriptors[room.id] ?? room, now: now) {
                outcome.consentMissing[room.id] = missing
            }
        }
        return outcome
    }

    /// The `denied` message for someone who may no longer be in a room, or nil while they may. Off the roster or
    /// out of their series consent: "no longer on the list"; a multi-family group consent gone: the message naming
    /// it. A failed read keeps them in.
    static func lostAccess(_ reader: RoomCatalog.Reader, _ identity: Identity, _ room: RoomDescriptor, now: Date) -> String? {
        if !AccessRule.mayAccess(identity, room) { return "You are no longer on the list for this session." }
        if case .some(.some) = try? reader.standing(identity, series: room.series, timeZone: room.timeZone, now: now) {
            return "You are no longer on the list for this session."
        }
        if case .some(.some(let refusal)) = try? reader.multiFamilyStanding(identity, in: room, now: now) {
            return refusal.message
        }
        return nil
    }
}

extension Hub {
    /// Once a second: when a connection's access may have ended by now with no write to the store (a token's
    /// expiry, an enrollment's end, a consent's last day over), every connection is checked again at once.
    func checkAccessComingDue(now: Date) {
        if accessChecks.takeDue(at: now) { recheckAccess() }
    }

    /// Once a second: reads the store's access version off the service thread (that read also tells `/healthz`
    /// whether the store answers). When it moved, or every `token_recheck_seconds`, every connection is checked
    /// again (`recheckAccess`).
    func readAccessVersion(at instant: ContinuousClock.Instant) {
        guard accessChecks.startVersionRead(at: instant) else { return }
        let catalog = self.catalog
        lookups.run({ try catalog.accessVersion() }) { [self] result in
            transport.execute { [self] in
                if accessChecks.versionRead(try? result.get(), startedAt: instant) { recheckAccess() }
            }
        }
    }

    /// Checks every connection again: its token, the person's standing, and each room it is in, waiting for or
    /// entering. Runs when the store's access version moves (another process revoked a token or a consent, ended an
    /// enrollment, edited a roster) and every `token_recheck_seconds`. The reads run off the service thread; the
    /// outcome is applied here, to the connections and rooms as they are by then. A failed read keeps people
    /// connected: only a confirmed loss of access closes or removes. One re-check at a time: one asked for while
    /// another runs follows it.
    func recheckAccess() {
        guard accessChecks.startRecheck() else { return }
        let now = clock(), input = AccessChecks.input(connections: connections, rooms: rooms)
        let reads = self.reads, checked = input.entries.map(\.connectionID)
        lookups.run({ reads.recheck(input, now: now) }) { [self] result in
            transport.execute { [self] in
                if case .success(let outcome) = result { apply(outcome, to: checked) }
                if accessChecks.finishRecheck() { recheckAccess() }
            }
        }
    }

    /// Applies a re-check: closes the connections whose token or standing is gone, takes connections out of rooms
    /// they lost (`denied`), refreshes live rooms' descriptors (telling a room that its `paused` changed), and tells
    /// staff in multi-family rooms who now lacks a group consent.
    private func apply(_ outcome: RecheckOutcome, to checked: [ConnectionID]) {
        for connectionID in checked {
            guard let connection = connections[connectionID], !connection.closing else { continue }
            accessChecks.setDue(outcome.due[connectionID], for: connectionID)
        }
        for (connectionID, closing) in outcome.closing {
            guard let connection = connections[connectionID], !connection.closing, connection.identity?.id == closing.person else { continue }
            logger.notice(closing.tokenEnded ? "token revoked or expired: closing" : "standing lost: closing",
                          metadata: ["hearth.person": "\(closing.person)"])
            closeForAccess(connection, closing.message)
        }
        for (connectionID, lost) in outcome.denied {
            guard let connection = connections[connectionID], !connection.closing, let identity = connection.identity else { continue }
            for (id, message) in lost.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !connection.breakGlass.contains(id) {
                let wasEntering = abandonEntering(connection, id)
                let wasIn = connection.rooms.remove(id) != nil
                if wasIn { removeFromRoom(connection, id) }
                let wasWaiting = connection.waitingRooms.contains(id)
                if wasWaiting { stopWaiting(connection, id) }
                guard wasEntering || wasIn || wasWaiting else { continue }
                logger.notice("room access lost", metadata: ["hearth.person": "\(identity.id)", "hearth.room": "\(id)"])
                reply(connection, .denied(.init(room: id, message: message)))
            }
        }
        // A live room's policies may have changed (requires staff turned on): tell the people in it.
        for (id, descriptor) in outcome.descriptors {
            if let room = rooms[id] { refresh(room, descriptor, readAt: outcome.accessVersion) }
        }
        refreshConsentMissing(outcome.consentMissing)
    }

    private func closeForAccess(_ connection: Connection, _ message: String) {
        for room in connection.rooms { removeFromRoom(connection, room) }
        for room in connection.waitingRooms { stopWaiting(connection, room) }
        connection.rooms = []
        connection.waitingRooms = []
        refuse(connection, message)
    }

    /// Every connected staff member who may access a room.
    func staffConnections(for room: RoomDescriptor) -> [Connection] {
        connections.values.filter { connection in
            guard let identity = connection.identity, identity.role.isStaff, !connection.closing else { return false }
            return AccessRule.mayAccess(identity, room)
        }
    }
}
