/// Writes the per-message frames, `ack` and `message`, straight into bytes, without `JSONEncoder`.
///
/// The output is byte for byte what `FrameCodec`'s `JSONEncoder` (`[.sortedKeys, .withoutEscapingSlashes]`)
/// writes for the same frame (`FrameCodecDirectPathTests` compares the two on a large corpus):
///
/// - compact, keys sorted by their UTF-8 bytes, so `type` comes last and `held` < `hidden` < `hidden_reason`;
/// - an optional field is left out exactly when it is nil (`held: false` is written);
/// - strings: `"` and `\` escaped with a backslash; `\b \t \n \f \r` for those five controls, `\u00xx` (lowercase
///   hex) for the other 27 of U+0000 to U+001F; everything else as its UTF-8 bytes: `/`, DEL, U+2028, U+2029 and
///   every non-ASCII character unescaped;
/// - integers in decimal, `-` for negatives, no `+`, no leading zeros.
struct DirectFrameWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// `{"client_id":…,"id":…,"ref":…,"room":…,"seq":…,"ts":…,"type":"ack"}`, `ref` only when present.
    static func ack(_ ack: ServerFrame.Ack) -> [UInt8] {
        var writer = DirectFrameWriter(capacity: 96 + ack.clientID.utf8.count + ack.id.rawValue.utf8.count
                                       + (ack.ref?.utf8.count ?? 0) + ack.room.rawValue.utf8.count + ack.ts.utf8.count)
        writer.raw("{\"client_id\":"); writer.string(ack.clientID)
        writer.raw(",\"id\":"); writer.string(ack.id.rawValue)
        if let ref = ack.ref { writer.raw(",\"ref\":"); writer.string(ref) }
        writer.raw(",\"room\":"); writer.string(ack.room.rawValue)
        writer.raw(",\"seq\":"); writer.integer(ack.seq)
        writer.raw(",\"ts\":"); writer.string(ack.ts)
        writer.raw(",\"type\":"); writer.string(ack.type)
        writer.raw("}")
        return writer.bytes
    }

    /// MSG with `"type":"message"`: `body`, `client_id`, `from`, `held`?, `hidden`?, `hidden_reason`?, `id`,
    /// `kind`?, `pinned`?, `room`, `seq`, `to`?, `ts`, `type`.
    static func message(_ message: ChatMessage) -> [UInt8] {
        var capacity = 256 + message.body.utf8.count + message.clientID.utf8.count + message.id.rawValue.utf8.count
            + message.room.rawValue.utf8.count + message.ts.utf8.count + message.from.id.rawValue.utf8.count
            + message.from.name.utf8.count
        if let to = message.to { capacity += 48 + to.id.rawValue.utf8.count + to.name.utf8.count }
        if let reason = message.hiddenReason { capacity += 20 + reason.utf8.count }
        var writer = DirectFrameWriter(capacity: capacity)
        writer.raw("{\"body\":"); writer.string(message.body)
        writer.raw(",\"client_id\":"); writer.string(message.clientID)
        writer.raw(",\"from\":"); writer.member(message.from)
        if let held = message.held { writer.raw(",\"held\":"); writer.bool(held) }
        if let hidden = message.hidden { writer.raw(",\"hidden\":"); writer.bool(hidden) }
        if let reason = message.hiddenReason { writer.raw(",\"hidden_reason\":"); writer.string(reason) }
        writer.raw(",\"id\":"); writer.string(message.id.rawValue)
        if let kind = message.kind { writer.raw(",\"kind\":"); writer.string(kind.rawValue) }
        if let pinned = message.pinned { writer.raw(",\"pinned\":"); writer.bool(pinned) }
        writer.raw(",\"room\":"); writer.string(message.room.rawValue)
        writer.raw(",\"seq\":"); writer.integer(message.seq)
        if let to = message.to { writer.raw(",\"to\":"); writer.member(to) }
        writer.raw(",\"ts\":"); writer.string(message.ts)
        writer.raw(",\"type\":\"message\"}")
        return writer.bytes
    }

    // MARK: Values

    /// MEMBER: `{"id":…,"name":…,"role":…}`.
    mutating func member(_ member: MemberInfo) {
        raw("{\"id\":"); string(member.id.rawValue)
        raw(",\"name\":"); string(member.name)
        raw(",\"role\":"); string(member.role.rawValue)
        raw("}")
    }

    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// A JSON string escaped as JSONEncoder escapes it; runs that need no escape are copied whole.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var run = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if run < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index])) }
                run = index + 1
                escape(byte)
            }
            if run < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x08: raw("\\b")
        case 0x09: raw("\\t")
        case 0x0A: raw("\\n")
        case 0x0C: raw("\\f")
        case 0x0D: raw("\\r")
        default:
            raw("\\u00")
            let hex = Self.hexDigits.utf8Start
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        }
    }
}
