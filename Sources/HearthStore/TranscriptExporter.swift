import Foundation
import GRDB
import HearthCore

/// Exports one session's transcript and records it in the accounting of disclosures (42 CFR Part 2): gathers the
/// messages the recipient may receive, writes them with the redisclosure notice, and stores the disclosure, whose
/// records it carries, and an audit row, all in one transaction.
public struct TranscriptExporter: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// Exports the transcript of `room` for `recipient` and `purpose`.
    ///
    /// A recipient that names a staff member (counselor or admin) by id or key is internal and gets every message.
    /// Any other recipient is outside the program: a participant's messages (and their family members', and
    /// whispers to them) are included only under a disclosure consent in force today that names this recipient and
    /// purpose; the others appear as withheld (time and seq only). Staff messages are included. Counselor notes
    /// never are. `by` is the staff member who asked, nil for the operator at the command line.
    public func export(room: RoomID, recipient: String, purpose: String, format: TranscriptFormat, by: PersonID?,
                       defaultWindow: ChatWindowPolicy, now: Date) throws -> TranscriptExport {
        let recipient = recipient.trimmingCharacters(in: .whitespacesAndNewlines)
        let purpose = purpose.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !recipient.isEmpty else { throw TranscriptError.missingRecipient }
        guard !purpose.isEmpty else { throw TranscriptError.missingPurpose }
        return try database.pool.write { db in
            guard let roomRecord = try RoomRecord.fetchOne(db, key: room.rawValue) else {
                throw TranscriptError.unknownRoom(room)
            }
            let descriptor = try ScheduleStore.descriptor(db, roomRecord, defaultWindow: defaultWindow)
            let zone = descriptor.timeZone
            var exportedBy = "operator (command line)"
            if let by {
                guard let person = try PersonRecord.fetchOne(db, key: by.rawValue) else { throw StoreError.notFound("Person \(by)") }
                exportedBy = person.displayName
            }
            let staff = try Self.staffMember(db, named: recipient)
            let external = staff == nil
            let recipientShown = staff.map { "\($0.displayName) (program staff)" } ?? recipient

            let gathered = try Self.gather(db, room: room, recipient: recipient, purpose: purpose, external: external,
                                           on: LocalDate(now, in: zone), zone: zone)

            try db.execute(sql: """
                INSERT INTO disclosure (at, roomId, byId, recipient, purpose, external, format) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [now.epochMilliseconds, room, by, staff?.id.rawValue ?? recipient, purpose, external,
                                 format.rawValue])
            let disclosure = db.lastInsertedRowID
            for participant in gathered.included {
                try db.execute(sql: "INSERT INTO disclosureSubject (disclosureId, participantId, consentId) VALUES (?, ?, ?)",
                               arguments: [disclosure, participant, gathered.consents[participant]?.id])
            }
            let messages = gathered.entries.count { $0.withheld != true }
            let withheld = gathered.entries.count - messages
            try AuditLog.append(db, .transcriptExport, actor: by, room: room,
                                detail: "disclosure \(disclosure) to \(recipientShown), \(messages) messages, \(withheld) withheld",
                                at: now)

            let transcript = Transcript(
                notice: RedisclosureNotice.text,
                session: Transcript.Session(title: descriptor.title, kind: descriptor.kind.rawValue,
                                            date: descriptor.date.description,
                                            starts: WireTime.local(descriptor.starts, in: zone),
                                            ends: WireTime.local(descriptor.ends, in: zone), timeZone: zone.identifier),
                exportedAt: WireTime.local(now, in: zone), exportedBy: exportedBy, recipient: recipientShown,
                purpose: purpose, disclosure: disclosure, external: external, entries: gathered.entries,
                consents: external ? gathered.included.compactMap { participant in
                    gathered.consents[participant].map { consent in
                        Transcript.Consent(participant: gathered.names[participant] ?? "?", consent: consent.label,
                                           recipient: consent.recipient, purpose: consent.purpose,
                                           givenOn: LocalDate(Date(epochMilliseconds: consent.createdAt), in: zone).description,
                                           expiresOn: consent.expiresOn)
                    }
                } : [])
            return TranscriptExport(content: try TranscriptFormatter.format(transcript, as: format),
                                    disclosure: disclosure, external: external, included: gathered.included,
                                    withheld: withheld, messages: messages)
        }
    }

    /// The staff member a recipient names by id or key, if it names one.
    static func staffMember(_ db: Database, named reference: String) throws -> PersonRecord? {
        let person = try PersonRecord.fetchOne(db, key: reference)
            ?? PersonRecord.filter(Column("externalKey") == reference).fetchOne(db)
        return person?.role.isStaff == true ? person : nil
    }

    struct Gathered {
        var entries: [Transcript.Entry] = []
        /// Participants whose records the transcript carries, in order of first appearance.
        var included: [PersonID] = []
        /// The consent each included participant's messages travel under (external only).
        var consents: [PersonID: DisclosureConsentRecord] = [:]
        var names: [PersonID: String] = [:]
    }

    /// Every message of the room, oldest first, as an entry or a withheld place.
    static func gather(_ db: Database, room: RoomID, recipient: String, purpose: String, external: Bool,
                       on date: LocalDate, zone: TimeZone) throws -> Gathered {
        let messages = try Row.fetchAll(db, sql: MessageStore.select + " WHERE m.roomId = ? ORDER BY m.seq",
                                        arguments: [room]).map(MessageStore.message)
        let ids = Set(messages.flatMap { [$0.sender.id] + ($0.to.map { [$0.id] } ?? []) })
        let people = Dictionary(try PersonRecord.fetchAll(db, keys: ids.map(\.rawValue)).map { ($0.id, $0) },
                                uniquingKeysWith: { first, _ in first })
        // Whose record a person's messages are: their own (participant), their participant's (family), none (staff).
        func subject(_ id: PersonID) -> PersonID? {
            guard let person = people[id] else { return id }
            switch person.role {
            case .participant: return id
            case .family: return person.familyOf ?? id
            case .counselor, .admin: return nil
            }
        }
        var gathered = Gathered()
        var decided: [PersonID: Bool] = [:]
        for message in messages {
            let subjects = [subject(message.sender.id), message.to.flatMap { subject($0.id) }].compactMap { $0 }
            var covered = true
            for participant in subjects {
                if let known = decided[participant] { covered = covered && known; continue }
                var allowed = true
                if external {
                    let consent = try DisclosureConsentStore.consent(db, participant: participant, recipient: recipient,
                                                                     purpose: purpose, on: date)
                    gathered.consents[participant] = consent
                    allowed = consent != nil
                }
                decided[participant] = allowed
                covered = covered && allowed
            }
            let time = WireTime.local(message.sentAt, in: zone)
            guard covered else {
                gathered.entries.append(Transcript.Entry(seq: message.seq, time: time, withheld: true))
                continue
            }
            for participant in subjects where !gathered.included.contains(participant) {
                gathered.included.append(participant)
            }
            gathered.entries.append(Transcript.Entry(
                seq: message.seq, time: time, from: message.sender.name, role: message.sender.role.rawValue,
                kind: message.kind.rawValue, to: message.kind == .whisper ? message.to?.name : nil,
                held: message.held ? true : nil, hiddenReason: message.hiddenReason, text: message.body))
        }
        for participant in gathered.included {
            gathered.names[participant] = try PersonRecord.fetchOne(db, key: participant.rawValue)?.displayName
        }
        return gathered
    }
}
