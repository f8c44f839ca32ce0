import Foundation
import HearthCore
import HearthStore
import Testing

/// The writer inserts with `ON CONFLICT (roomId, senderId, clientId) DO NOTHING` and reads the original only when
/// nothing was inserted (issue 14). Idempotency must hold exactly as before: a resend, in the same transaction or a
/// later one, by the same writer or a restarted one, gets the original's ack; the seq it would have taken is not
/// used, so the room's seqs stay gap-free.
struct MessageWriterIdempotencyTests {
    @Test("duplicates within one batch, interleaved across rooms and senders, leave no gap in any room's seqs")
    func duplicatesWithinOneBatch() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([
                clinic.pending(0, from: clinic.alex, "one", clientID: "c1", tag: 0),
                clinic.pending(1, from: clinic.sam, "elsewhere", clientID: "c1", tag: 1),
                clinic.pending(0, from: clinic.alex, "one, resent", clientID: "c1", tag: 2),
                clinic.pending(0, from: clinic.sam, "same client_id, other sender", clientID: "c1", tag: 3),
                clinic.pending(1, from: clinic.sam, "elsewhere, resent", clientID: "c1", tag: 4),
                clinic.pending(0, from: clinic.alex, "one, resent again", clientID: "c1", tag: 5),
                clinic.pending(0, from: clinic.alex, "two", clientID: "c2", tag: 6),
            ])
            writer.stop()

            #expect(box.batches == [7])
            let outcomes = box.all
            try #require(outcomes.count == 7)
            #expect(outcomes.map(\.tag) == Array(0..<7))
            let one = try #require(outcomes[0].committed), elsewhere = try #require(outcomes[1].committed)
            #expect(one.seq == 1 && elsewhere.seq == 1)
            for (index, original) in [(2, one), (4, elsewhere), (5, one)] {
                let duplicate = try #require(outcomes[index].duplicate, "outcome \(index)")
                #expect(duplicate.seq == original.seq && duplicate.id == original.id && duplicate.body == original.body)
            }
            #expect(outcomes[3].committed?.seq == 2)
            #expect(outcomes[6].committed?.seq == 3)
            #expect(writer.committed.messages == 7)

            let store = MessageStore(database)
            #expect(try store.count(in: clinic.rooms[0].id) == 3)
            #expect(try store.count(in: clinic.rooms[1].id) == 1)
            let page = try store.messages(in: clinic.rooms[0].id, after: 0, upTo: 100, limit: 100)
            #expect(page.messages.map(\.seq) == [1, 2, 3])
            #expect(page.messages.map(\.body) == ["one", "same client_id, other sender", "two"])
        }
    }

    @Test("a batch of nothing but duplicates stores nothing and uses up no seq")
    func batchOfDuplicates() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit((1...3).map { clinic.pending(0, from: clinic.alex, "m\($0)", clientID: "c\($0)", tag: $0) })
            try box.wait(for: 3)
            writer.submit((1...3).reversed().map {
                clinic.pending(0, from: clinic.alex, "again \($0)", clientID: "c\($0)", tag: 10 + $0)
            })
            try box.wait(for: 3)
            writer.submit([clinic.pending(0, from: clinic.alex, "m4", clientID: "c4", tag: 4)])
            writer.stop()

            let outcomes = box.all
            try #require(outcomes.count == 7)
            #expect(outcomes[3...5].compactMap(\.duplicate).map(\.seq) == [3, 2, 1])
            #expect(outcomes[3...5].compactMap(\.duplicate).map(\.body) == ["m3", "m2", "m1"])
            #expect(outcomes[6].committed?.seq == 4)
            #expect(try MessageStore(database).count(in: clinic.rooms[0].id) == 4)
        }
    }

    @Test("across batches and a restart: the first message a new writer sees may be a duplicate, and seqs go on")
    func duplicateFirstAfterRestart() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/h.db"
            let originals: [StoredMessage]
            let room: RoomID, alex: MemberInfo
            do {
                let database = try HearthDatabase(path: path)
                let clinic = try SmallClinic(database)
                room = clinic.rooms[0].id
                alex = clinic.alex.identity.member
                let box = OutcomeBox()
                let writer = box.makeWriter(database)
                writer.submit((1...2).map { clinic.pending(0, from: clinic.alex, "m\($0)", clientID: "c\($0)", tag: $0) })
                try box.wait(for: 2)
                writer.submit([clinic.pending(0, from: clinic.alex, "m2 again", clientID: "c2", tag: 3),
                               clinic.pending(0, from: clinic.alex, "m3", clientID: "c3", tag: 4)])
                writer.stop()
                let outcomes = box.all
                try #require(outcomes.count == 4)
                #expect(outcomes[2].duplicate?.seq == 2)
                #expect(outcomes[3].committed?.seq == 3)
                originals = outcomes.compactMap(\.committed)
            }

            // A new writer knows no room's latest seq: its first message is a duplicate, its second is new.
            let reopened = try HearthDatabase(path: path)
            let box = OutcomeBox()
            let writer = box.makeWriter(reopened)
            writer.submit([
                PendingMessage(room: room, sender: alex, body: "m1 again", clientID: "c1", sentAt: Date(), tag: 5),
                PendingMessage(room: room, sender: alex, body: "m4", clientID: "c4", sentAt: Date(), tag: 6),
                PendingMessage(room: room, sender: alex, body: "m4 again", clientID: "c4", sentAt: Date(), tag: 7),
            ])
            writer.stop()
            let outcomes = box.all
            try #require(outcomes.count == 3)
            let duplicate = try #require(outcomes[0].duplicate)
            #expect(duplicate.seq == 1 && duplicate.id == originals[0].id && duplicate.body == "m1")
            let fourth = try #require(outcomes[1].committed)
            #expect(fourth.seq == 4)
            #expect(outcomes[2].duplicate?.id == fourth.id)
            #expect(try MessageStore(reopened).count(in: room) == 4)
            #expect(try MessageStore(reopened).latestSeq(of: room) == 4)
        }
    }

    @Test("a resend's ack carries the original as stored (kind, whisper member, held, time), not the resend")
    func duplicateCarriesTheOriginal() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            let sentAt = try time("2026-03-02T10:05:00.123Z")
            writer.submit([PendingMessage(room: clinic.rooms[0].id, sender: clinic.dana.identity.member,
                                          body: "Just for you", clientID: "w1", sentAt: sentAt, kind: .whisper,
                                          to: clinic.alex.identity.member, held: true, tag: 1)])
            try box.wait(for: 1)
            writer.submit([PendingMessage(room: clinic.rooms[0].id, sender: clinic.dana.identity.member,
                                          body: "Changed", clientID: "w1", sentAt: sentAt.addingTimeInterval(60),
                                          kind: .chat, tag: 2)])
            writer.stop()

            let original = try #require(box.all.first?.committed)
            let duplicate = try #require(box.all.last?.duplicate)
            #expect(duplicate.id == original.id && duplicate.seq == original.seq)
            #expect(duplicate.body == "Just for you")
            #expect(duplicate.kind == .whisper)
            #expect(duplicate.to?.id == clinic.alex.id)
            #expect(duplicate.held)
            #expect(duplicate.sentAt.epochMilliseconds == sentAt.epochMilliseconds)
            #expect(duplicate.wire.ts == "2026-03-02T10:05:00.123Z")
            #expect(try MessageStore(database).count(in: clinic.rooms[0].id) == 1)
        }
    }

    @Test("a failed batch uses up no seq even when it held duplicates, and the duplicates stay duplicates")
    func failedBatchWithDuplicates() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([clinic.pending(0, from: clinic.alex, "kept", clientID: "k", tag: 1)])
            try box.wait(for: 1)
            writer.submit([
                clinic.pending(0, from: clinic.alex, "kept again", clientID: "k", tag: 2),
                clinic.pending(0, from: clinic.alex, "new", clientID: "n", tag: 3),
                PendingMessage(room: RoomID("r_no_such_room"), sender: clinic.alex.identity.member, body: "lost",
                               clientID: "bad", sentAt: Date(), tag: 4),
            ])
            try box.wait(for: 3)
            writer.submit([clinic.pending(0, from: clinic.alex, "new", clientID: "n", tag: 5),
                           clinic.pending(0, from: clinic.alex, "kept again", clientID: "k", tag: 6)])
            writer.stop()

            let outcomes = box.all
            try #require(outcomes.count == 6)
            #expect(outcomes[1...3].allSatisfy { $0.isFailed })
            #expect(outcomes[4].committed?.seq == 2)
            #expect(outcomes[5].duplicate?.seq == 1)
            #expect(try MessageStore(database).count(in: clinic.rooms[0].id) == 2)
        }
    }
}
