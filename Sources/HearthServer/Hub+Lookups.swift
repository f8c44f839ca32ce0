import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// The hub's bookkeeping of its work off the service thread (see `Lookups`). Service thread only.
struct LookupBook {
    /// The connections entering each room (their `joined` is being read).
    var entering: [RoomID: Set<ConnectionID>] = [:]
    var attempts = 0
    /// Moves when something a `joined` shows from the store changes in a live room (a message flagged, a report filed
    /// or resolved): a page read across such a change is read again.
    var revisions: [RoomID: Int] = [:]
    /// The access version each live room's descriptor was read at (`refresh` keeps the newest).
    var descriptorVersions: [RoomID: Int64] = [:]
    /// Live rooms evicted so far: a room's state read before an eviction is not used after it.
    var evictions = 0
    /// What was read for the request being handled before it was (`prefetch`); set only while it is handled.
    var people: [PersonID: PersonRecord?] = [:]
    var reports: [Int64: ReportRecord?] = [:]
    var originals: [String: StoredMessage?] = [:]
}

extension Hub {
    /// Most frames, and bytes in all, a connection may have waiting behind its lookups; past either, a request is
    /// answered "busy" (`internal` with `retry_after`). Before `hello` the tighter pre-hello limits apply first.
    static let maxHeldFrames = 64
    static let maxHeldBytes = 256 * 1024
    /// Most live messages kept for a connection entering a room; past it, its page is read again.
    static let maxMissedWhileEntering = 1_000

    // MARK: Waiting for a lookup

    /// Runs `work` on the lookups queue for a connection, then `then` on the service thread with its result, if the
    /// connection is still open. Meanwhile the connection's later frames wait (`hold`) and are handled in order
    /// afterwards (`releaseHeld`).
    func lookup<T: Sendable>(_ connection: Connection, _ work: @escaping @Sendable () throws -> T,
                             then: @escaping (Connection, Result<T, any Error>) -> Void) {
        let lookups = self.lookups
        awaitResult(connection, { done in lookups.run(work, done: done) }, then: then)
    }

    /// The same for a write the request waits for, on the records queue's ordinary lane (an invitation redeemed at
    /// sign-in). A full lane answers `QueueFull` at once.
    func recordLookup<T: Sendable>(_ connection: Connection, what: String, _ work: @escaping @Sendable () throws -> T,
                                   then: @escaping (Connection, Result<T, any Error>) -> Void) {
        let keeper = self.keeper
        awaitResult(connection, { done in keeper.run(lane: .ordinary, what: what, work, done: done) }, then: then)
    }

    private func awaitResult<T: Sendable>(_ connection: Connection,
                                          _ start: (@escaping @Sendable (Result<T, any Error>) -> Void) -> Void,
                                          then: @escaping (Connection, Result<T, any Error>) -> Void) {
        connection.awaiting += 1
        let connectionID = connection.id
        nonisolated(unsafe) let then = then
        start { [self] result in
            transport.execute { [self] in
                guard let connection = connections[connectionID] else { return }
                connection.awaiting -= 1
                if !connection.closing { then(connection, result) }
                releaseHeld(connection)
            }
        }
    }

    /// Keeps a frame that arrived while its connection waits for a lookup. Past the bound the request is answered
    /// "busy" at once (ahead of the replies to the frames before it) and dropped.
    func hold(_ frame: HeldFrame, on connection: Connection) {
        let bytes = if case .text(let text) = frame { text.count } else { 0 }
        guard connection.held.count < Self.maxHeldFrames, connection.heldBytes + bytes <= Self.maxHeldBytes else {
            var ref: String?
            if case .text(let text) = frame {
                switch codec.decodeClientRequest(text) {
                case .success(let request): ref = request.ref
                case .failure(let rejection): ref = rejection.ref
                }
            }
            logger.notice("too many requests waiting: refused busy", metadata: ["hearth.connection": "\(connection.id)"])
            return reply(connection, .error(.init(RecordKeeper.busy, ref: ref)))
        }
        connection.held.append(frame)
        connection.heldBytes += bytes
    }

    /// Handles the frames that waited, in order, until one of them waits for a lookup again.
    func releaseHeld(_ connection: Connection) {
        while connection.awaiting == 0, !connection.closing, !connection.held.isEmpty, connections[connection.id] === connection {
            switch connection.held.removeFirst() {
            case .text(let text):
                connection.heldBytes -= text.count
                process(text, on: connection)
            case .binary:
                processBinary(on: connection)
            }
        }
    }

    // MARK: Entering a room

    /// Marks a connection as entering a room: from now until its `joined` goes out, the room's messages it receives
    /// are kept for it. Returns the attempt, to recognise the answer.
    func beginEntering(_ connection: Connection, _ id: RoomID, snapshot: Int64?, arrived: Bool = false) -> Int {
        book.attempts += 1
        connection.entering[id] = Entering(attempt: book.attempts, snapshot: snapshot, arrived: arrived)
        book.entering[id, default: []].insert(connection.id)
        return book.attempts
    }

    /// Stops keeping the room's messages for a connection (it entered, or gave up).
    @discardableResult
    func endEntering(_ connection: Connection, _ id: RoomID) -> Entering? {
        guard let entering = connection.entering.removeValue(forKey: id) else { return nil }
        book.entering[id]?.remove(connection.id)
        if book.entering[id]?.isEmpty == true { book.entering[id] = nil }
        return entering
    }

    /// A connection will not enter the room after all (refused, turned away, gone): when its arrival was already
    /// announced, the room hears it left. Returns whether it was entering.
    @discardableResult
    func abandonEntering(_ connection: Connection, _ id: RoomID) -> Bool {
        guard let entering = endEntering(connection, id) else { return false }
        if entering.arrived { removeFromRoom(connection, id) }
        return true
    }

    /// A committed message was just delivered to a room: connections entering it that receive it keep it, to send
    /// right after their `joined` (those whose snapshot already holds it drop it then).
    func holdForEntering(_ message: StoredMessage) {
        guard let enteringIDs = book.entering[message.room] else { return }
        let audience = message.audience
        for connectionID in enteringIDs {
            guard let connection = connections[connectionID], let identity = connection.identity,
                  var entering = connection.entering[message.room],
                  audience.includes(identity.id, role: identity.role) else { continue }
            if entering.missed.count >= Self.maxMissedWhileEntering {
                entering.overflowed = true
                entering.missed = []
            } else if !entering.overflowed {
                entering.missed.append(message)
            }
            connection.entering[message.room] = entering
        }
    }

    /// Something a `joined` shows from the store changed in a live room (a flag, a report): a page being read
    /// across it is read again.
    func roomRevised(_ id: RoomID) {
        book.revisions[id, default: 0] += 1
    }

    // MARK: Rooms read off the loop

    /// Makes a room live for a request that acts on it: its state is read on the lookups queue, then `then` runs with
    /// it. Answers `not_found` or `internal` itself when the room cannot be loaded.
    func loadRoom(_ id: RoomID, for connection: Connection, ref: String?, then: @escaping (Connection, LiveRoom) -> Void) {
        if let room = rooms[id] { return then(connection, room) }
        let reads = self.reads, evictions = book.evictions, now = clock()
        lookup(connection, { try reads.load(id, now: now) }) { [self] connection, result in
            switch result {
            case .success(let load?):
                guard let room = adopt(load, evictions: evictions) else {
                    return loadRoom(id, for: connection, ref: ref, then: then)
                }
                then(connection, room)
            case .success(nil):
                reply(connection, .error(.init(.notFound("There is no room \(id)."), ref: ref)))
            case .failure:
                logger.error("room lookup failed", metadata: ["hearth.room": "\(id)"])
                reply(connection, .error(.init(.init(.internal, "The server could not load this room. Try again."), ref: ref)))
            }
        }
    }

    /// The live room for a state read off the service thread: the one already live (its descriptor refreshed from
    /// the read), or a new one from the state. Nil when a room was evicted since the read began: read again.
    func adopt(_ load: RoomLoad, evictions: Int) -> LiveRoom? {
        let id = load.descriptor.id
        if let room = rooms[id] {
            refresh(room, load.descriptor, readAt: load.accessVersion)
            return room
        }
        guard evictions == book.evictions else { return nil }
        let room = LiveRoom(descriptor: load.descriptor, deliveredSeq: load.latestSeq, admitted: load.admitted,
                            agreed: load.agreed, control: load.control, restrictions: load.restrictions)
        rooms[id] = room
        book.descriptorVersions[id] = load.accessVersion
        return room
    }

    /// Takes a fresher descriptor for a live room (the roster or its policies may have changed); tells the room when
    /// that pauses or resumes it. Reads run on several queues and may come back out of order: a descriptor read at
    /// an older access version than the room's is not taken.
    func refresh(_ room: LiveRoom, _ descriptor: RoomDescriptor, readAt version: Int64) {
        let id = descriptor.id
        if let current = book.descriptorVersions[id], version < current { return }
        book.descriptorVersions[id] = version
        let wasPaused = room.paused
        room.descriptor = descriptor
        if room.paused != wasPaused { announcePaused(room) }
    }

    /// Evicts the live rooms with no connections, nothing in flight, nobody entering and a window that has closed.
    func evictIdleRooms(now: Date) {
        for (id, room) in rooms where room.isIdle && room.descriptor.closes < now && book.entering[id] == nil {
            rooms.removeValue(forKey: id)
            book.revisions.removeValue(forKey: id)
            book.descriptorVersions.removeValue(forKey: id)
            book.evictions += 1
        }
    }

    // MARK: Reads a request needs before it is decided

    /// Reads off the service thread what a request needs from the store before the hub can decide it, then hands
    /// it to `dispatch`: a room that is not live yet (staff actions, reports, records), the person a moderation
    /// action names when they are not in the room, the report `report_ack` names, and the original of a message
    /// sent again after its room closed. Returns false when nothing needs reading (the caller dispatches at once).
    func prefetch(_ request: ClientRequest, _ identity: Identity, from connection: Connection) -> Bool {
        func load(_ room: RoomID) -> Bool {
            guard rooms[room] == nil else { return false }
            loadRoom(room, for: connection, ref: request.ref) { [self] connection, _ in dispatch(request, identity, connection) }
            return true
        }
        let reads = self.reads
        switch request.command {
        case .admit(let room, _), .deny(let room, _, _), .summary(let room), .note(let room, _), .notes(let room),
             .transcript(let room, _, _, _):
            return load(room)
        case .attendance(let room?, _):
            return load(room)
        case .breakGlass(let room, _) where identity.role == .admin:
            return load(room)
        case .reportAck(let id, _):
            let now = clock(), evictions = book.evictions
            lookup(connection, { () throws -> (ReportRecord?, RoomLoad?) in
                guard let report = try reads.moderation.report(id) else { return (nil, nil) }
                return (report, try reads.load(report.room, now: now))
            }) { [self] connection, result in
                let (report, load) = (try? result.get()) ?? (nil, nil)
                // A room evicted meanwhile stays unloaded: the request then answers `internal` (try again).
                if let load { _ = adopt(load, evictions: evictions) }
                book.reports[id] = .some(report)
                defer { book.reports = [:] }
                dispatch(request, identity, connection)
            }
            return true
        case .moderate(let room, let action):
            guard let member = action.member, connection.rooms.contains(room), let live = rooms[room],
                  live.present[member] == nil, live.waiting[member] == nil else { return false }
            lookup(connection, { try reads.directory.person(member) }) { [self] connection, result in
                book.people[member] = .some(try? result.get())
                defer { book.people = [:] }
                dispatch(request, identity, connection)
            }
            return true
        case .send(let room, _, let clientID, _, _):
            guard connection.rooms.contains(room), let live = rooms[room], !live.descriptor.isOpen(at: clock()) else { return false }
            let key = Self.originalKey(room, identity.id, clientID)
            lookup(connection, { try reads.messages.message(in: room, from: identity.id, clientID: clientID) }) {
                [self] connection, result in
                book.originals[key] = .some(try? result.get())
                defer { book.originals = [:] }
                dispatch(request, identity, connection)
            }
            return true
        default:
            return false
        }
    }

    /// The person a moderation action names, as read for it before it was handled (nil: no such person).
    func knownPerson(_ id: PersonID) -> PersonRecord? { book.people[id] ?? nil }

    /// The report `report_ack` names, as read for it before it was handled (nil: no such report).
    func knownReport(_ id: Int64) -> ReportRecord? { book.reports[id] ?? nil }

    /// The message a sender stored in a room under a client_id, as read before a send to the closed room was
    /// handled (nil: none).
    func storedOriginal(in room: RoomID, from sender: PersonID, clientID: String) -> StoredMessage? {
        book.originals[Self.originalKey(room, sender, clientID)] ?? nil
    }

    private static func originalKey(_ room: RoomID, _ sender: PersonID, _ clientID: String) -> String {
        "\(room.rawValue) \(sender.rawValue) \(clientID)"
    }
}
