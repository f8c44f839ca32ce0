import Foundation
import HearthCore
import HearthStore
import Testing

/// A multi-family session on Monday 2026-11-23, 18:00-19:30 America/Los_Angeles, with two participants (Alex,
/// Sam), Alex's family member Maria and counselor Dana, all with legal names; and every kind of message in its room.
struct RecordsClinic {
    let database: HearthDatabase
    let alex: PersonRecord
    let sam: PersonRecord
    let maria: PersonRecord
    let dana: PersonRecord
    let room: RoomDescriptor
    /// During the session.
    let sentAt: Date
    /// The day after.
    let now: Date

    /// The bodies, by seq: 1 announcement (Dana), 2 Alex, 3 Sam, 4 Sam private, 5 whisper to Sam, 6 whisper to Alex,
    /// 7 Alex held, 8 Alex hidden ("off topic"), 9 Maria. And a counselor note that no transcript may carry.
    static let bodies = ["dana-announce", "alex-shares", "sam-shares", "sam-private", "whisper-to-sam",
                         "whisper-to-alex", "alex-held", "alex-hidden", "maria-family"]
    static let note = "NOTE-SECRET"

    init(_ database: HearthDatabase) throws {
        self.database = database
        let directory = Directory(database)
        alex = try directory.addPerson(role: .participant, displayName: "Alex R.", legalName: "Alexandra Reyes",
                                       externalKey: "alex")
        sam = try directory.addPerson(role: .participant, displayName: "Sam T.", legalName: "Samuel Torres",
                                      externalKey: "sam")
        maria = try directory.addPerson(role: .family, displayName: "Maria R.", legalName: "Maria Reyes",
                                        familyOf: alex.id, externalKey: "maria")
        dana = try directory.addPerson(role: .counselor, displayName: "Dana M.", legalName: "Dana Morales",
                                       externalKey: "dana")
        let zone = try #require(TimeZone(identifier: "America/Los_Angeles"))
        let schedule = ScheduleStore(database)
        try schedule.upsertSeries(
            key: "multi-family", title: "Multi-family group", kind: .multiFamily,
            schedule: SessionSchedule(recurrence: .weekly([.monday]), start: LocalTime(hour: 18, minute: 0)!,
                                      durationMinutes: 90, timeZone: zone),
            roster: [alex.id, sam.id])
        let from = try time("2026-11-23T00:00:00-08:00"), to = try time("2026-11-24T00:00:00-08:00")
        try schedule.materializeRooms(from: from, to: to, now: from)
        room = try #require(try schedule.rooms(from: from, to: to, defaultWindow: .standard).first)
        sentAt = try time("2026-11-23T18:05:00-08:00")
        now = try time("2026-11-24T09:00:00-08:00")

        let box = OutcomeBox()
        let writer = box.makeWriter(database)
        let kinds: [(PersonRecord, MessageKind, PersonRecord?, Bool)] = [
            (dana, .announcement, nil, false), (alex, .chat, nil, false), (sam, .chat, nil, false),
            (sam, .private, nil, false), (dana, .whisper, sam, false), (dana, .whisper, alex, false),
            (alex, .chat, nil, true), (alex, .chat, nil, false), (maria, .chat, nil, false),
        ]
        writer.submit(zip(kinds, Self.bodies).enumerated().map { index, item in
            let ((sender, kind, to, held), body) = item
            return PendingMessage(room: room.id, sender: sender.identity.member, body: body, clientID: "c\(index)",
                                  sentAt: sentAt.addingTimeInterval(Double(index * 60)), kind: kind,
                                  to: to?.identity.member, held: held, tag: index)
        })
        writer.stop()
        try #require(box.all.compactMap(\.committed).count == Self.bodies.count)
        let moderation = ModerationStore(database)
        try #require(try moderation.flag(.hidden(reason: "off topic"), room: room.id, seq: 8, by: dana.id,
                                         at: sentAt.addingTimeInterval(600)) != nil)
        _ = try moderation.addNote(room: room.id, author: dana.id, body: Self.note, at: sentAt.addingTimeInterval(3600))
    }

    /// Exports the room's transcript.
    func export(to recipient: String, for purpose: String, format: TranscriptFormat = .text,
                by: PersonID? = nil, at date: Date? = nil) throws -> TranscriptExport {
        try TranscriptExporter(database).export(room: room.id, recipient: recipient, purpose: purpose, format: format,
                                                by: by, defaultWindow: .standard, now: date ?? now)
    }

    /// Every person id and legal name: none may appear in a transcript.
    var identifying: [String] {
        [alex, sam, maria, dana].flatMap { [$0.id.rawValue, $0.legalName ?? $0.id.rawValue] }
    }
}
