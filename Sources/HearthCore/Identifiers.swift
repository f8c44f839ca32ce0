import Foundation
import Synchronization

/// An opaque identifier on the wire. Each kind of id is its own type so a room id can never be passed as a person id.
public protocol OpaqueID: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible, Comparable
where RawValue == String {
    init(rawValue: String)
}

extension OpaqueID {
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A person known to the clinic: participant, family member, counselor or admin.
public struct PersonID: OpaqueID { public let rawValue: String; public init(rawValue: String) { self.rawValue = rawValue } }
/// A room: one dated occurrence of a scheduled session.
public struct RoomID: OpaqueID { public let rawValue: String; public init(rawValue: String) { self.rawValue = rawValue } }
/// A session series: the weekly schedule rooms are made from.
public struct SeriesID: OpaqueID { public let rawValue: String; public init(rawValue: String) { self.rawValue = rawValue } }
/// A stored message.
public struct MessageID: OpaqueID { public let rawValue: String; public init(rawValue: String) { self.rawValue = rawValue } }

/// Makes new opaque ids: 100 random bits (80 for messages), base-32 encoded with a kind prefix (`p_`, `r_`, `s_`,
/// `m_`). Safe from any thread.
public enum IDGenerator {
    private static let alphabet: [UInt8] = Array("abcdefghijkmnpqrstuvwxyz23456789".utf8)

    /// A random id such as `r_k3m9x2q7hz4wc8pe5tna`: one letter of the 32 per 5 bits, each from its own random byte.
    public static func make(prefix: String, bits: Int = 100) -> String {
        let count = (bits + 4) / 5
        var prefix = prefix
        return prefix.withUTF8 { head in
            String(unsafeUninitializedCapacity: head.count + 1 + count) { out in
                _ = out.initialize(fromContentsOf: head)
                out[head.count] = UInt8(ascii: "_")
                alphabet.withUnsafeBufferPointer { letters in
                    var index = head.count + 1
                    let end = index + count
                    while index < end {
                        let random = RandomBytes.shared.take16()
                        var bits = random.0
                        for offset in 0..<16 where index < end {
                            if offset == 8 { bits = random.1 }
                            out[index] = letters[Int(bits & 31)] // one byte per letter: 256 is a multiple of 32
                            bits >>= 8
                            index += 1
                        }
                    }
                }
                return head.count + 1 + count
            }
        }
    }

    public static func person() -> PersonID { PersonID(make(prefix: "p")) }
    public static func room() -> RoomID { RoomID(make(prefix: "r")) }
    public static func series() -> SeriesID { SeriesID(make(prefix: "s")) }
    public static func message() -> MessageID { MessageID(make(prefix: "m", bits: 80)) }
}

/// Random bytes from the kernel, read a batch at a time: one `getrandom` call (4 KiB) serves 256 message ids,
/// where asking `SystemRandomNumberGenerator` for each letter entered the kernel 16 times per id. Bytes are handed
/// out 16 at a time, once each, and overwritten as they are taken. Any thread: a lock around the copy (ids are made
/// on the message writer's thread, and for people, rooms and series wherever the store creates them).
final class RandomBytes: Sendable {
    static let shared = RandomBytes()
    /// A multiple of 16.
    static let batch = 4096

    private struct Pool: ~Copyable {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: RandomBytes.batch, alignment: 16)
        /// Bytes before `next` have been handed out (and overwritten).
        var next = RandomBytes.batch

        deinit { bytes.deallocate() }

        mutating func take16() -> (UInt64, UInt64) {
            if next == RandomBytes.batch {
                RandomBytes.fill(UnsafeMutableRawBufferPointer(start: bytes, count: RandomBytes.batch))
                next = 0
            }
            let taken = (bytes.load(fromByteOffset: next, as: UInt64.self),
                         bytes.load(fromByteOffset: next + 8, as: UInt64.self))
            bytes.storeBytes(of: 0, toByteOffset: next, as: UInt64.self)
            bytes.storeBytes(of: 0, toByteOffset: next + 8, as: UInt64.self)
            next += 16
            return taken
        }
    }

    private let pool = Mutex(Pool())

    /// 16 fresh random bytes.
    func take16() -> (UInt64, UInt64) {
        pool.withLock { $0.take16() }
    }

    /// Fills `buffer` from the kernel's random source: `arc4random_buf`, which on Linux (glibc 2.36 and later) is
    /// one `getrandom` call for the whole buffer.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        arc4random_buf(buffer.baseAddress!, buffer.count)
    }
}
