import Foundation
import GRDB
import HearthCore

/// What happens in a session besides messages: agreements accepted, waiting-room decisions, check-ins and alerts.
public struct SessionRecords: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    // MARK: Agreement

    /// Records that someone accepted the room's agreement (idempotent).
    public func accept(room: RoomID, person: PersonID, at date: Date) throws {
        try database.pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO agreementAcceptance (roomId, personId, acceptedAt) VALUES (?, ?, ?)",
                           arguments: [room, person, date.epochMilliseconds])
        }
    }

    /// Who accepted the room's agreement.
    public func accepted(room: RoomID) throws -> Set<PersonID> {
        try database.pool.read { db in try Self.accepted(db, room: room) }
    }

    static func accepted(_ db: Database, room: RoomID) throws -> Set<PersonID> {
        try PersonID.fetchSet(cached: db, sql: "SELECT personId FROM agreementAcceptance WHERE roomId = ?", arguments: [room])
    }

    // MARK: Waiting room

    /// A staff member's decision on someone in the waiting room.
    public enum Decision: String, Sendable { case admitted, denied }

    /// Records a waiting-room decision (the latest one stands).
    public func decide(room: RoomID, person: PersonID, _ decision: Decision, by staff: PersonID, at date: Date) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO admission (roomId, personId, decision, decidedBy, decidedAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (roomId, personId) DO UPDATE SET decision = excluded.decision,
                  decidedBy = excluded.decidedBy, decidedAt = excluded.decidedAt
                """, arguments: [room, person, decision.rawValue, staff, date.epochMilliseconds])
            try AuditLog.append(db, decision == .admitted ? .admit : .deny, actor: staff, room: room,
                                target: person.rawValue, at: date)
        }
    }

    /// Who has been admitted to the room (and so goes straight back in on reconnecting).
    public func admitted(room: RoomID) throws -> Set<PersonID> {
        try database.pool.read { db in try Self.admitted(db, room: room) }
    }

    static func admitted(_ db: Database, room: RoomID) throws -> Set<PersonID> {
        try PersonID.fetchSet(cached: db, sql: "SELECT personId FROM admission WHERE roomId = ? AND decision = 'admitted'",
                              arguments: [room])
    }

    // MARK: Check-ins

    /// Stores a check-in.
    public func record(_ checkin: Checkin, at date: Date) throws {
        try database.pool.write { db in try Self.insert(checkin, at: date, db) }
    }

    /// Records a check-in that says "not safe" and its `not_safe` alert in one transaction: both are stored, or
    /// neither is (and the participant is told to send it again), so a stored check-in never lacks its alert.
    public func recordNotSafe(_ checkin: Checkin, at date: Date) throws -> AlertSignal {
        try database.pool.write { db in
            try Self.insert(checkin, at: date, db)
            return try Self.signal(db, room: checkin.room, member: checkin.member, category: .notSafe,
                                   severity: .high, seq: nil, at: date)
        }
    }

    private static func insert(_ checkin: Checkin, at date: Date, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO checkin (roomId, personId, at, mood, craving, safe) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [checkin.room, checkin.member.id, date.epochMilliseconds, checkin.mood,
                                   checkin.craving, checkin.safe])
    }

    // MARK: Alerts

    /// Raises an alert (for a flagged message when `seq` is given) and returns it with its id; a repeat while one of
    /// the same person, room and category is open updates that one instead (see `signal`).
    public func raise(room: RoomID, member: MemberInfo, category: AlertCategory, severity: AlertSeverity, seq: Int64? = nil,
                      at date: Date) throws -> Alert {
        try signal(room: room, member: member, category: category, severity: severity, seq: seq, at: date).alert
    }

    /// Records a crisis signal (a "not safe" check-in, or a flagged message when `seq` is given). The first since the
    /// last acknowledgement of this person, room and category opens an alert (audited); a repeat while it is open
    /// updates it: one more signal, the latest time and flagged message, and a higher severity (audited only then).
    public func signal(room: RoomID, member: MemberInfo, category: AlertCategory, severity: AlertSeverity, seq: Int64? = nil,
                       at date: Date) throws -> AlertSignal {
        try database.pool.write { db in
            try Self.signal(db, room: room, member: member, category: category, severity: severity, seq: seq, at: date)
        }
    }

    private static func signal(_ db: Database, room: RoomID, member: MemberInfo, category: AlertCategory, severity: AlertSeverity,
                               seq: Int64?, at date: Date) throws -> AlertSignal {
        if let open = try Row.fetchOne(db, sql: """
            SELECT id, severity FROM alert
            WHERE personId = ? AND roomId = ? AND category = ? AND acknowledgedBy IS NULL
            ORDER BY id DESC LIMIT 1
            """, arguments: [member.id, room, category]) {
            let id: Int64 = open["id"], current: AlertSeverity = open["severity"]
            let raised = severity > current
            try db.execute(sql: """
                UPDATE alert SET signals = signals + 1, latestAt = MAX(COALESCE(latestAt, raisedAt), ?),
                  latestSeq = COALESCE(?, latestSeq), severity = ? WHERE id = ?
                """, arguments: [date.epochMilliseconds, seq, raised ? severity : current, id])
            if raised {
                try AuditLog.append(db, .alertRaise, actor: nil, room: room, target: member.id.rawValue,
                                    detail: "alert \(id): repeated, now \(severity) \(category)"
                                        + (seq.map { " at seq \($0)" } ?? ""), at: date)
            }
            let alert = try Self.alerts(db, sql: "alert.id = ?", arguments: [id])[0]
            return AlertSignal(alert: alert, opened: false, severityRaised: raised)
        }
        try db.execute(sql: """
            INSERT INTO alert (roomId, personId, category, severity, seq, raisedAt) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [room, member.id, category, severity, seq, date.epochMilliseconds])
        let id = db.lastInsertedRowID
        try AuditLog.append(db, .alertRaise, actor: nil, room: room, target: member.id.rawValue,
                            detail: "alert \(id): \(severity) \(category)" + (seq.map { " at seq \($0)" } ?? ""), at: date)
        let alert = Alert(id: id, room: room, member: member, severity: severity, category: category,
                          ts: WireTime.timestamp(date), seq: seq)
        return AlertSignal(alert: alert, opened: true, severityRaised: false)
    }

    /// Marks an alert escalated (no one acknowledged it in time). Returns it, or nil when it was acknowledged or
    /// escalated meanwhile.
    public func escalate(alert id: Int64, at date: Date) throws -> Alert? {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE alert SET escalatedAt = ? WHERE id = ? AND acknowledgedBy IS NULL AND escalatedAt IS NULL",
                           arguments: [date.epochMilliseconds, id])
            guard db.changesCount > 0, let alert = try Self.alerts(db, sql: "alert.id = ?", arguments: [id]).first else {
                return nil
            }
            try AuditLog.append(db, .alertEscalate, actor: nil, room: alert.room, target: alert.member.id.rawValue,
                                detail: "alert \(id)", at: date)
            return alert
        }
    }

    /// The room of each of these alerts that exists (an unknown id is missing from the answer).
    public func rooms(ofAlerts ids: [Int64]) throws -> [Int64: RoomID] {
        guard !ids.isEmpty else { return [:] }
        return try database.pool.read { db in
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: "SELECT id, roomId FROM alert WHERE id IN (\(placeholders))",
                                        arguments: StatementArguments(ids))
            return Dictionary(rows.map { ($0["id"] as Int64, RoomID($0["roomId"] as String)) }) { first, _ in first }
        }
    }

    /// Records who acknowledged an alert, when, and the outcome. Returns the alert, or nil when there is none
    /// with this id; acknowledging twice keeps the first acknowledgement.
    public func acknowledge(alert id: Int64, by staff: PersonID, outcome: String?, at date: Date) throws -> Alert? {
        try database.pool.write { db in try Self.acknowledge(db, id, by: staff, outcome: outcome, at: date) }
    }

    /// Acknowledges several alerts in one transaction, with one outcome for all (an id listed twice counts once).
    /// All or nothing: when an id is unknown, nothing is acknowledged and the first unknown id is returned as the
    /// failure. Otherwise returns the alerts in the order given, each acknowledged now or as it already was.
    public func acknowledge(alerts ids: [Int64], by staff: PersonID, outcome: String?,
                            at date: Date) throws -> Result<[Alert], UnknownAlert> {
        var unique: [Int64] = []
        for id in ids where !unique.contains(id) { unique.append(id) }
        return try database.pool.write { db in
            let placeholders = Array(repeating: "?", count: unique.count).joined(separator: ", ")
            let known = try Set(Int64.fetchAll(db, sql: "SELECT id FROM alert WHERE id IN (\(placeholders))",
                                               arguments: StatementArguments(unique)))
            if let unknown = unique.first(where: { !known.contains($0) }) { return .failure(UnknownAlert(id: unknown)) }
            return .success(try unique.compactMap { try Self.acknowledge(db, $0, by: staff, outcome: outcome, at: date) })
        }
    }

    private static func acknowledge(_ db: Database, _ id: Int64, by staff: PersonID, outcome: String?,
                                    at date: Date) throws -> Alert? {
        try db.execute(sql: """
            UPDATE alert SET acknowledgedBy = ?, acknowledgedAt = ?, outcome = ? WHERE id = ? AND acknowledgedBy IS NULL
            """, arguments: [staff, date.epochMilliseconds, outcome, id])
        let acknowledged = db.changesCount > 0
        let alert = try alerts(db, sql: "alert.id = ?", arguments: [id]).first
        if acknowledged, let alert {
            try AuditLog.append(db, .alertAck, actor: staff, room: alert.room, target: alert.member.id.rawValue,
                                detail: "alert \(id)", at: date)
        }
        return alert
    }

    /// Alerts no one has acknowledged yet, oldest first.
    public func unacknowledgedAlerts() throws -> [Alert] {
        try database.pool.read { db in try Self.alerts(db, sql: "alert.acknowledgedBy IS NULL", arguments: []) }
    }

    static func alerts(_ db: Database, sql condition: String, arguments: StatementArguments) throws -> [Alert] {
        try Row.fetchAll(db, sql: """
            SELECT alert.*, p.displayName AS name, p.role AS role, s.displayName AS staffName, s.role AS staffRole
            FROM alert JOIN person p ON p.id = alert.personId LEFT JOIN person s ON s.id = alert.acknowledgedBy
            WHERE \(condition) ORDER BY alert.raisedAt, alert.id
            """, arguments: arguments).map { row in
            let by: PersonID? = (row["acknowledgedBy"] as String?).map(PersonID.init)
            let signals: Int = row["signals"], raisedAt: Int64 = row["raisedAt"]
            let latest: Int64 = row["latestAt"] ?? raisedAt
            return Alert(id: row["id"], room: RoomID(row["roomId"] as String),
                         member: MemberInfo(id: PersonID(row["personId"] as String), name: row["name"],
                                            role: Role(rawValue: row["role"]) ?? .participant),
                         severity: row["severity"], category: row["category"],
                         ts: WireTime.timestamp(Date(epochMilliseconds: row["raisedAt"])),
                         acknowledgedBy: by.map { MemberInfo(id: $0, name: row["staffName"],
                                                             role: Role(rawValue: row["staffRole"]) ?? .counselor) },
                         acknowledgedAt: (row["acknowledgedAt"] as Int64?).map { WireTime.timestamp(Date(epochMilliseconds: $0)) },
                         outcome: row["outcome"], seq: row["seq"],
                         escalated: (row["escalatedAt"] as Int64?) == nil ? nil : true,
                         count: signals > 1 ? signals : nil,
                         latest: signals > 1 ? WireTime.timestamp(Date(epochMilliseconds: latest)) : nil,
                         latestSeq: signals > 1 ? row["latestSeq"] : nil)
        }
    }
}

/// What a crisis signal did: opened an alert, or updated the open one of the same person, room and category.
public struct AlertSignal: Equatable, Sendable {
    /// The alert as stored now.
    public var alert: Alert
    /// True for a new alert: the first signal since the last acknowledgement.
    public var opened: Bool
    /// A repeat raised the open alert's severity.
    public var severityRaised: Bool

    public init(alert: Alert, opened: Bool, severityRaised: Bool) {
        self.alert = alert; self.opened = opened; self.severityRaised = severityRaised
    }
}

/// A bulk acknowledgement named an alert that does not exist.
public struct UnknownAlert: Error, Equatable, Sendable {
    public var id: Int64
    public init(id: Int64) { self.id = id }
}
