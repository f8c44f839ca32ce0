/// Reads the frequent request, `send`, straight from the frame's UTF-8 bytes, without `JSONDecoder`.
///
/// It is a fast path, never a second parser with its own opinions: it takes only frames it is sure of and
/// leaves everything else to `JSONDecoder` (`ClientRequest.decode`), so what a frame means and every error it gets
/// stay exactly those of the Foundation path. It takes a frame only when all of this holds:
///
/// - optional JSON whitespace (space, tab, LF, CR), one object, optional whitespace, the end;
/// - every key is one of `type`, `ref`, `room`, `body`, `client_id`, `to`, `announce`, written plainly (no
///   escape), each at most once (JSONDecoder keeps the first of duplicate keys; leaving them to it is simpler);
/// - `type` is the string `"send"` (a `type` is read as soon as it comes; anything else goes back at once);
/// - the string fields are strings or `null`, `announce` is `true`, `false` or `null`;
/// - every string is valid UTF-8 with no raw control character (U+0000 to U+001F), and its escapes are the JSON
///   ones: `\" \\ \/ \b \f \n \r \t` and `\uXXXX` (either case), a UTF-16 surrogate only as a high-low pair;
/// - no trailing comma (JSONDecoder accepts `{"a":1,}`; this leaves it to it).
///
/// Anything else (unknown or other requests' fields, numbers, arrays, nested objects, escaped keys, lone
/// surrogates, invalid UTF-8, a byte-order mark, a truncated frame) is "not sure": `scan` returns nil and the
/// caller decodes the frame as before. When it returns fields, `JSONDecoder` would have decoded exactly the same
/// values, so the same validation (`Fields.request()`) gives the same request or the same error and `ref`.
enum SendScanner {
    /// The fields of a `send` frame, as JSONDecoder would read them (`null` is nil).
    struct Fields: Equatable {
        var ref: String?
        var room: String?
        var body: String?
        var clientID: String?
        var to: String?
        var announce: Bool?
    }

    /// The fields of `bytes` when it is a `send` frame the scanner is sure of; nil to leave it to JSONDecoder.
    static func scan(_ bytes: [UInt8]) -> Fields? {
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = Cursor(buffer)
            do { return try cursor.send() } catch { return nil }
        }
    }

    /// Whether `bytes` is well-formed UTF-8 (The Unicode Standard, table 3-7: no overlong forms, no surrogates,
    /// nothing above U+10FFFF), exactly what `String(validating:as:)` accepts, without its generic overhead.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // the range of the byte after the lead
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false  // 0x80...0xC1, 0xF5...0xFF
            }
            guard count - index >= length else { return false }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }

    /// "Not sure": the frame goes to JSONDecoder.
    struct Unsure: Error {}

    private enum Key: UInt8 {
        case type, ref, room, body, clientID, to, announce
        var bit: UInt8 { 1 << rawValue }
    }

    private enum ASCII {
        static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), slash = UInt8(ascii: "/")
        static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
        static let colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        /// The whole frame: `{ "key": value, … }` with only the keys above.
        mutating func send() throws(Unsure) -> Fields {
            var fields = Fields()
            var seen: UInt8 = 0
            skipSpace()
            try expect(ASCII.openBrace)
            skipSpace()
            // `{}` has no type: JSONDecoder's path says so. Every member starts with a quote.
            while true {
                try expect(ASCII.quote)
                let key = try self.key()
                guard seen & key.bit == 0 else { throw Unsure() }
                seen |= key.bit
                skipSpace()
                try expect(ASCII.colon)
                skipSpace()
                switch key {
                case .type:
                    // Compared as JSONDecoder's path compares it (`switch type { case "send": … }`).
                    guard let type = try stringOrNull(), type == "send" else { throw Unsure() }
                case .ref: fields.ref = try stringOrNull()
                case .room: fields.room = try stringOrNull()
                case .body: fields.body = try stringOrNull()
                case .clientID: fields.clientID = try stringOrNull()
                case .to: fields.to = try stringOrNull()
                case .announce: fields.announce = try boolOrNull()
                }
                skipSpace()
                if take(ASCII.comma) {
                    skipSpace()  // a `}` here (trailing comma) fails `expect(quote)`: left to JSONDecoder.
                    continue
                }
                try expect(ASCII.closeBrace)
                break
            }
            skipSpace()
            guard index == bytes.count, seen & Key.type.bit != 0 else { throw Unsure() }
            return fields
        }

        // MARK: Tokens

        private mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func expect(_ byte: UInt8) throws(Unsure) {
            guard take(byte) else { throw Unsure() }
        }

        private mutating func expectWord(_ word: StaticString) throws(Unsure) {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { throw Unsure() }
            let base = word.utf8Start
            for offset in 0..<count where bytes[index + offset] != base[offset] { throw Unsure() }
            index += count
        }

        /// A key, the opening quote already read: one of the seven, written plainly.
        private mutating func key() throws(Unsure) -> Key {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == ASCII.quote { break }
                // Escaped, control or non-ASCII keys are never one of ours written plainly.
                guard byte >= 0x20, byte < 0x80, byte != ASCII.backslash else { throw Unsure() }
                index += 1
            }
            guard index < bytes.count else { throw Unsure() }
            let key = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            func matches(_ name: StaticString) -> Bool {
                name.utf8CodeUnitCount == key.count
                    && key.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            }
            switch key.count {
            case 2 where matches("to"): return .to
            case 3 where matches("ref"): return .ref
            case 4 where matches("type"): return .type
            case 4 where matches("room"): return .room
            case 4 where matches("body"): return .body
            case 8 where matches("announce"): return .announce
            case 9 where matches("client_id"): return .clientID
            default: throw Unsure()
            }
        }

        private mutating func boolOrNull() throws(Unsure) -> Bool? {
            guard index < bytes.count else { throw Unsure() }
            switch bytes[index] {
            case UInt8(ascii: "t"): try expectWord("true"); return true
            case UInt8(ascii: "f"): try expectWord("false"); return false
            case UInt8(ascii: "n"): try expectWord("null"); return nil
            default: throw Unsure()
            }
        }

        private mutating func stringOrNull() throws(Unsure) -> String? {
            guard index < bytes.count else { throw Unsure() }
            switch bytes[index] {
            case ASCII.quote: index += 1; return try string()
            case UInt8(ascii: "n"): try expectWord("null"); return nil
            default: throw Unsure()
            }
        }

        // MARK: Strings

        /// A string value, the opening quote already read. Without escapes the bytes are validated in place.
        private mutating func string() throws(Unsure) -> String {
            let start = index
            var high: UInt8 = 0  // any byte >= 0x80 sets its top bit
            while index < bytes.count {
                let byte = bytes[index]
                if byte == ASCII.quote {
                    let utf8 = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    guard high < 0x80 || SendScanner.isValidUTF8(utf8) else { throw Unsure() }
                    index += 1
                    return String(decoding: utf8, as: UTF8.self)
                }
                if byte == ASCII.backslash { return try escapedString(from: start) }
                guard byte >= 0x20 else { throw Unsure() }
                high |= byte
                index += 1
            }
            throw Unsure()
        }

        /// The rest of a string that has escapes: unescaped into a buffer, then validated as a whole. Escapes
        /// always produce whole UTF-8 sequences, so the whole is valid exactly when every raw run between them is.
        private mutating func escapedString(from start: Int) throws(Unsure) -> String {
            var text: [UInt8] = []
            text.reserveCapacity(bytes.count - start)
            text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == ASCII.quote {
                    guard text.withUnsafeBufferPointer(SendScanner.isValidUTF8) else { throw Unsure() }
                    return String(decoding: text, as: UTF8.self)
                }
                guard byte >= 0x20 else { throw Unsure() }
                guard byte == ASCII.backslash else { text.append(byte); continue }
                guard index < bytes.count else { throw Unsure() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case ASCII.quote, ASCII.backslash, ASCII.slash: text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    let unit = try hex4()
                    let scalar: UInt32
                    switch unit {
                    case 0xD800...0xDBFF:
                        // A high surrogate must be followed by an escaped low one; JSONDecoder refuses the rest.
                        try expect(ASCII.backslash)
                        try expect(UInt8(ascii: "u"))
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw Unsure() }
                        scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    case 0xDC00...0xDFFF: throw Unsure()
                    default: scalar = unit
                    }
                    appendUTF8(scalar, to: &text)
                default: throw Unsure()
                }
            }
            throw Unsure()
        }

        private mutating func hex4() throws(Unsure) -> UInt32 {
            guard bytes.count - index >= 4 else { throw Unsure() }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
                default: throw Unsure()
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        private func appendUTF8(_ scalar: UInt32, to text: inout [UInt8]) {
            switch scalar {
            case 0..<0x80:
                text.append(UInt8(scalar))
            case 0x80..<0x800:
                text.append(UInt8(0xC0 | scalar >> 6))
                text.append(UInt8(0x80 | scalar & 0x3F))
            case 0x800..<0x10000:
                text.append(UInt8(0xE0 | scalar >> 12))
                text.append(UInt8(0x80 | scalar >> 6 & 0x3F))
                text.append(UInt8(0x80 | scalar & 0x3F))
            default:
                text.append(UInt8(0xF0 | scalar >> 18))
                text.append(UInt8(0x80 | scalar >> 12 & 0x3F))
                text.append(UInt8(0x80 | scalar >> 6 & 0x3F))
                text.append(UInt8(0x80 | scalar & 0x3F))
            }
        }
    }
}
