import Foundation
import HearthCore
import HearthStore
import Testing

/// The group-commit writer: gap-free seqs per room, idempotent client_ids (also across restarts), outcomes handed over
/// before `stop()` returns, and several messages per transaction.
struct MessageWriterTests {
    @Test("seqs start at 1 in each room and go up by one with no gaps, each room on its own")
    func seqsPerRoom() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            // Interleaved: rooms 0,1,0,0,1,0,1,0
            let rooms = [0, 1, 0, 0, 1, 0, 1, 0]
            writer.submit(rooms.enumerated().map { index, room in
                clinic.pending(room, from: index.isMultiple(of: 2) ? clinic.alex : clinic.sam, "message \(index)",
                               clientID: "c\(index)", tag: index)
            })
            writer.stop()

            let outcomes = box.all
            #expect(outcomes.map(\.tag) == Array(rooms.indices))
            let committed = outcomes.compactMap(\.committed)
            try #require(committed.count == rooms.count)
            #expect(committed.filter { $0.room == clinic.rooms[0].id }.map(\.seq) == [1, 2, 3, 4, 5])
            #expect(committed.filter { $0.room == clinic.rooms[1].id }.map(\.seq) == [1, 2, 3])
            #expect(Set(committed.map(\.id)).count == rooms.count)

            let store = MessageStore(database)
            #expect(try store.latestSeq(of: clinic.rooms[0].id) == 5)
            #expect(try store.latestSeq(of: clinic.rooms[1].id) == 3)
            let page = try store.messages(in: clinic.rooms[0].id, after: 0, upTo: 100, limit: 100)
            #expect(page.messages.map(\.body) == ["message 0", "message 2", "message 3", "message 5", "message 7"])
        }
    }

    @Test("seqs continue without gaps across successive transactions of one writer")
    func seqsAcrossBatches() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            for index in 0..<4 {
                writer.submit([clinic.pending(0, from: clinic.alex, "m\(index)", clientID: "c\(index)", tag: index)])
                try box.wait(for: 1)
            }
            writer.stop()
            #expect(box.all.compactMap(\.committed).map(\.seq) == [1, 2, 3, 4])
            #expect(box.batches.count == 4)
        }
    }

    @Test("a committed message is stored with its sender, body, client_id and time")
    func committedMessageIsStored() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            let sentAt = try time("2026-03-02T10:05:00.123Z")
            writer.submit([clinic.pending(0, from: clinic.dana, "Welcome, everyone.\nLet's begin 🙂", clientID: "c-1",
                                          tag: 1, sentAt: sentAt)])
            writer.stop()
            let committed = try #require(box.all.first?.committed)
            let stored = try #require(MessageStore(database)
                .messages(in: clinic.rooms[0].id, after: 0, upTo: 10, limit: 10).messages.first)
            #expect(stored.seq == committed.seq && stored.id == committed.id)
            #expect(stored.sender == MemberInfo(id: clinic.dana.id, name: "Dana M.", role: .counselor))
            #expect(stored.body == "Welcome, everyone.\nLet's begin 🙂")
            #expect(stored.clientID == "c-1")
            #expect(stored.sentAt.epochMilliseconds == sentAt.epochMilliseconds)
            #expect(stored.id.rawValue.hasPrefix("m_"))
        }
    }

    @Test("a message shows the same ts in its ack as when read back from history")
    func sameTimestampLiveAndStored() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([clinic.pending(0, from: clinic.alex, "hi", clientID: "c-1", tag: 1,
                                          sentAt: try time("2026-03-02T10:05:00.123Z"))])
            writer.stop()
            let committed = try #require(box.all.first?.committed)
            let stored = try #require(MessageStore(database)
                .messages(in: clinic.rooms[0].id, after: 0, upTo: 10, limit: 10).messages.first)
            #expect(committed.wire.ts == "2026-03-02T10:05:00.123Z")
            #expect(stored.wire.ts == committed.wire.ts)
        }
    }

    @Test("a repeated client_id from the same sender in the same room is a duplicate carrying the original seq and id")
    func duplicateAcrossBatches() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([clinic.pending(0, from: clinic.alex, "first try", clientID: "same", tag: 1)])
            try box.wait(for: 1)
            writer.submit([clinic.pending(0, from: clinic.alex, "other", clientID: "other", tag: 2)])
            try box.wait(for: 1)
            writer.submit([clinic.pending(0, from: clinic.alex, "retry", clientID: "same", tag: 3)])
            writer.stop()

            let outcomes = box.all
            try #require(outcomes.count == 3)
            let original = try #require(outcomes[0].committed)
            let duplicate = try #require(outcomes[2].duplicate)
            #expect(outcomes[2].tag == 3)
            #expect(duplicate.seq == original.seq)
            #expect(duplicate.id == original.id)
            #expect(duplicate.body == "first try")
            #expect(try MessageStore(database).count(in: clinic.rooms[0].id) == 2)
            #expect(try MessageStore(database).latestSeq(of: clinic.rooms[0].id) == 2)
        }
    }

    @Test("a client_id repeated within one transaction is a duplicate of the first")
    func duplicateWithinBatch() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([
                clinic.pending(0, from: clinic.alex, "hello", clientID: "dup", tag: 1),
                clinic.pending(0, from: clinic.alex, "hello again", clientID: "dup", tag: 2),
                clinic.pending(0, from: clinic.alex, "next", clientID: "next", tag: 3),
            ])
            writer.stop()
            #expect(box.batches == [3])
            let outcomes = box.all
            try #require(outcomes.count == 3)
            let first = try #require(outcomes[0].committed)
            let repeated = try #require(outcomes[1].duplicate)
            #expect(repeated.seq == first.seq && repeated.id == first.id)
            #expect(outcomes[2].committed?.seq == 2)
            #expect(try MessageStore(database).count(in: clinic.rooms[0].id) == 2)
        }
    }

    @Test("the same client_id from another sender or in another room is a new message")
    func clientIDScopedToSenderAndRoom() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([
                clinic.pending(0, from: clinic.alex, "a", clientID: "1", tag: 1),
                clinic.pending(0, from: clinic.sam, "b", clientID: "1", tag: 2),
                clinic.pending(1, from: clinic.alex, "c", clientID: "1", tag: 3),
            ])
            writer.stop()
            #expect(box.all.compactMap(\.committed).map(\.seq) == [1, 2, 1])
        }
    }

    @Test("after a restart seqs continue from the last one and an earlier client_id is still a duplicate")
    func restart() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/h.db"
            let room: RoomID, alex: MemberInfo
            let before: [StoredMessage]
            do {
                let database = try HearthDatabase(path: path)
                let clinic = try SmallClinic(database)
                room = clinic.rooms[0].id
                alex = clinic.alex.identity.member
                let box = OutcomeBox()
                let writer = box.makeWriter(database)
                writer.submit((1...3).map { clinic.pending(0, from: clinic.alex, "m\($0)", clientID: "c\($0)", tag: $0) })
                writer.stop()
                before = box.all.compactMap(\.committed)
                try #require(before.map(\.seq) == [1, 2, 3])
            }

            let reopened = try HearthDatabase(path: path)
            let box = OutcomeBox()
            let writer = box.makeWriter(reopened)
            writer.submit([PendingMessage(room: room, sender: alex, body: "m4", clientID: "c4", sentAt: Date(), tag: 4)])
            try box.wait(for: 1)
            writer.submit([PendingMessage(room: room, sender: alex, body: "m2 again", clientID: "c2", sentAt: Date(), tag: 5)])
            writer.stop()

            let outcomes = box.all
            try #require(outcomes.count == 2)
            #expect(outcomes[0].committed?.seq == 4)
            let duplicate = try #require(outcomes[1].duplicate)
            #expect(duplicate.seq == 2)
            #expect(duplicate.id == before[1].id)
            #expect(duplicate.body == "m2")
            #expect(try MessageStore(reopened).count(in: room) == 4)
        }
    }

    @Test("stop returns only after every submitted message's outcome was handed over")
    func stopHandsOverEverything() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database, maxBatch: 7)
            for index in 0..<50 {
                writer.submit([clinic.pending(index % 2, from: clinic.sam, "m\(index)", clientID: "c\(index)", tag: index)])
            }
            writer.stop()
            // No waiting here: stop() itself must guarantee it.
            #expect(box.all.count == 50)
            #expect(Set(box.all.map(\.tag)) == Set(0..<50))
            #expect(writer.committed.messages == 50)
            #expect(try MessageStore(database).count(in: clinic.rooms[0].id) == 25)
            #expect(try MessageStore(database).count(in: clinic.rooms[1].id) == 25)
        }
    }

    @Test("a writer stopped with nothing submitted hands over nothing")
    func stopWhenIdle() throws {
        try withTemporaryDatabase { database throws in
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([])
            writer.stop()
            #expect(box.all.isEmpty)
            #expect(writer.committed.batches == 0)
        }
    }

    @Test("many messages submitted at once are committed in fewer transactions than messages")
    func groupCommit() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit((0..<300).map { clinic.pending($0 % 2, from: clinic.alex, "m\($0)", clientID: "c\($0)", tag: $0) })
            writer.stop()
            #expect(box.all.compactMap(\.committed).count == 300)
            #expect(writer.committed.messages == 300)
            #expect(writer.committed.batches < 300)
            #expect(box.batches.count == writer.committed.batches)
        }
    }

    @Test("no transaction holds more than maxBatch messages")
    func maxBatch() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database, maxBatch: 10)
            writer.submit((0..<95).map { clinic.pending(0, from: clinic.alex, "m\($0)", clientID: "c\($0)", tag: $0) })
            writer.stop()
            #expect(box.batches.allSatisfy { $0 <= 10 })
            #expect(box.batches.reduce(0, +) == 95)
            #expect(writer.committed.batches >= 10)
            #expect(box.all.compactMap(\.committed).map(\.seq) == Array(1...95))
        }
    }

    @Test("a transaction that cannot be stored fails every message in it and uses up no seq")
    func failedBatch() throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit([
                clinic.pending(0, from: clinic.alex, "fine", clientID: "ok", tag: 1),
                PendingMessage(room: RoomID("r_no_such_room"), sender: clinic.alex.identity.member, body: "lost",
                               clientID: "bad", sentAt: Date(), tag: 2),
            ])
            try box.wait(for: 2)
            writer.submit([clinic.pending(0, from: clinic.alex, "fine", clientID: "ok", tag: 3)])
            writer.stop()

            let outcomes = box.all
            try #require(outcomes.count == 3)
            #expect(outcomes[0].isFailed && outcomes[1].isFailed)
            if case .failed(let pending, let reason) = outcomes[0] {
                #expect(pending.clientID == "ok")
                #expect(!reason.isEmpty)
            }
            // The retry with the same client_id is new (nothing was stored), and gets seq 1.
            #expect(outcomes[2].committed?.seq == 1)
            #expect(try MessageStore(database).count(in: clinic.rooms[0].id) == 1)
            #expect(writer.committed.batches == 1)
        }
    }
}
