import Foundation
import GRDB
import HearthCore

/// One disclosure in a participant's accounting of disclosures: a transcript that carried their messages.
public struct DisclosureRecord: Equatable, Sendable {
    public var id: Int64
    public var at: Date
    public var room: RoomID
    public var roomTitle: String
    /// The session's scheduled date in its own zone.
    public var sessionDate: LocalDate
    /// Who received it: the outside recipient as named, or a staff member's display name.
    public var recipient: String
    public var purpose: String
    public var external: Bool
    /// The staff member's display name, or `operator (command line)`.
    public var by: String
    /// The disclosure consent it was made under (external disclosures), as `d<N>`.
    public var consent: String?
    public var format: String
}

/// Reads of the accounting of disclosures (written by `TranscriptExporter`).
public struct DisclosureStore: Sendable {
    let database: HearthDatabase

    public init(_ database: HearthDatabase) { self.database = database }

    /// Every disclosure that included this participant's messages (or their family's, or whispers to them),
    /// oldest first.
    public func disclosures(participant: PersonID) throws -> [DisclosureRecord] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.id, d.at, d.roomId, s.title, r.localDate, d.recipient, d.purpose, d.external, d.format,
                       b.displayName AS byName, t.displayName AS staffName, ds.consentId
                FROM disclosureSubject ds
                JOIN disclosure d ON d.id = ds.disclosureId
                JOIN room r ON r.id = d.roomId
                JOIN series s ON s.id = r.seriesId
                LEFT JOIN person b ON b.id = d.byId
                LEFT JOIN person t ON t.id = d.recipient AND NOT d.external
                WHERE ds.participantId = ?
                ORDER BY d.at, d.id
                """, arguments: [participant]).map { row in
                let external: Bool = row["external"]
                return DisclosureRecord(
                    id: row["id"], at: Date(epochMilliseconds: row["at"]), room: RoomID(row["roomId"] as String),
                    roomTitle: row["title"], sessionDate: LocalDate(row["localDate"] as String) ?? LocalDate(year: 1970, month: 1, day: 1)!,
                    recipient: external ? row["recipient"] : ((row["staffName"] as String?).map { "\($0) (program staff)" } ?? row["recipient"]),
                    purpose: row["purpose"], external: external,
                    by: (row["byName"] as String?) ?? "operator (command line)",
                    consent: (row["consentId"] as Int64?).map { "d\($0)" }, format: row["format"])
            }
        }
    }
}
