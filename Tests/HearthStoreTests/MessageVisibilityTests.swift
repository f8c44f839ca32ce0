import Foundation
import HearthCore
import HearthStore
import Testing

/// One visibility rule, two implementations: `MessageAudience.includes` decides the live fan-out (and a release's),
/// `MessageStore`'s SQL filter decides every stored page (join, resume, history, pinned). For every kind, sender,
/// held, released, hidden and `to`, each reader's pages hold a message exactly when the live rule delivers it.
struct MessageVisibilityTests {
    /// Who reads: the sender's peers in every position the rule tells apart.
    enum Reader: String, CaseIterable, CustomTestStringConvertible {
        /// Alex: the sender of half the messages.
        case participant
        /// Sam: another participant, never the sender or `to`.
        case otherParticipant
        /// Riley: every message's `to` when it has one (a whisper's member).
        case recipient
        /// Maria: Alex's family member.
        case family
        /// Dana: the sender of the other half.
        case counselor
        /// Jordan: staff who sent nothing.
        case admin
        var testDescription: String { rawValue }
    }

    /// One stored message's place in the matrix.
    struct Case: CustomStringConvertible {
        var seq: Int64 = 0
        var kind: MessageKind
        var fromStaff: Bool
        var toRecipient: Bool
        var held: Bool
        var released: Bool
        var hidden: Bool
        var description: String {
            "\(kind.rawValue) from \(fromStaff ? "staff" : "participant")\(toRecipient ? " to recipient" : "")"
                + (held ? " held" : "") + (released ? " released" : "") + (hidden ? " hidden" : "")
        }
    }

    static var matrix: [Case] {
        var cases: [Case] = []
        for kind in MessageKind.allCases {
            for fromStaff in [false, true] {
                // `to` on every kind: the hub sets it only on whispers, but the schema allows it, so both rules must
                // agree there too.
                for toRecipient in [false, true] {
                    for held in [false, true] {
                        for released in [false, true] {
                            for hidden in [false, true] {
                                cases.append(Case(kind: kind, fromStaff: fromStaff, toRecipient: toRecipient,
                                                  held: held, released: released, hidden: hidden))
                            }
                        }
                    }
                }
            }
        }
        return cases
    }

    @Test("a stored page holds a message exactly when the live fan-out delivers it", arguments: Reader.allCases)
    func pagesMatchTheLiveRule(reader: Reader) throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let directory = Directory(database)
            let riley = try directory.addPerson(role: .participant, displayName: "Riley P.", externalKey: "riley")
            let maria = try directory.addPerson(role: .family, displayName: "Maria R.", familyOf: clinic.alex.id,
                                                externalKey: "maria")
            let jordan = try directory.addPerson(role: .admin, displayName: "Jordan K.", externalKey: "jordan")
            let room = clinic.rooms[0].id
            let sentAt = try time("2026-03-02T10:05:00Z")

            var cases = Self.matrix
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit(cases.enumerated().map { index, item in
                PendingMessage(room: room, sender: (item.fromStaff ? clinic.dana : clinic.alex).identity.member,
                               body: "message \(index)", clientID: "c\(index)", sentAt: sentAt, kind: item.kind,
                               to: item.toRecipient ? riley.identity.member : nil, held: item.held, tag: index)
            })
            writer.stop()
            let stored = box.all.compactMap(\.committed)
            try #require(stored.count == cases.count)
            for message in stored { cases[Int(message.clientID.dropFirst())!].seq = message.seq }

            let moderation = ModerationStore(database)
            for item in cases {
                if item.released { _ = try moderation.flag(.released, room: room, seq: item.seq, by: clinic.dana.id, at: sentAt) }
                if item.hidden { _ = try moderation.flag(.hidden(reason: "test"), room: room, seq: item.seq, by: clinic.dana.id, at: sentAt) }
                _ = try moderation.flag(.pinned, room: room, seq: item.seq, by: clinic.dana.id, at: sentAt)
            }

            let person: PersonRecord = switch reader {
            case .participant: clinic.alex
            case .otherParticipant: clinic.sam
            case .recipient: riley
            case .family: maria
            case .counselor: clinic.dana
            case .admin: jordan
            }
            // As the hub asks: staff read everything (no reader), everyone else through the filter.
            let filter = person.role.isStaff ? nil : person.id
            let store = MessageStore(database)
            let upTo = Int64(cases.count)
            let after = try store.messages(in: room, after: 0, upTo: upTo, limit: 1000, reader: filter)
            let before = try store.messages(in: room, before: .max, upTo: upTo, limit: 1000, reader: filter)
            let pinned = try store.pinned(in: room, reader: filter)
            let everything = try store.messages(in: room, after: 0, upTo: upTo, limit: 1000)
            try #require(everything.messages.count == cases.count)

            for item in cases {
                let audience = MessageAudience(kind: item.kind, sender: (item.fromStaff ? clinic.dana : clinic.alex).id,
                                               to: item.toRecipient ? riley.id : nil, held: item.held && !item.released)
                // What the store hands the live path (a release's fan-out reads it back) is this same audience.
                let record = try #require(everything.messages.first { $0.seq == item.seq })
                #expect(record.audience == audience, "\(item)")
                let live = audience.includes(person.id, role: person.role)
                #expect(after.messages.contains { $0.seq == item.seq } == live, "after-page, \(item): live says \(live)")
                #expect(before.messages.contains { $0.seq == item.seq } == live, "before-page, \(item): live says \(live)")
                #expect(pinned.contains { $0.seq == item.seq } == live, "pinned, \(item): live says \(live)")
                // A hidden message keeps its place for everyone who receives it; only staff see its text.
                if live, let shown = after.messages.first(where: { $0.seq == item.seq }) {
                    let wire = shown.wire(for: person.role)
                    #expect(wire.hidden == (item.hidden ? true : nil), "\(item)")
                    #expect(wire.body.isEmpty == (item.hidden && !person.role.isStaff), "\(item)")
                }
            }
            #expect(!after.more && !before.more)
        }
    }
}
