import Foundation
import HearthCore
import HearthStore
import Testing

/// Reading room history in pages: oldest first, `more` exactly when messages were left out, never past `upTo`.
struct MessageStoreTests {
    /// Runs `body` with a room holding messages seq 1...10 ("m1"..."m10") and an empty second room.
    private func withTenMessages(_ body: (MessageStore, SmallClinic) throws -> Void) throws {
        try withTemporaryDatabase { database throws in
            let clinic = try SmallClinic(database)
            let box = OutcomeBox()
            let writer = box.makeWriter(database)
            writer.submit((1...10).map { clinic.pending(0, from: clinic.alex, "m\($0)", clientID: "c\($0)", tag: $0) })
            writer.stop()
            try #require(box.all.compactMap(\.committed).map(\.seq) == Array(1...10))
            try body(MessageStore(database), clinic)
        }
    }

    struct Page: Sendable, CustomTestStringConvertible {
        var from: Int64
        var upTo: Int64
        var limit: Int
        var seqs: [Int64]
        var more: Bool
        var testDescription: String { "from \(from) up to \(upTo), limit \(limit)" }
    }

    @Test("messages after a seq come oldest first with more only when some were left out", arguments: [
        Page(from: 0, upTo: 10, limit: 4, seqs: [1, 2, 3, 4], more: true),
        Page(from: 4, upTo: 10, limit: 4, seqs: [5, 6, 7, 8], more: true),
        Page(from: 8, upTo: 10, limit: 4, seqs: [9, 10], more: false),
        Page(from: 6, upTo: 10, limit: 4, seqs: [7, 8, 9, 10], more: false),
        Page(from: 10, upTo: 10, limit: 4, seqs: [], more: false),
        Page(from: 0, upTo: 10, limit: 50, seqs: Array(1...10), more: false),
        // Never beyond upTo, even when later messages exist.
        Page(from: 0, upTo: 5, limit: 10, seqs: [1, 2, 3, 4, 5], more: false),
        Page(from: 0, upTo: 6, limit: 6, seqs: [1, 2, 3, 4, 5, 6], more: false),
        Page(from: 2, upTo: 6, limit: 3, seqs: [3, 4, 5], more: true),
        Page(from: 3, upTo: 3, limit: 3, seqs: [], more: false),
    ])
    func after(page: Page) throws {
        try withTenMessages { store, clinic throws in
            let result = try store.messages(in: clinic.rooms[0].id, after: page.from, upTo: page.upTo, limit: page.limit)
            #expect(result.messages.map(\.seq) == page.seqs)
            #expect(result.messages.map(\.body) == page.seqs.map { "m\($0)" })
            #expect(result.more == page.more)
        }
    }

    @Test("messages before a seq are the latest ones below it, oldest first, with more when older ones remain", arguments: [
        Page(from: 11, upTo: 10, limit: 4, seqs: [7, 8, 9, 10], more: true),
        Page(from: 7, upTo: 10, limit: 4, seqs: [3, 4, 5, 6], more: true),
        Page(from: 3, upTo: 10, limit: 4, seqs: [1, 2], more: false),
        Page(from: 5, upTo: 10, limit: 4, seqs: [1, 2, 3, 4], more: false),
        Page(from: 1, upTo: 10, limit: 4, seqs: [], more: false),
        Page(from: .max, upTo: 10, limit: 50, seqs: Array(1...10), more: false),
        // Never beyond upTo, even when `before` is higher.
        Page(from: .max, upTo: 6, limit: 3, seqs: [4, 5, 6], more: true),
        Page(from: 11, upTo: 3, limit: 5, seqs: [1, 2, 3], more: false),
    ])
    func before(page: Page) throws {
        try withTenMessages { store, clinic throws in
            let result = try store.messages(in: clinic.rooms[0].id, before: page.from, upTo: page.upTo, limit: page.limit)
            #expect(result.messages.map(\.seq) == page.seqs)
            #expect(result.more == page.more)
        }
    }

    @Test("paging backwards from the end visits every message once")
    func pageThroughHistory() throws {
        try withTenMessages { store, clinic throws in
            var seen: [Int64] = []
            var before: Int64 = .max
            var pages = 0
            while true {
                let page = try store.messages(in: clinic.rooms[0].id, before: before, upTo: 10, limit: 3)
                seen = page.messages.map(\.seq) + seen
                pages += 1
                guard page.more, let oldest = page.messages.first?.seq else { break }
                before = oldest
                try #require(pages < 20)
            }
            #expect(seen == Array(1...10))
            #expect(pages == 4)
        }
    }

    @Test("a room's latest seq and count are its own, and an empty room has seq 0")
    func latestSeqAndCount() throws {
        try withTenMessages { store, clinic throws in
            #expect(try store.latestSeq(of: clinic.rooms[0].id) == 10)
            #expect(try store.count(in: clinic.rooms[0].id) == 10)
            #expect(try store.latestSeq(of: clinic.rooms[1].id) == 0)
            #expect(try store.count(in: clinic.rooms[1].id) == 0)
            let empty = try store.messages(in: clinic.rooms[1].id, after: 0, upTo: 100, limit: 10)
            #expect(empty.messages.isEmpty && !empty.more)
        }
    }

    @Test("a page carries the sender as others see them, never their legal name")
    func senderInPage() throws {
        try withTenMessages { store, clinic throws in
            let message = try #require(store.messages(in: clinic.rooms[0].id, after: 0, upTo: 1, limit: 1).messages.first)
            #expect(message.sender == MemberInfo(id: clinic.alex.id, name: "Alex R.", role: .participant))
            #expect(message.wire.from == message.sender)
            #expect(message.wire.clientID == "c1")
        }
    }
}
