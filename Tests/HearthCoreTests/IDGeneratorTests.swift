import Dispatch
import Foundation
@testable import HearthCore
import Synchronization
import Testing

/// Ids come from random bytes read a batch at a time (`RandomBytes`): the format is unchanged, every id is new, and
/// ids made on many threads at once are all different.
struct IDGeneratorTests {
    static let alphabet = Set("abcdefghijkmnpqrstuvwxyz23456789")

    @Test("each kind of id has its prefix, an underscore and one letter of the alphabet per 5 bits")
    func format() {
        let samples: [(String, String, Int)] = [
            (IDGenerator.message().rawValue, "m_", 16), (IDGenerator.person().rawValue, "p_", 20),
            (IDGenerator.room().rawValue, "r_", 20), (IDGenerator.series().rawValue, "s_", 20),
            (IDGenerator.make(prefix: "tok", bits: 3), "tok_", 1), (IDGenerator.make(prefix: "x", bits: 400), "x_", 80),
            (IDGenerator.make(prefix: "", bits: 0), "_", 0),
        ]
        for (id, prefix, letters) in samples {
            #expect(id.hasPrefix(prefix), "\(id)")
            let tail = id.dropFirst(prefix.count)
            #expect(tail.count == letters, "\(id)")
            #expect(tail.allSatisfy(Self.alphabet.contains), "\(id)")
        }
    }

    @Test("100,000 message ids, made across many batches of random bytes, are all different")
    func unique() {
        var seen = Set<String>()
        for _ in 0..<100_000 { seen.insert(IDGenerator.message().rawValue) }
        #expect(seen.count == 100_000)
    }

    @Test("ids made on eight threads at once are all different and well formed")
    func concurrent() {
        let made = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            var mine: [String] = []
            for index in 0..<5_000 {
                mine.append(index.isMultiple(of: 2) ? IDGenerator.message().rawValue : IDGenerator.person().rawValue)
            }
            made.withLock { $0.append(contentsOf: mine) }
        }
        let all = made.withLock { $0 }
        #expect(all.count == 40_000)
        #expect(Set(all).count == 40_000)
        #expect(all.allSatisfy { $0.dropFirst(2).allSatisfy(Self.alphabet.contains) })
    }

    @Test("every letter of the alphabet turns up in every position of a message id")
    func everyLetterEverywhere() {
        // 20,000 ids: each letter is expected about 625 times per position; missing one by chance is impossible
        // in practice (e^-625), while a broken mapping (a fixed bit, a short alphabet) leaves letters out.
        var seen = Array(repeating: Set<Character>(), count: 16)
        for _ in 0..<20_000 {
            for (position, letter) in IDGenerator.message().rawValue.dropFirst(2).enumerated() {
                seen[position].insert(letter)
            }
        }
        #expect(seen.allSatisfy { $0 == Self.alphabet })
    }

    @Test("random bytes are handed out once: takes never repeat, across refills of the batch")
    func bytesNotReused() {
        let pool = RandomBytes()
        var taken = Set<[UInt64]>()
        let takes = 3 * RandomBytes.batch / 16 // three batches
        for _ in 0..<takes {
            let bytes = pool.take16()
            taken.insert([bytes.0, bytes.1])
        }
        #expect(taken.count == takes)
    }
}
