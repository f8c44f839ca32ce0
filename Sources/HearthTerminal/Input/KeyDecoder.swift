/// Turns the bytes a terminal sends in raw mode into keys. A sequence cut between two reads (a UTF-8 character, an
/// escape sequence) is held until the next `feed`.
///
/// ```swift
/// var decoder = KeyDecoder()
/// decoder.feed([0x1b, 0x5b, 0x41, 0x68, 0x69])   // [.up, .character("h"), .character("i")]
/// decoder.feed([0xe6, 0x97])                     // []: the first bytes of 日
/// decoder.feed([0xa5])                           // [.character("日")]
/// ```
public struct KeyDecoder: Equatable, Sendable {
    /// Bytes of a sequence not complete yet.
    private var pending: [UInt8] = []

    public init() {}

    /// Whether bytes of an unfinished sequence are held. The app may call `flush()` when no byte follows shortly.
    public var hasPending: Bool { !pending.isEmpty }

    /// The keys these bytes complete, in order. Printable text is split into graphemes, so a combining mark or a skin
    /// tone joins the character before it when both come in the same read. An ESC that ends the bytes is `.escape`.
    public mutating func feed(_ bytes: [UInt8]) -> [Key] {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var text = String.UnicodeScalarView()
        func flushText() {
            guard !text.isEmpty else { return }
            keys.append(contentsOf: String(text).map { Key.character($0) })
            text = String.UnicodeScalarView()
        }
        var index = 0
        decoding: while index < pending.count {
            let byte = pending[index]
            switch byte {
            case 0x20..<0x7f:
                text.append(Unicode.Scalar(byte))
                index += 1
            case 0x80...:
                switch scalar(at: index) {
                case .incomplete:
                    break decoding
                case .invalid:
                    index += 1
                case .scalar(let scalar, let length):
                    // C1 controls are not text.
                    if !(0x80..<0xa0).contains(scalar.value) { text.append(scalar) }
                    index += length
                }
            case 0x1b:
                flushText()
                switch escape(at: index) {
                case .incomplete:
                    break decoding
                case .key(let key, let length):
                    if let key { keys.append(key) }
                    index += length
                }
            default:
                flushText()
                index += 1
                switch byte {
                case 0x0d:
                    keys.append(.enter)
                    // CR LF (a paste) is one Enter.
                    if index < pending.count, pending[index] == 0x0a { index += 1 }
                case 0x0a: keys.append(.enter)
                case 0x09: keys.append(.tab)
                case 0x7f, 0x08: keys.append(.backspace)
                case 0x01...0x1a: keys.append(.ctrl(Character(Unicode.Scalar(byte + 0x60))))
                default: break // NUL, Ctrl-\ … Ctrl-_: nothing
                }
            }
        }
        flushText()
        pending.removeFirst(index)
        return keys
    }

    /// The keys held bytes stand for when nothing follows them: ESC alone is `.escape`, `ESC [` and `ESC O` are Alt-[
    /// and Alt-O; a cut-off UTF-8 character or escape sequence is dropped.
    public mutating func flush() -> [Key] {
        defer { pending = [] }
        guard pending.first == 0x1b else { return [] }
        if pending.count == 2, pending[1] == UInt8(ascii: "[") || pending[1] == UInt8(ascii: "O") {
            return [.alt(Character(Unicode.Scalar(pending[1])))]
        }
        return pending.count == 1 ? [.escape] : []
    }

    // MARK: Sequences

    private enum Decoded {
        /// More bytes are needed.
        case incomplete
        /// A key (nil: a sequence that means nothing here) and the bytes it took.
        case key(Key?, length: Int)
    }

    private enum ScalarDecoded {
        case incomplete, invalid
        case scalar(Unicode.Scalar, length: Int)
    }

    /// The sequence starting with the ESC at `start`.
    private func escape(at start: Int) -> Decoded {
        let count = pending.count
        guard start + 1 < count else { return .key(.escape, length: 1) }
        let next = pending[start + 1]
        switch next {
        case UInt8(ascii: "["):
            var index = start + 2
            while index < count {
                let byte = pending[index]
                if (0x40...0x7e).contains(byte) {
                    return .key(Self.csi(parameters: pending[(start + 2)..<index], final: byte),
                                length: index - start + 1)
                }
                // Not a CSI after all: Alt-[ then whatever this is.
                guard (0x20...0x3f).contains(byte) else { return .key(.alt("["), length: 2) }
                index += 1
            }
            return .incomplete
        case UInt8(ascii: "O"):
            guard start + 2 < count else { return .incomplete }
            return .key(Self.ss3(pending[start + 2]), length: 3)
        case 0x7f, 0x08:
            // Alt-Backspace: the editor deletes the word before the caret.
            return .key(.alt("\u{7f}"), length: 2)
        case 0x00..<0x20:
            // ESC ESC, or ESC before a control key: a lone Escape, then the rest on its own.
            return .key(.escape, length: 1)
        case 0x20..<0x7f:
            return .key(.alt(Character(Unicode.Scalar(next))), length: 2)
        default:
            switch scalar(at: start + 1) {
            case .incomplete: return .incomplete
            case .invalid: return .key(.escape, length: 1)
            case .scalar(let scalar, let length): return .key(.alt(Character(scalar)), length: 1 + length)
            }
        }
    }

    /// `ESC [ parameters final`.
    private static func csi(parameters: ArraySlice<UInt8>, final: UInt8) -> Key? {
        let fields = String(decoding: parameters, as: UTF8.self).split(separator: ";", omittingEmptySubsequences: false)
        let first = fields.first.flatMap { Int($0) }
        // xterm modifiers: 1 + (shift 1 | alt 2 | ctrl 4). Ctrl or Alt with Left/Right moves by word.
        let modifier = fields.count > 1 ? (Int(fields[1]) ?? 1) - 1 : 0
        let wordwise = modifier & 0b110 != 0
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return wordwise ? .alt("f") : .right
        case UInt8(ascii: "D"): return wordwise ? .alt("b") : .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"):
            switch first {
            case 1, 7: return .home
            case 3: return .delete
            case 4, 8: return .end
            case 5: return .pageUp
            case 6: return .pageDown
            default: return nil // Insert, function keys, bracketed-paste markers (200, 201)
            }
        default:
            return nil
        }
    }

    /// `ESC O final` (application cursor keys).
    private static func ss3(_ final: UInt8) -> Key? {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        case UInt8(ascii: "M"): .enter
        default: nil
        }
    }

    /// The UTF-8 scalar starting at `start`.
    private func scalar(at start: Int) -> ScalarDecoded {
        let length: Int
        switch pending[start] {
        case 0xc2...0xdf: length = 2
        case 0xe0...0xef: length = 3
        case 0xf0...0xf4: length = 4
        default: return .invalid
        }
        for offset in 1..<length {
            guard start + offset < pending.count else { return .incomplete }
            guard (0x80...0xbf).contains(pending[start + offset]) else { return .invalid }
        }
        let scalars = String(decoding: pending[start..<(start + length)], as: UTF8.self).unicodeScalars
        guard scalars.count == 1, let scalar = scalars.first, scalar != "\u{fffd}" else { return .invalid }
        return .scalar(scalar, length: length)
    }
}
