import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// A participant's message matched a crisis signal: supportive resources to them at once, an alert to staff.
    func crisisFlagged(_ message: StoredMessage, _ match: CrisisMatch, in room: LiveRoom) {
        let support = codec.encode(.support(.init(room: message.room, text: configuration.crisisResources)))
        for connectionID in room.connections where connections[connectionID]?.identity?.id == message.sender.id {
            transport.send(support, to: connectionID)
        }
        raiseAlert(room: room.descriptor, member: message.sender, category: .crisis(match.category),
                   severity: AlertSeverity(match.severity), seq: message.seq, at: clock())
    }

    /// Records a crisis signal and tells every connected staff member who may access the room, wherever they are.
    /// The first signal opens an alert: sent at once, and escalated if no one acknowledges it in time. A repeat while
    /// it is open (same person, room and category) updates it: its frame goes out at most once a second, at once
    /// when the repeat raised its severity, and it is not escalated again (escalation keeps the first signal's time).
    func raiseAlert(room: RoomDescriptor, member: MemberInfo, category: AlertCategory, severity: AlertSeverity, seq: Int64? = nil,
                    at now: Date) {
        let records = keeper.records, health = keeper.health
        keeper.run(lane: .crisis, what: "alert", { try records.signal(room: room.id, member: member, category: category, severity: severity, seq: seq, at: now) }) {
            [self] result in
            // An alert that could not be stored makes /healthz say so until a write goes through again.
            if case .failure = result { health.failed() } else { health.succeeded() }
            transport.execute { [self] in
                switch result {
                case .success(let signal):
                    announce(signal, room: room, category: category, severity: severity, at: now)
                case .failure(let error):
                    logger.error("could not record an alert", metadata: ["hearth.room": "\(room.id)",
                                                                         "hearth.error": "\(type(of: error))"])
                }
            }
        }
    }

    /// Sends a stored alert signal to the staff who may access the room when the desk says it goes out now: a new
    /// alert at once, a repeat of an open one at most once a second (or at once when its severity rose).
    func announce(_ signal: AlertSignal, room: RoomDescriptor, category: AlertCategory, severity: AlertSeverity, at now: Date) {
        let alert = signal.alert
        let goesOut = alertDesk.signalled(signal, room: room, now: now, at: .now)
        if signal.opened {
            logger.notice("alert raised", metadata: ["hearth.alert": "\(alert.id)", "hearth.room": "\(room.id)",
                                                     "hearth.severity": "\(severity)", "hearth.category": "\(category)"])
            broadcast(alert, room: room)
        } else if goesOut {
            logger.debug("alert repeated", metadata: ["hearth.alert": "\(alert.id)", "hearth.count": "\(alert.signals)"])
            broadcast(alert, room: room)
        }
    }

    /// Sends the updates of coalesced alerts that waited for their second (from the tick).
    func sendDueAlertUpdates() {
        for update in alertDesk.dueUpdates(at: .now) { broadcast(update.alert, room: update.room) }
    }

    /// An alert's current state as an `alert` frame, to every connected staff member who may access its room.
    func broadcast(_ alert: Alert, room: RoomDescriptor) {
        alertDesk.sent(alert.id, at: .now)
        let frame = codec.encode(.alert(.init(alert)))
        for staff in staffConnections(for: room) { transport.send(frame, to: staff.id) }
    }

    /// The open alerts, to a staff member who just connected: read on the records queue (never on the service
    /// thread), after every raise and acknowledgement queued before. At most `AlertDesk.replayLimit` in full, the ones
    /// signalled most recently, sent oldest first; when more are open, an `alert_backlog` frame says how many more.
    func replayAlerts(to connection: Connection, _ identity: Identity) {
        let records = keeper.records, schedule = self.schedule, window = configuration.window
        let connectionID = connection.id
        keeper.run(lane: .crisis, what: "alert replay", { try Self.listedAlerts(for: identity, room: nil, records: records, schedule: schedule, window: window) }) {
            [self] result in
            transport.execute { [self] in
                guard let connection = connections[connectionID], !connection.closing else { return }
                guard case .success(.success(let open)) = result else {
                    logger.error("could not replay open alerts", metadata: ["hearth.person": "\(identity.id)"])
                    return
                }
                let replay = AlertDesk.replay(open)
                for alert in replay.alerts { reply(connection, .alert(.init(alert))) }
                if let backlog = replay.backlog {
                    logger.notice("alert replay bounded", metadata: ["hearth.person": "\(identity.id)",
                                                                     "hearth.more": "\(backlog.more)"])
                    reply(connection, .alertBacklog(backlog))
                }
            }
        }
    }

    /// `alert_ack` of one alert: `ok`, then the alert (acknowledged now, or as it already was) to the staff who may
    /// access its room.
    func acknowledge(_ connection: Connection, _ identity: Identity, alert id: Int64, outcome: String?, ref: String?) {
        let records = keeper.records, staff = identity.id, now = clock()
        acknowledged(connection, identity, ids: [id], ref: ref, { () throws -> Result<[Alert], UnknownAlert> in
            guard let alert = try records.acknowledge(alert: id, by: staff, outcome: outcome, at: now) else {
                return .failure(UnknownAlert(id: id))
            }
            return .success([alert])
        })
    }

    /// `alert_ack` with `alerts`: all of them in one transaction, or, when one is unknown or not this person's to
    /// acknowledge, none (`not_found` or `forbidden` naming the first such id).
    func acknowledge(_ connection: Connection, _ identity: Identity, alerts ids: [Int64], outcome: String?, ref: String?) {
        let records = keeper.records, staff = identity.id, now = clock()
        acknowledged(connection, identity, ids: ids, ref: ref, {
            try records.acknowledge(alerts: ids, by: staff, outcome: outcome, at: now)
        })
    }

    /// Why an acknowledgement was refused before anything was written.
    private enum AcknowledgementRefusal: Error, Sendable {
        case unknown(Int64)
        /// The alert's room is one this person may not open (an individual session of another counselor).
        case forbidden(Int64)
    }

    /// Runs an acknowledgement on the records queue (with the rooms of its alerts, read there first: a person who may
    /// not acknowledge one of them acknowledges none), then replies and sends each alert to the staff who may access
    /// its room.
    private func acknowledged(_ connection: Connection, _ identity: Identity, ids: [Int64], ref: String?,
                              _ work: @escaping @Sendable () throws -> Result<[Alert], UnknownAlert>) {
        let schedule = self.schedule, window = configuration.window, connectionID = connection.id
        let records = keeper.records, glass = connection.breakGlass, staff = identity.id
        keeper.run(lane: .crisis, what: "alert acknowledgement", {
            () throws -> Result<[(Alert, RoomDescriptor?)], AcknowledgementRefusal> in
            let alertRooms = try records.rooms(ofAlerts: ids)
            for id in ids {
                guard let room = alertRooms[id] else { return .failure(.unknown(id)) }
                let descriptor = try schedule.descriptor(of: room, defaultWindow: window)
                if !AlertDesk.mayAcknowledge(identity, of: descriptor, breakGlass: glass) { return .failure(.forbidden(id)) }
            }
            switch try work() {
            case .success(let alerts):
                return .success(try alerts.map { ($0, try schedule.descriptor(of: $0.room, defaultWindow: window)) })
            case .failure(let unknown):
                return .failure(.unknown(unknown.id))
            }
        }) { [self] result in
            transport.execute { [self] in
                let connection = connections[connectionID]
                switch result {
                case .success(.success(let alerts)):
                    alertDesk.acknowledged(alerts.map(\.0.id))
                    logger.info("alerts acknowledged", metadata: ["hearth.alerts": "\(alerts.map(\.0.id))", "hearth.by": "\(staff)"])
                    if let connection { reply(connection, .ok(.init(ref: ref))) }
                    for (alert, descriptor) in alerts {
                        if let descriptor = rooms[alert.room]?.descriptor ?? descriptor { broadcast(alert, room: descriptor) }
                    }
                case .success(.failure(.unknown(let id))):
                    if let connection { reply(connection, .error(.init(.notFound("There is no alert \(id)."), ref: ref))) }
                case .success(.failure(.forbidden(let id))):
                    recordRefusal(identity, "alert_ack", room: nil)
                    if let connection {
                        reply(connection, .error(.init(.forbidden("Alert \(id) belongs to a session you cannot open, so you "
                            + "cannot acknowledge it: its counselor or an administrator who used break-glass can."), ref: ref)))
                    }
                case .failure(let error):
                    if let connection {
                        reply(connection, .error(.init(.record(error, "The server could not record that. Try again."), ref: ref)))
                    }
                }
            }
        }
    }

    /// Escalates alerts no one acknowledged within `alert_escalation_seconds`: recorded, and re-sent marked
    /// `escalated` to every staff member on the server.
    func escalateAlerts(now: Date) {
        for id in alertDesk.dueForEscalation(at: now) {
            let records = keeper.records
            keeper.run(lane: .crisis, what: "alert escalation", { try records.escalate(alert: id, at: now) }) { [self] result in
                transport.execute { [self] in
                    // Not recorded (the database failed, or the crisis lane was full): watched again, so the next
                    // tick tries once more.
                    if case .failure = result { return alertDesk.escalationFailed(id) }
                    alertDesk.escalated(id)
                    // Nil: no longer open (acknowledged meanwhile).
                    guard case .success(let alert?) = result else { return }
                    logger.warning("alert escalated: no one acknowledged it", metadata: ["hearth.alert": "\(id)", "hearth.room": "\(alert.room)"])
                    alertDesk.sent(alert.id, at: .now)
                    let frame = codec.encode(.alert(.init(alert)))
                    for connection in connections.values where connection.identity?.role.isStaff == true && !connection.closing {
                        transport.send(frame, to: connection.id)
                    }
                }
            }
        }
    }

    /// Alerts left open by an earlier run: watched for escalation again.
    func loadOpenAlerts() {
        guard let alerts = try? keeper.records.unacknowledgedAlerts() else { return }
        alertDesk.restore(alerts, now: clock())
    }

    /// Answers `alerts`: every alert no one has acknowledged yet, escalated or not, of the rooms the staff member may
    /// access (or of the one room asked for), oldest first. Read from the store on the records queue, after every
    /// raise, acknowledgement and escalation queued before it, so the list agrees with the `alert` frames already
    /// sent. The `AlertDesk` cannot answer it: it only watches for escalation, and drops an alert once escalated.
    func listAlerts(_ connection: Connection, _ identity: Identity, room: RoomID?, ref: String?) {
        let records = keeper.records, schedule = self.schedule, window = configuration.window
        let connectionID = connection.id
        keeper.run(lane: .crisis, what: "alert list", { try Self.listedAlerts(for: identity, room: room, records: records, schedule: schedule, window: window) }) {
            [self] result in
            transport.execute { [self] in
                guard let connection = connections[connectionID] else { return }
                switch result {
                case .success(.success(let alerts)):
                    reply(connection, .alerts(.init(alerts: alerts, ref: ref)))
                case .success(.failure(let error)):
                    reply(connection, .error(.init(error, ref: ref)))
                case .failure(let error):
                    logger.error("could not list open alerts", metadata: ["hearth.person": "\(identity.id)"])
                    reply(connection, .error(.init(.record(error, "The server could not list the alerts. Try again."), ref: ref)))
                }
            }
        }
    }

    /// The open alerts a staff member may see (of one room, when given), oldest first; `not_found` or `forbidden`
    /// for a room that does not exist or that they may not access. Reads the store: runs on the records queue.
    static func listedAlerts(for identity: Identity, room: RoomID?, records: SessionRecords, schedule: ScheduleStore,
                             window: ChatWindowPolicy) throws -> Result<[Alert], ProtocolError> {
        var descriptors: [RoomID: RoomDescriptor?] = [:]
        func descriptor(_ id: RoomID) throws -> RoomDescriptor? {
            if let known = descriptors[id] { return known }
            let found = try schedule.descriptor(of: id, defaultWindow: window)
            descriptors[id] = found
            return found
        }
        if let room {
            guard let asked = try descriptor(room) else { return .failure(.notFound("There is no room \(room).")) }
            guard AccessRule.mayAccess(identity, asked) else { return .failure(.forbidden("You cannot read this session.")) }
        }
        return .success(try records.unacknowledgedAlerts().filter { alert in
            try (room == nil || alert.room == room) && AlertDesk.mayReceive(identity, of: descriptor(alert.room))
        })
    }

    /// Lifts timed mutes that ran out, telling the member and staff. A member no longer in the room is looked up off
    /// the service thread first.
    func expireMutes(now: Date) {
        for room in rooms.values {
            for person in room.core.expireMutes(at: now) {
                if let member = room.core.present[person]?.member {
                    muteExpired(member, in: room, now: now)
                    continue
                }
                let directory = self.directory, id = room.descriptor.id
                lookups.run({ try directory.person(person) }) { [self] result in
                    transport.execute { [self] in
                        guard case .success(let record?) = result, let room = rooms[id] else { return }
                        muteExpired(record.identity.member, in: room, now: now)
                    }
                }
            }
        }
    }

    private func muteExpired(_ member: MemberInfo, in room: LiveRoom, now: Date) {
        lift(.mute, member, room, by: nil, now: now)
        announce(room, .init(room: room.descriptor.id, action: .unmute, by: nil, target: member), to: .staffAnd(member.id))
    }

    /// The daily retention purge, off the service thread.
    func purgeExpiredMessages(now: Date) {
        let days = configuration.retentionDays
        guard days > 0 else { return }
        let purge = RetentionPurge(database), logger = self.logger
        DispatchQueue.global().async {
            do {
                let summary = try purge.run(retentionDays: days, now: now, dryRun: false)
                if summary.messages > 0 {
                    logger.notice("retention purge", metadata: ["hearth.rooms": "\(summary.rooms)", "hearth.messages": "\(summary.messages)"])
                }
            } catch {
                logger.error("retention purge failed", metadata: ["hearth.error": "\(type(of: error))"])
            }
        }
    }
}
