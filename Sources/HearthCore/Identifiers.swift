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

/// Makes new opaque ids: 96 random bits, base-32 encoded with a kind prefix (`p_`, `r_`, `s_`, `m_`).
public enum IDGenerator {
    private static let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789".utf8)

    /// A random id such as `r_k3m9x2q7hz4wc8pe5tna`.
    public static func make(prefix: String, bits: Int = 100) -> String {
        var rng = SystemRandomNumberGenerator()
        let count = (bits + 4) / 5
        var out = [UInt8](prefix.utf8)
        out.append(UInt8(ascii: "_"))
        for _ in 0..<count { out.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func person() -> PersonID { PersonID(make(prefix: "p")) }
    public static func room() -> RoomID { RoomID(make(prefix: "r")) }
    public static func series() -> SeriesID { SeriesID(make(prefix: "s")) }
    public static func message() -> MessageID { MessageID(make(prefix: "m", bits: 80)) }
}
