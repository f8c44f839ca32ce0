import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// A participant's message matched a crisis signal: supportive resources to them at once, an alert to staff.
    func crisisFlagged(_ message: StoredMessage, _ match: CrisisMatch, in room: LiveRoom) {
        let support = codec.encode(.support(.init(room: message.room, text: configuration.crisisResources)))
        for connection in room.connections where sessions[connection]?.identity?.id == message.sender.id {
            transport.send(support, to: connection)
        }
        raiseAlert(room: room.descriptor, member: message.sender, category: match.category,
                   severity: match.severity.rawValue, seq: message.seq, at: clock())
    }

    /// Escalates alerts no one acknowledged within `alert_escalation_seconds`: recorded, and re-sent marked
    /// `escalated` to every staff member on the server.
    func escalateAlerts(now: Date) {
        let limit = TimeInterval(configuration.alertEscalationSeconds)
        let due = openAlerts.filter { now.timeIntervalSince($0.value.raised) >= limit }.keys.sorted()
        for id in due {
            openAlerts.removeValue(forKey: id)
            let records = keeper.records
            keeper.run({ try records.escalate(alert: id, at: now) }) { [self] result in
                transport.execute { [self] in
                    guard case .success(let alert?) = result else { return }
                    logger.warning("alert escalated: no one acknowledged it", metadata: ["hearth.alert": "\(id)", "hearth.room": "\(alert.room)"])
                    let frame = codec.encode(.alert(.init(alert)))
                    for session in sessions.values where session.identity?.role.isStaff == true && !session.closing {
                        transport.send(frame, to: session.connection)
                    }
                }
            }
        }
    }

    /// Alerts left open by an earlier run: watched for escalation again.
    func loadOpenAlerts() {
        guard let alerts = try? keeper.records.unacknowledgedAlerts() else { return }
        for alert in alerts where alert.escalated != true {
            openAlerts[alert.id] = (alert, WireTime.parse(alert.ts) ?? clock())
        }
    }

    /// Answers `alerts`: every alert no one has acknowledged yet, escalated or not, of the rooms the staff member may
    /// access (or of the one room asked for), oldest first. Read from the store on the records queue, after every
    /// raise, acknowledgement and escalation queued before it, so the list agrees with the `alert` frames already
    /// sent. The in-memory `openAlerts` cannot answer it: it only watches for escalation, and drops an alert once
    /// escalated.
    func listAlerts(_ session: Session, _ identity: Identity, room: RoomID?, ref: String?) {
        let records = keeper.records, schedule = self.schedule, window = configuration.window
        let connection = session.connection
        keeper.run({ try Self.listedAlerts(for: identity, room: room, records: records, schedule: schedule, window: window) }) {
            [self] result in
            transport.execute { [self] in
                guard let session = sessions[connection] else { return }
                switch result {
                case .success(.success(let alerts)):
                    reply(session, .alerts(.init(alerts: alerts, ref: ref)))
                case .success(.failure(let error)):
                    reply(session, .error(.init(error, ref: ref)))
                case .failure:
                    logger.error("could not list open alerts", metadata: ["hearth.person": "\(identity.id)"])
                    reply(session, .error(.init(.init(.internal, "The server could not list the alerts. Try again."), ref: ref)))
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
            try (room == nil || alert.room == room) && mayReceiveAlert(identity, of: descriptor(alert.room))
        })
    }

    /// Lifts timed mutes that ran out, telling the member and staff.
    func expireMutes(now: Date) {
        for room in rooms.values where !room.muted.isEmpty {
            for (person, until) in room.muted {
                guard let until, until <= now else { continue }
                room.muted.removeValue(forKey: person)
                guard let member = room.present[person]?.member ?? (try? directory.person(person))?.identity.member else { continue }
                lift(.mute, member, room, by: nil, now: now)
                announce(room, .init(room: room.descriptor.id, action: "unmute", by: nil, target: member), to: .staffAnd(person))
            }
        }
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
