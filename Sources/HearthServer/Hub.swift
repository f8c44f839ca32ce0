import Foundation
import HearthCore
import HearthStore
import HearthTransport
import Logging

/// Routing data for a pending message: whom to acknowledge.
struct SendOrigin: Sendable {
    var connectionID: ConnectionID
    var ref: String?
    /// The crisis signal the message matched, if any: the alert is raised once it is committed.
    var crisis: CrisisMatch? = nil
}

/// The heart of the server. It owns every connection and live room, and runs only on the transport's service thread:
/// transport callbacks call it directly, and work from other threads (commits, records, lookups) arrives through
/// `WebSocketServer.execute`. Nothing here takes a lock, and nothing here waits on the database: reads go to the
/// lookups queue (`Lookups`), writes to the writer and the records queue.
final class Hub: WebSocketServerDelegate, @unchecked Sendable {
    let configuration: ServerConfiguration
    let database: HearthDatabase
    let directory: Directory
    let schedule: ScheduleStore
    let messages: MessageStore
    let programs: ProgramStore
    let keeper: RecordKeeper
    let reporter: AttendanceReporter
    let moderation: ModerationStore
    let audit: AuditLog
    /// Hearth's crisis lexicon with the clinic's changes, scanned over every participant message.
    let lexicon: CrisisLexicon
    let logger: Logger
    let clock: @Sendable () -> Date
    let codec = FrameCodec()
    let version: String
    unowned let transport: any ServerTransport
    var writer: MessageWriter<SendOrigin>!

    var connections: [ConnectionID: Connection] = [:]
    /// Request allowances per person, shared by all their connections, and the tally of refused requests.
    var limiter = RequestLimiter()
    var rooms: [RoomID: LiveRoom] = [:]
    /// Messages accepted during this loop turn, handed to the writer when the turn ends (group commit).
    var pendingWrites: [PendingMessage<SendOrigin>] = []
    /// Housekeeping runs on the monotonic clock: the injected `clock` is the clinic's wall time, for room windows.
    var lastMaterialize = ContinuousClock.now
    var lastHeartbeat = ContinuousClock.now
    /// When the last tick ran, to see how late the next one runs (`hearth_event_loop_stall_seconds`).
    var lastTick: ContinuousClock.Instant?
    /// The transport's slow-consumer closures already added to `hearth_send_queue_closures_total`.
    var reportedSlowClosures = 0
    /// When connections' access is checked again, and the store's access version last acted on (`AccessChecks`).
    var accessChecks: AccessChecks
    /// The open alerts watched for escalation and the pace of their frames (`AlertDesk`).
    var alertDesk: AlertDesk
    /// The last retention purge, on the monotonic clock (nil: not yet this run).
    var lastPurge: ContinuousClock.Instant?
    /// Where store reads run (off the service thread), the room descriptors and standing kept in memory, and the
    /// reads themselves.
    let lookups = Lookups()
    let catalog: RoomCatalog
    /// Decides notes, transcripts and reports (`RecordsDesk`).
    let recordsDesk: RecordsDesk
    /// What `metrics_address` serves (recorded whether or not it is served).
    let metrics = ServerMetrics()
    let reads: StoreReads
    /// Work under way off the service thread: connections entering rooms, room revisions and evictions, the reads
    /// a request needed first.
    var book = LookupBook()

    init(configuration: ServerConfiguration, database: HearthDatabase, transport: any ServerTransport, version: String,
         lexicon: CrisisLexicon, logger: Logger, clock: @escaping @Sendable () -> Date) {
        self.configuration = configuration
        self.database = database
        self.directory = Directory(database)
        self.schedule = ScheduleStore(database)
        self.messages = MessageStore(database)
        self.programs = ProgramStore(database)
        self.keeper = RecordKeeper(database: database, logger: logger)
        self.reporter = AttendanceReporter(database, defaultWindow: configuration.window)
        self.moderation = ModerationStore(database)
        self.audit = AuditLog(database)
        self.lexicon = lexicon
        self.catalog = RoomCatalog(database, defaultWindow: configuration.window)
        self.recordsDesk = RecordsDesk(moderation: moderation, reporter: reporter, exporter: TranscriptExporter(database),
                                       window: configuration.window)
        self.reads = StoreReads(catalog: catalog, directory: directory, messages: messages, records: keeper.records,
                                moderation: moderation, multiFamily: MultiFamilyConsentStore(database),
                                limits: configuration.limits)
        // Read once while the server is built, before the service thread runs.
        self.accessChecks = AccessChecks(version: try? catalog.accessVersion(),
                                         recheckSeconds: configuration.tokenRecheckSeconds, at: .now)
        self.transport = transport
        self.version = version
        self.logger = logger
        self.clock = clock
        self.alertDesk = AlertDesk(escalationSeconds: configuration.alertEscalationSeconds)
    }

    // MARK: Transport events

    func connectionOpened(_ connectionID: ConnectionID) {
        connections[connectionID] = Connection(id: connectionID, openedAt: .now)
        logger.debug("connection opened", metadata: ["hearth.connection": "\(connectionID)"])
    }

    func received(text: [UInt8], on connectionID: ConnectionID) {
        guard let connection = connections[connectionID], !connection.closing else { return }
        if connection.identity == nil, !connection.signIn.received(bytes: text.count) {
            return closeBeforeHello(connection, .badRequest(SignIn.tooMuch))
        }
        // Behind a request whose reads run off the service thread, frames wait their turn (`Hub+Lookups`).
        if connection.awaiting > 0 { return hold(.text(text), on: connection) }
        process(text, on: connection)
    }

    /// Decodes and handles one frame of a connection, in its turn.
    func process(_ text: [UInt8], on connection: Connection) {
        switch codec.decodeClientRequest(text) {
        case .failure(let rejection):
            guard let identity = connection.identity else {
                return closeBeforeHello(connection, rejection.error, ref: rejection.ref)
            }
            guard withinAllowance(.other, identity, connection, ref: rejection.ref) else { return }
            reply(connection, .error(.init(rejection.error, ref: rejection.ref)))
        case .success(let request):
            handle(request, from: connection)
        }
    }

    func receivedBinary(on connectionID: ConnectionID) {
        guard let connection = connections[connectionID], !connection.closing else { return }
        if connection.awaiting > 0 { return hold(.binary, on: connection) }
        processBinary(on: connection)
    }

    func processBinary(on connection: Connection) {
        let error = ProtocolError.badRequest("Frames must be UTF-8 JSON text, not binary.")
        guard let identity = connection.identity else { return closeBeforeHello(connection, error) }
        guard withinAllowance(.other, identity, connection, ref: nil) else { return }
        reply(connection, .error(.init(error, ref: nil)))
    }

    /// A connection that has not said hello broke the rules (too much, binary or malformed): the error, then 1008.
    /// Counted for the abuse log.
    private func closeBeforeHello(_ connection: Connection, _ error: ProtocolError, ref: String? = nil) {
        reply(connection, .error(.init(error, ref: ref)))
        connection.closing = true
        transport.noteAbuse(.preHello, on: connection.id)
        transport.close(connection.id, code: .policyViolation, reason: "protocol violation before hello")
    }

    func connectionClosed(_ connectionID: ConnectionID) {
        guard let connection = connections.removeValue(forKey: connectionID) else { return }
        accessChecks.forget(connectionID)
        for room in connection.entering.keys { abandonEntering(connection, room) }
        for room in connection.rooms { removeFromRoom(connection, room) }
        for room in connection.waitingRooms { stopWaiting(connection, room) }
        logger.debug("connection closed", metadata: ["hearth.connection": "\(connectionID)"])
    }

    func loopTurnEnded() {
        guard !pendingWrites.isEmpty else { return }
        writer.submit(pendingWrites)
        pendingWrites.removeAll(keepingCapacity: true)
    }

    func tick() {
        let instant = ContinuousClock.now
        recordTickMetrics(at: instant)
        let deadline = instant - .seconds(configuration.helloTimeoutSeconds)
        // A connection whose `hello` is being checked has said hello: the deadline is not for it.
        for connection in connections.values
        where connection.identity == nil && !connection.closing && connection.signIn.isOverdue(deadline: deadline) {
            transport.noteAbuse(.helloDeadline, on: connection.id)
            refuse(connection, "No hello within \(configuration.helloTimeoutSeconds) s.")
        }
        readAccessVersion(at: instant)
        let now = clock()
        checkAccessComingDue(now: now)
        if instant - lastHeartbeat >= .seconds(configuration.attendanceHeartbeatSeconds) {
            lastHeartbeat = instant
            if rooms.values.contains(where: { !$0.present.isEmpty }) {
                let attendance = keeper.attendance
                keeper.write("attendance heartbeat") { try attendance.heartbeat(at: now) }
            }
        }
        if instant - lastMaterialize >= .seconds(3600) {
            lastMaterialize = instant
            materializeRooms(now: now)
        }
        expireMutes(now: now)
        escalateAlerts(now: now)
        requestLimitsTick(now: now)
        sendDueAlertUpdates()
        if lastPurge.map({ instant - $0 >= .seconds(86400) }) ?? true {
            lastPurge = instant
            purgeExpiredMessages(now: now)
        }
        evictIdleRooms(now: now)
    }

    func httpResponse(path: String) -> HTTPResponse? {
        if path == "/client.json" {
            let settings = configuration.clientSettings(version: version)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(settings) else { return nil }
            return HTTPResponse(status: 200, contentType: "application/json", body: [UInt8](data))
        }
        guard path == "/healthz" else { return nil }
        // The store answered the tick's last read (once a second, off the service thread), and no read has been
        // waiting for it for long.
        let readable = accessChecks.storeAnswers(at: .now)
        // Writes failing (a full disk, say) since the last one that went through: not healthy, even if reads work.
        let failingSince = keeper.health.failingSince
        let healthy = readable && failingSince == nil
        var body: [String: Any] = [
            "status": healthy ? "ok" : "degraded", "version": version,
            "database": !readable ? "unavailable" : failingSince == nil ? "ok" : "failing",
            "synchronous": database.synchronous.rawValue, "connections": connections.count,
        ]
        if let failingSince { body["last_failure"] = WireTime.timestamp(failingSince) }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return HTTPResponse(status: healthy ? 200 : 503, contentType: "application/json", body: [UInt8](data))
    }

    // MARK: Requests

    func handle(_ request: ClientRequest, from connection: Connection) {
        guard let identity = connection.identity else {
            if case .hello(let token) = request.command {
                hello(connection, token: token, ref: request.ref)
            } else {
                refuse(connection, "Send hello with your token first.", ref: request.ref)
            }
            return
        }
        // Every request draws on its class's allowance first: past it, nothing else happens (refusals included).
        guard withinAllowance(request.command.requestClass, identity, connection, ref: request.ref) else { return }
        if request.command.isStaffOnly && !identity.role.isStaff {
            var what = request.command.type
            if case .moderate(_, let action) = request.command { what += " " + action.action.rawValue }
            recordRefusal(identity, what, room: request.command.room)
            return reply(connection, .error(.init(.forbidden("Only counselors can do that."), ref: request.ref)))
        }
        // What must be read from the store first is read off the service thread; the request is decided after.
        if prefetch(request, identity, from: connection) { return }
        dispatch(request, identity, connection)
    }

    /// Decides a request of a signed-in connection (its allowance and role already checked).
    func dispatch(_ request: ClientRequest, _ identity: Identity, _ connection: Connection) {
        switch request.command {
        case .hello:
            reply(connection, .error(.init(.badRequest("This connection has already said hello."), ref: request.ref)))
        case .join(let room, let afterSeq):
            join(connection, identity, room, afterSeq: afterSeq, ref: request.ref)
        case .send(let room, let body, let clientID, let to, let announce):
            send(connection, identity, room, body: body, clientID: clientID, to: to, announce: announce, ref: request.ref)
        case .history(let room, let beforeSeq, let limit):
            history(connection, room, beforeSeq: beforeSeq, limit: limit, ref: request.ref)
        case .leave(let room):
            leave(connection, room, ref: request.ref)
        case .schedule(let from, let to):
            schedule(connection, identity, from: from, to: to, ref: request.ref)
        case .agree(let room):
            agree(connection, identity, room, ref: request.ref)
        case .checkin(let room, let mood, let craving, let safe):
            checkin(connection, identity, room, mood: mood, craving: craving, safe: safe, ref: request.ref)
        case .admit(let room, let member):
            admit(connection, identity, room, member: member, ref: request.ref)
        case .deny(let room, let member, let message):
            deny(connection, identity, room, member: member, message: message, ref: request.ref)
        case .attendance(let room, let week):
            records(.attendance(week: week), connection, identity, room: room, ref: request.ref)
        case .summary(let room):
            records(.summary, connection, identity, room: room, ref: request.ref)
        case .invite(let room, let member):
            invite(connection, identity, room, member: member, ref: request.ref)
        case .alertAck(let alert, let outcome):
            acknowledge(connection, identity, alert: alert, outcome: outcome, ref: request.ref)
        case .alertAckMany(let alerts, let outcome):
            acknowledge(connection, identity, alerts: alerts, outcome: outcome, ref: request.ref)
        case .alerts(let room):
            listAlerts(connection, identity, room: room, ref: request.ref)
        case .moderate(let room, let action):
            moderate(connection, identity, room, action, ref: request.ref)
        case .hand(let room, let raised):
            hand(connection, identity, room, raised: raised, ref: request.ref)
        case .pass(let room):
            pass(connection, identity, room, ref: request.ref)
        case .report(let room, let seq, let reason):
            report(connection, identity, room, seq: seq, reason: reason, ref: request.ref)
        case .reportAck(let report, let outcome):
            resolveReport(connection, identity, report: report, outcome: outcome, ref: request.ref)
        case .note(let room, let body):
            records(.note(body: body), connection, identity, room: room, ref: request.ref)
        case .notes(let room):
            records(.notes, connection, identity, room: room, ref: request.ref)
        case .transcript(let room, let recipient, let purpose, let json):
            records(.transcript(recipient: recipient, purpose: purpose, json: json), connection, identity, room: room,
                    ref: request.ref)
        case .breakGlass(let room, let reason):
            breakGlass(connection, identity, room, reason: reason, ref: request.ref)
        }
    }

    // MARK: Replies

    func reply(_ connection: Connection, _ frame: ServerFrame) {
        transport.send(codec.encode(frame), to: connection.id)
    }

    /// Sends `unauthorized` and closes with 4001.
    func refuse(_ connection: Connection, _ message: String, ref: String? = nil) {
        reply(connection, .error(.init(.init(.unauthorized, message), ref: ref)))
        connection.closing = true
        transport.close(connection.id, code: .unauthorized, reason: "unauthorized")
    }

    /// Creates the coming fortnight's rooms. A write transaction: runs off the service thread so the loop never
    /// waits behind the writer or an admin command. Moving or removing a room moves the access version, which drops
    /// the descriptors kept in memory (`RoomCatalog`) and re-checks every connection.
    func materializeRooms(now: Date) {
        let schedule = self.schedule, window = configuration.window, logger = self.logger
        DispatchQueue.global().async {
            Self.materialize(schedule, now: now, window: window, logger: logger)
        }
    }

    static func materialize(_ schedule: ScheduleStore, now: Date, window: ChatWindowPolicy, logger: Logger) {
        do {
            try schedule.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(15 * 86400),
                                          now: now, defaultWindow: window)
        } catch {
            logger.error("could not create rooms from the schedule", metadata: ["hearth.error": "\(error)"])
        }
    }
}

extension Hub {
    /// Refreshes the gauges and records how late this tick ran (it is due once a second).
    func recordTickMetrics(at instant: ContinuousClock.Instant) {
        if let lastTick {
            metrics.eventLoopStall.record(max(.zero, instant - lastTick - .seconds(1)))
        }
        lastTick = instant
        metrics.connections.set(Double(connections.count))
        metrics.roomsLive.set(Double(rooms.count))
        metrics.alertsOpen.set(Double(alertDesk.unescalatedCount))
        let slowClosures = transport.slowConsumerClosures
        if slowClosures > reportedSlowClosures {
            metrics.sendQueueClosures.increment(by: Int64(slowClosures - reportedSlowClosures))
            reportedSlowClosures = slowClosures
        }
    }
}
