import Foundation
import HearthCore
import Testing

/// The direct paths of issue 14 against the Foundation paths they replace, on generated corpora (fixed seeds):
/// `decodeClientRequest` (a `send` read by `SendScanner`) must give exactly what `decodeClientRequestWithFoundation`
/// gives, request or error and `ref`, for every input; `encode` of `ack` and `message` must give the very bytes
/// `encodeWithFoundation` (JSONEncoder, sorted keys) gives. No timing is measured here.
struct FrameCodecDirectPathTests {

    // MARK: Decoding

    @Test("a send decodes as through JSONDecoder: generated frames with every field present, null or absent")
    func decodingGeneratedSends() {
        var rng = SplitMix64(seed: 14_001)
        let frames = (0..<12_000).map { _ in DecodeCorpus.sendFrame(&rng).bytes }
        let report = DecodeCorpus.compare(frames)
        #expect(report.mismatches.isEmpty, "\(report.mismatches.prefix(5))")
        // Most of these are frames the direct reader takes (not a timing: that the corpus exercises it).
        #expect(report.direct > frames.count / 2, "direct \(report.direct) of \(frames.count)")
    }

    @Test("a damaged send decodes as through JSONDecoder: duplicates, wrong types, bad escapes, bad UTF-8, cuts")
    func decodingMutatedSends() {
        var rng = SplitMix64(seed: 14_002)
        let frames = (0..<15_000).map { _ in DecodeCorpus.mutated(DecodeCorpus.sendFrame(&rng), &rng) }
        let report = DecodeCorpus.compare(frames)
        #expect(report.mismatches.isEmpty, "\(report.mismatches.prefix(5))")
        #expect(report.direct > 0 && report.direct < frames.count, "direct \(report.direct) of \(frames.count)")
    }

    @Test("every scalar class, escaped every way, in body, ref, room, client_id and to")
    func decodingEveryCharacter() {
        var rng = SplitMix64(seed: 14_003)
        var frames: [[UInt8]] = []
        // Each ASCII byte, each C1 control and the usual suspects alone, raw (where JSON allows) and escaped.
        let singles = (0..<0x100).map { Unicode.Scalar(UInt8($0)) } + Corpus.specialScalars
        for scalar in singles {
            for style in Corpus.EscapeStyle.allCases {
                let text = Corpus.jsonString(String(Character(scalar)), style: style, &rng)
                for field in ["body", "ref", "room", "client_id", "to"] {
                    var members = DecodeCorpus.baseMembers()
                    members[field] = text
                    frames.append(DecodeCorpus.object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
                }
            }
        }
        // Every raw byte, valid UTF-8 or not, inside a body.
        for byte in UInt8.min...UInt8.max {
            var members = DecodeCorpus.baseMembers()
            members["body"] = Array("\"a".utf8) + [byte] + Array("b\"".utf8)
            frames.append(DecodeCorpus.object(members.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }))
        }
        // Short byte sequences around every boundary of UTF-8's table of well-formed sequences (lead bytes, the
        // ranges after E0, ED, F0 and F4, continuation bytes): each of length 1 to 3, and random ones of length 4.
        let edges: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                              0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var sequences: [[UInt8]] = edges.map { [$0] }
        for first in edges {
            for second in edges {
                sequences.append([first, second])
                for third in edges { sequences.append([first, second, third]) }
            }
        }
        for _ in 0..<4_000 { sequences.append((0..<4).map { _ in edges[rng.below(edges.count)] }) }
        for sequence in sequences {
            var members = DecodeCorpus.baseMembers()
            members["body"] = Array("\"a".utf8) + sequence + Array("\"".utf8)
            frames.append(DecodeCorpus.object(members.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }))
        }
        // Every surrogate escape shape.
        for escape in DecodeCorpus.surrogateEscapes {
            var members = DecodeCorpus.baseMembers()
            members["body"] = Array("\"x\(escape)y\"".utf8)
            frames.append(DecodeCorpus.object(members.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }))
        }
        let report = DecodeCorpus.compare(frames)
        #expect(report.mismatches.isEmpty, "\(report.mismatches.prefix(5))")
    }

    @Test("bodies near the 64 KiB frame limit decode as through JSONDecoder")
    func decodingLongBodies() {
        var rng = SplitMix64(seed: 14_004)
        var frames: [[UInt8]] = []
        for target in [65_536 - 200, 65_536 - 90, 65_536 - 80, 65_536, 65_536 + 1, 70_000] {
            for style in Corpus.EscapeStyle.allCases {
                for _ in 0..<2 {
                    let text = Corpus.text(&rng, scalars: 400) + "."
                    var body = ""
                    while body.utf8.count < target { body += text }
                    let json = Corpus.jsonString(body, style: style, &rng)
                    var members = DecodeCorpus.baseMembers()
                    members["body"] = json
                    var frame = DecodeCorpus.object(members.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 })
                    frames.append(frame)
                    frame.removeLast(Int(rng.next() % 40) + 1)  // cut inside the body or its end
                    frames.append(frame)
                }
            }
        }
        let report = DecodeCorpus.compare(frames)
        #expect(report.mismatches.isEmpty, "\(report.mismatches.prefix(5))")
    }

    @Test("frames the direct reader takes", arguments: [
        #"{"type":"send","room":"r_1","body":"Hi all","client_id":"c-1","ref":"s"}"#,
        #"{"announce":true,"body":"b","client_id":"c","ref":"r","room":"r_1","type":"send"}"#,
        #" {"type" : "send" ,"room":"r_1" ,"# + "\t" + #""body":"a\/b\n\u00e9\uD83D\uDE00\u0000","client_id":"c"}"# + "\r\n",
        #"{"type":"send","room":"r_1","body":"b","client_id":"c","to":"staff","ref":null,"announce":null}"#,
        #"{"type":"send","room":"r_1","body":"b","client_id":"","ref":"e"}"#,
        #"{"type":"send","room":"r_1","body":"b","client_id":"c","to":"p_1","announce":true,"ref":"x"}"#,
        #"{"type":"send","room":null,"body":"b","client_id":"c","ref":"m"}"#,
        #"{"type":"s\u0065nd","room":"r_1","body":"b","client_id":"c"}"#,
    ])
    func directReaderTakes(json: String) {
        let codec = FrameCodec()
        let bytes = Array(json.utf8)
        let direct = codec.decodeClientRequestDirectly(bytes)
        #expect(direct != nil)
        #expect(direct.map(DecodeCorpus.outcome) == DecodeCorpus.outcome(codec.decodeClientRequestWithFoundation(bytes)))
    }

    @Test("frames the direct reader leaves to JSONDecoder", arguments: [
        #"{"type":"send","room":"r_1","body":"b","client_id":"c","type":"send"}"#,  // duplicate key
        #"{"type":"send","room":"r_1","body":"b","client_id":"c",}"#,  // JSONDecoder accepts a trailing comma
        #"{"type":"send","room":"r_1","body":"\ud800","client_id":"c","ref":"q"}"#,  // lone high surrogate
        #"{"type":"send","room":"r_1","body":"\udc00x","client_id":"c"}"#,  // lone low surrogate
        #"{"type":"send","room":"r_1","body":"\ud800\u0041","client_id":"c"}"#,
        #"{"type":"send","room":"r_1","body":"b","client_id":"c","color":"blue"}"#,  // a client's own field
        #"{"type":"send","room":"r_1","body":"b","client_id":"c","token":"t"}"#,  // another request's field
        #"{"type":"send","r\u006fom":"r_1","body":"b","client_id":"c"}"#,  // escaped key
        #"{"type":"send","room":"r_1","body":"b","client_id":"c","announce":1}"#,
        #"{"type":"send","room":5,"body":"b","client_id":"c","ref":"w"}"#,
        "\u{FEFF}" + #"{"type":"send","room":"r_1","body":"b","client_id":"c"}"#,  // byte-order mark
        "{\"type\":\"send\",\"room\":\"r_1\",\"body\":\"a\tb\",\"client_id\":\"c\"}",  // raw tab
        #"{"type":"hello","token":"t"}"#,
        #"{"room":"r_1","body":"b","client_id":"c","ref":"q"}"#,
        #"{"type":null,"room":"r_1","body":"b","client_id":"c"}"#,
        #"{"type":"send","room":"r_1","body":"b","client_id":"c"} x"#,
        "",
    ])
    func directReaderLeaves(json: String) {
        #expect(FrameCodec().decodeClientRequestDirectly(Array(json.utf8)) == nil)
    }

    // MARK: Encoding

    @Test("ack frames are byte for byte JSONEncoder's")
    func encodingAcks() {
        var rng = SplitMix64(seed: 14_101)
        var frames: [ServerFrame] = []
        for _ in 0..<6_000 { frames.append(.ack(EncodeCorpus.ack(&rng))) }
        let report = EncodeCorpus.compare(frames)
        #expect(report.isEmpty, "\(report.prefix(3))")
    }

    @Test("message frames are byte for byte JSONEncoder's, every optional field present and absent")
    func encodingMessages() {
        var rng = SplitMix64(seed: 14_102)
        var frames: [ServerFrame] = []
        for _ in 0..<12_000 { frames.append(.message(EncodeCorpus.message(&rng))) }
        let report = EncodeCorpus.compare(frames)
        #expect(report.isEmpty, "\(report.prefix(3))")
    }

    @Test("every Unicode scalar, in runs of 256, encodes as JSONEncoder encodes it")
    func encodingEveryScalar() {
        var rng = SplitMix64(seed: 14_103)
        var frames: [ServerFrame] = []
        var scalars = String.UnicodeScalarView()
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            scalars.append(scalar)
            if scalars.count == 256 || value == 0x10FFFF {
                var message = EncodeCorpus.message(&rng)
                message.body = String(scalars)
                message.hiddenReason = message.hiddenReason.map { _ in String(String.UnicodeScalarView(scalars.reversed())) }
                frames.append(.message(message))
                var ack = EncodeCorpus.ack(&rng)
                ack.clientID = String(scalars)
                frames.append(.ack(ack))
                scalars = String.UnicodeScalarView()
            }
        }
        let report = EncodeCorpus.compare(frames)
        #expect(report.isEmpty, "\(report.prefix(3))")
    }

    @Test("a message body near the frame limits encodes as JSONEncoder encodes it")
    func encodingLongBodies() {
        var rng = SplitMix64(seed: 14_104)
        var frames: [ServerFrame] = []
        for target in [4_000, 16_000, 65_536, 262_144] {
            for _ in 0..<8 {
                let text = Corpus.text(&rng, scalars: 300) + "."
                var body = ""
                while body.utf8.count < target { body += text }
                var message = EncodeCorpus.message(&rng)
                message.body = body
                frames.append(.message(message))
            }
        }
        let report = EncodeCorpus.compare(frames)
        #expect(report.isEmpty, "\(report.prefix(3))")
    }

    @Test("the pinned examples of PROTOCOL.md section 3.3 come out unchanged")
    func encodingProtocolExamples() {
        let codec = FrameCodec()
        let ack = ServerFrame.ack(.init(room: RoomID("r_mehwqymn38g8yzwnqrhp"), clientID: "c-0001",
                                        id: MessageID("m_2qda6bruggnt5fau"), seq: 1, ts: "2026-11-22T08:40:52.461Z",
                                        ref: "s1"))
        let message = ServerFrame.message(ChatMessage(
            room: RoomID("r_mehwqymn38g8yzwnqrhp"), seq: 1, id: MessageID("m_2qda6bruggnt5fau"),
            ts: "2026-11-22T08:40:52.461Z",
            from: MemberInfo(id: PersonID("p_jfu23g2n5ecpaep298ub"), name: "Alex R.", role: .participant),
            body: "Hi everyone, I made it to today's check-in.", clientID: "c-0001"))
        #expect(String(decoding: codec.encode(ack), as: UTF8.self)
                == #"{"client_id":"c-0001","id":"m_2qda6bruggnt5fau","ref":"s1","room":"r_mehwqymn38g8yzwnqrhp","seq":1,"ts":"2026-11-22T08:40:52.461Z","type":"ack"}"#)
        #expect(String(decoding: codec.encode(message), as: UTF8.self)
                == #"{"body":"Hi everyone, I made it to today's check-in.","client_id":"c-0001","from":{"id":"p_jfu23g2n5ecpaep298ub","name":"Alex R.","role":"participant"},"id":"m_2qda6bruggnt5fau","room":"r_mehwqymn38g8yzwnqrhp","seq":1,"ts":"2026-11-22T08:40:52.461Z","type":"message"}"#)
    }
}

// MARK: - Corpus

/// A fixed-seed generator (SplitMix64), so every run tests the same corpus.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// Text with every kind of character a message can hold, and JSON strings written every way JSON allows.
enum Corpus {
    /// Characters that matter to JSON or Unicode handling, beyond plain ASCII.
    static let specialScalars: [Unicode.Scalar] = [
        "\u{2028}", "\u{2029}", "\u{85}", "\u{A0}", "\u{FEFF}", "\u{200B}", "\u{200D}", "\u{200F}", "\u{FFFD}",
        "\u{FFFE}", "\u{FFFF}", "\u{E000}", "\u{F8FF}", "\u{10000}", "\u{1F600}", "\u{1F44D}", "\u{1F3FD}",
        "\u{1F1FA}", "\u{1F1F8}", "\u{1D11E}", "\u{E0001}", "\u{F0000}", "\u{10FFFF}", "\u{301}", "\u{308}",
        "\u{327}", "\u{20DD}", "\u{212A}", "\u{212B}", "\u{37E}", "\u{E9}", "\u{DF}", "\u{4E2D}", "\u{AC00}",
        "\u{1100}", "\u{1161}", "\u{11A8}", "\u{5D0}", "\u{627}", "\u{7FF}", "\u{800}", "\u{D7FF}",
    ]

    /// Grapheme-level pieces: emoji sequences, combining stacks, decomposed and precomposed forms.
    static let sequences: [String] = [
        "👨‍👩‍👧", "👍🏽", "🇺🇸", "🏳️‍🌈", "e\u{301}", "\u{E9}", "Z\u{351}\u{34A}\u{310}\u{30D}\u{35B}", "\u{1100}\u{1161}\u{11A8}",
        "\u{AC01}", "Å", "\u{212B}", "a\u{20DD}", "\r\n", "</script>", "\\u0041", "\"quoted\"", "C:\\path\\to",
        "http://example.org/a/b", "\u{7F}\u{80}\u{9F}",
    ]

    static func scalar(_ rng: inout SplitMix64) -> Unicode.Scalar {
        switch rng.below(20) {
        case 0..<8: return Unicode.Scalar(UInt8(0x20 + rng.below(0x5F)))  // printable ASCII
        case 8: return Unicode.Scalar(UInt8(rng.below(0x20)))  // C0 controls
        case 9: return ([0x22, 0x5C, 0x2F, 0x7F] as [UInt8]).map(Unicode.Scalar.init)[rng.below(4)]
        case 10..<13: return specialScalars[rng.below(specialScalars.count)]
        case 13: return Unicode.Scalar(UInt32(0x80 + rng.below(0x780)))!  // two UTF-8 bytes
        case 14, 15:
            let value = UInt32(0x800 + rng.below(0x10000 - 0x800))  // three bytes, not a surrogate
            return Unicode.Scalar(value) ?? "\u{FFFD}"
        default: return Unicode.Scalar(UInt32(0x10000 + rng.below(0x100000)))!  // astral
        }
    }

    /// Up to `scalars` characters of anything.
    static func text(_ rng: inout SplitMix64, scalars: Int) -> String {
        var text: [Unicode.Scalar] = []
        let count = rng.below(scalars + 1)
        while text.count < count {
            if rng.chance(15) {
                text.append(contentsOf: sequences[rng.below(sequences.count)].unicodeScalars)
            } else {
                text.append(scalar(&rng))
            }
        }
        return String(String.UnicodeScalarView(text))
    }

    enum EscapeStyle: CaseIterable {
        /// Raw wherever JSON allows, short escapes where it does not.
        case minimal
        /// Every character as `\uXXXX` (astral ones as a surrogate pair), lowercase hex.
        case unicodeLower
        /// Every character as `\uXXXX`, uppercase hex.
        case unicodeUpper
        /// A random choice per character among everything valid.
        case mixed
    }

    /// `text` as a JSON string literal, quotes included.
    static func jsonString(_ text: String, style: EscapeStyle, _ rng: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let mustEscape = value < 0x20 || value == 0x22 || value == 0x5C
            let choice: Int  // 0 raw, 1 short escape, 2 \u lower, 3 \u upper, 4 \u mixed case
            switch style {
            case .minimal: choice = mustEscape ? 1 : 0
            case .unicodeLower: choice = 2
            case .unicodeUpper: choice = 3
            case .mixed: choice = mustEscape ? 1 + rng.below(4) : rng.below(6) == 0 ? 1 + rng.below(4) : 0
            }
            if choice == 0 { UTF8.encode(scalar) { out.append($0) }; continue }
            if choice == 1, let short = shortEscape(value) { out.append(contentsOf: Array(short.utf8)); continue }
            let units = value < 0x10000 ? [value] : [0xD800 + ((value - 0x10000) >> 10), 0xDC00 + ((value - 0x10000) & 0x3FF)]
            for unit in units {
                var hex = String(unit, radix: 16)
                hex = String(repeating: "0", count: 4 - hex.count) + hex
                switch choice {
                case 3: hex = hex.uppercased()
                case 4: hex = String(hex.map { rng.chance(50) ? Character($0.uppercased()) : $0 })
                default: break
                }
                out.append(contentsOf: Array("\\u\(hex)".utf8))
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    private static func shortEscape(_ value: UInt32) -> String? {
        switch value {
        case 0x22: #"\""#
        case 0x5C: #"\\"#
        case 0x2F: #"\/"#
        case 0x08: #"\b"#
        case 0x0C: #"\f"#
        case 0x0A: #"\n"#
        case 0x0D: #"\r"#
        case 0x09: #"\t"#
        default: nil
        }
    }
}

/// `send` frames, well formed or damaged, and the comparison of the two decoders.
enum DecodeCorpus {
    /// What a decode produced, with every string as its exact bytes (String `==` would call canonically equivalent
    /// texts equal, and a reader that normalised would pass).
    enum Outcome: Equatable, CustomStringConvertible {
        case request(type: String, exact: [[UInt8]], announce: Bool, wire: [UInt8])
        case rejection(code: String, message: String, retryAfter: Int?, ref: [UInt8]?)

        var description: String {
            switch self {
            case .request(let type, let exact, let announce, let wire):
                "\(type) \(exact.map { String(decoding: $0.prefix(80), as: UTF8.self) }) announce \(announce) "
                    + String(decoding: wire.prefix(300), as: UTF8.self)
            case .rejection(let code, let message, let retryAfter, let ref):
                "\(code) \(message) \(retryAfter as Any) ref \(ref.map { String(decoding: $0, as: UTF8.self) } ?? "none")"
            }
        }
    }

    static func outcome(_ result: Result<ClientRequest, RequestRejection>) -> Outcome {
        switch result {
        case .success(let request):
            let wire = FrameCodec().encode(request)
            guard case .send(let room, let body, let clientID, let to, let announce) = request.command else {
                return .request(type: request.command.type, exact: [], announce: false, wire: wire)
            }
            let exact = [room.rawValue, body, clientID, to.map { "\($0)" } ?? "-", request.ref ?? "-"].map { Array($0.utf8) }
            return .request(type: "send", exact: exact, announce: announce, wire: wire)
        case .failure(let rejection):
            return .rejection(code: rejection.error.code.rawValue, message: rejection.error.message,
                              retryAfter: rejection.error.retryAfter, ref: rejection.ref.map { Array($0.utf8) })
        }
    }

    struct Report {
        var direct = 0
        var mismatches: [String] = []
    }

    static func compare(_ frames: [[UInt8]]) -> Report {
        let codec = FrameCodec()
        var report = Report()
        for frame in frames {
            let reference = outcome(codec.decodeClientRequestWithFoundation(frame))
            let decoded = outcome(codec.decodeClientRequest(frame))
            if let direct = codec.decodeClientRequestDirectly(frame) {
                report.direct += 1
                let directOutcome = outcome(direct)
                if directOutcome != reference {
                    report.mismatches.append("direct \(String(decoding: frame.prefix(300), as: UTF8.self)) -> \(directOutcome), JSONDecoder \(reference)")
                }
            }
            if decoded != reference {
                report.mismatches.append("\(String(decoding: frame.prefix(300), as: UTF8.self)) -> \(decoded), JSONDecoder \(reference)")
            }
        }
        return report
    }

    static let surrogateEscapes = [
        #"\ud800"#, #"\udbff"#, #"\udc00"#, #"\udfff"#, #"\uD800\uDC00"#, #"\uDBFF\uDFFF"#, #"\ud83d\ude00"#,
        #"\ud800\u0041"#, #"\ud800\ud800"#, #"\udc00\ud800"#, #"\ud800\n"#, #"\ud800x"#, #"\ud800\"#, #"\ud800\u"#,
        #"\ud800\udc0"#, #"\ud800\uzzzz"#, #"\u00e9\u0301"#, #"\u0000"#, #"\uffff"#, #"\ufffe"#,
    ]

    static func baseMembers() -> [String: [UInt8]] {
        ["type": Array(#""send""#.utf8), "room": Array(#""r_1""#.utf8), "body": Array(#""hello""#.utf8),
         "client_id": Array(#""c-1""#.utf8), "ref": Array(#""s1""#.utf8)]
    }

    static func whitespace(_ rng: inout SplitMix64) -> [UInt8] {
        guard rng.chance(12) else { return [] }
        return (0...rng.below(3)).map { _ in [0x20, 0x09, 0x0A, 0x0D][rng.below(4)] }
    }

    static func object(_ members: [(String, [UInt8])], _ rng: inout SplitMix64) -> [UInt8] {
        var out = whitespace(&rng) + [UInt8(ascii: "{")] + whitespace(&rng)
        for (index, member) in members.enumerated() {
            if index > 0 { out += whitespace(&rng) + [UInt8(ascii: ",")] + whitespace(&rng) }
            out += Array("\"\(member.0)\"".utf8) + whitespace(&rng) + [UInt8(ascii: ":")] + whitespace(&rng) + member.1
        }
        return out + whitespace(&rng) + [UInt8(ascii: "}")] + whitespace(&rng)
    }

    static func object(_ members: [(String, [UInt8])]) -> [UInt8] {
        var rng = SplitMix64(seed: 0)
        return object(members, &rng)
    }

    /// An identifier-like string, at the edges of the limits now and then.
    static func identifier(_ rng: inout SplitMix64, prefix: String, limit: Int) -> String {
        switch rng.below(12) {
        case 0: return ""
        case 1: return String(repeating: "a", count: limit)
        case 2: return String(repeating: "a", count: limit + 1)
        case 3: return String(repeating: "a", count: limit - 2) + "é"  // limit bytes
        case 4: return String(repeating: "a", count: limit - 1) + "é"  // limit + 1 bytes
        case 5: return Corpus.text(&rng, scalars: 20)
        default: return prefix + String((0..<(1 + rng.below(24))).map { _ in Character(Unicode.Scalar(UInt8(0x61 + rng.below(26)))) })
        }
    }

    struct Frame {
        var members: [(String, [UInt8])]
        var bytes: [UInt8]
    }

    /// A `send` frame: each field present, null or absent, in any order, strings written any way.
    static func sendFrame(_ rng: inout SplitMix64) -> Frame {
        var members: [(String, [UInt8])] = []
        func string(_ text: String, _ rng: inout SplitMix64) -> [UInt8] {
            let style = Corpus.EscapeStyle.allCases[rng.chance(60) ? 0 : rng.below(4)]
            return Corpus.jsonString(text, style: style, &rng)
        }
        func field(_ name: String, present: Int, null: Int, _ value: (inout SplitMix64) -> [UInt8]) {
            let roll = rng.below(100)
            if roll < present { members.append((name, value(&rng))) } else if roll < present + null {
                members.append((name, Array("null".utf8)))
            }
        }
        field("type", present: 98, null: 1) { rng in
            rng.chance(97) ? Array(#""send""#.utf8) : string(["send", "Send", "send ", "hello", "join", ""][rng.below(6)], &rng)
        }
        field("room", present: 94, null: 2) { rng in string(identifier(&rng, prefix: "r_", limit: 64), &rng) }
        field("body", present: 94, null: 2) { rng in
            let text = rng.chance(5) ? ["", " ", "\n\t ", "\u{3000}"][rng.below(4)] : Corpus.text(&rng, scalars: 200)
            return string(text, &rng)
        }
        field("client_id", present: 94, null: 2) { rng in string(identifier(&rng, prefix: "c-", limit: 128), &rng) }
        field("to", present: 15, null: 5) { rng in
            let to = rng.chance(50) ? ["staff", "Staff", "p_abc", ""][rng.below(4)] : identifier(&rng, prefix: "p_", limit: 64)
            return string(to, &rng)
        }
        field("announce", present: 20, null: 5) { rng in Array((rng.chance(50) ? "true" : "false").utf8) }
        field("ref", present: 70, null: 5) { rng in string(rng.chance(20) ? "" : Corpus.text(&rng, scalars: 12), &rng) }
        members.shuffle(using: &rng)
        return Frame(members: members, bytes: object(members, &rng))
    }

    static let wrongValues = [
        "0", "1", "-1", "1.5", "1e3", "01", "true", "false", "[]", "[\"a\"]", "{}", "{\"a\":1}", "\"x\"", "null",
        "True", "NULL", "nul", "tru", "\"unterminated", "'single'", "-", "1e999999",
    ]

    /// One damage of many kinds, or a well-formed variation the direct reader must leave to JSONDecoder.
    static func mutated(_ frame: Frame, _ rng: inout SplitMix64) -> [UInt8] {
        var members = frame.members
        var bytes = frame.bytes
        switch rng.below(17) {
        case 0:  // a duplicate key, same or other value
            if let member = members.randomElement(using: &rng) {
                let value = rng.chance(50) ? member.1 : Array(wrongValues[rng.below(wrongValues.count)].utf8)
                members.insert((member.0, value), at: rng.below(members.count + 1))
            }
            return object(members, &rng)
        case 1:  // a field of another type
            let names = ["type", "room", "body", "client_id", "to", "announce", "ref"]
            let name = names[rng.below(names.count)]
            members.removeAll { $0.0 == name }
            members.insert((name, Array(wrongValues[rng.below(wrongValues.count)].utf8)), at: rng.below(members.count + 1))
            return object(members, &rng)
        case 2:  // an unknown field or another request's field
            let names = ["color", "token", "after_seq", "member", "seq", "Room", "TYPE", "", "type ", "client-id"]
            let value = ["\"v\"", "5", "{\"x\":[1,{}]}", "null", "[1,2,3]", "1.5", "1e30", "true"][rng.below(8)]
            members.insert((names[rng.below(names.count)], Array(value.utf8)), at: rng.below(members.count + 1))
            return object(members, &rng)
        case 3:  // trailing comma
            if let close = bytes.lastIndex(of: UInt8(ascii: "}")) { bytes.insert(UInt8(ascii: ","), at: close) }
            return bytes
        case 4:  // an escaped key
            guard !members.isEmpty else { return bytes }
            let index = rng.below(members.count)
            let name = members[index].0
            let escaped = name.unicodeScalars.enumerated().map { offset, scalar in
                offset == 1 ? String(format: "\\u%04x", scalar.value) : String(scalar)
            }.joined()
            members[index].0 = escaped
            return object(members, &rng)
        case 5, 6:  // a surrogate or bad escape inside a string
            let escapes = surrogateEscapes + [#"\x"#, #"\u12"#, #"\U0041"#, #"\'"#, #"\a"#, #"\u"#, #"\"#, #"\0"#]
            return insertInString(Array(escapes[rng.below(escapes.count)].utf8), bytes, &rng)
        case 7:  // a raw control character or DEL inside a string
            return insertInString([[0x00, 0x09, 0x0A, 0x1F, 0x7F][rng.below(5)]], bytes, &rng)
        case 8:  // invalid UTF-8 inside a string
            let bad: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80],
                                  [0x80], [0xF0, 0x9F, 0x98], [0xC3]]
            return insertInString(bad[rng.below(bad.count)], bytes, &rng)
        case 9:  // cut short
            return Array(bytes.prefix(rng.below(bytes.count + 1)))
        case 10:  // something before or after the object
            let junk: [[UInt8]] = [[0xEF, 0xBB, 0xBF], [0x0C], [0x0B], [0x00], Array("x".utf8), Array("{}".utf8),
                                   Array(",".utf8), Array(" \n".utf8), [0xC2, 0xA0]]
            let piece = junk[rng.below(junk.count)]
            return rng.chance(50) ? piece + bytes : bytes + piece
        case 11:  // a random byte changed, inserted or removed
            guard !bytes.isEmpty else { return bytes }
            let index = rng.below(bytes.count)
            switch rng.below(3) {
            case 0: bytes[index] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: index)
            default: bytes.remove(at: index)
            }
            return bytes
        case 12:  // a structural byte changed
            let structural = bytes.indices.filter { ":,{}\"".utf8.contains(bytes[$0]) }
            guard let index = structural.randomElement(using: &rng) else { return bytes }
            bytes[index] = Array(":,{}\"[] ".utf8)[rng.below(8)]
            return bytes
        case 13:  // not an object
            return [Array("[".utf8) + bytes + Array("]".utf8), Array("\"send\"".utf8), Array("null".utf8),
                    Array("42".utf8), Array("{}".utf8), Array("[]".utf8)][rng.below(6)]
        case 14:  // type spelled with escapes, or another type
            members.removeAll { $0.0 == "type" }
            let types = [#""s\u0065nd""#, #""\u0073\u0065\u006E\u0064""#, #""send\u0000""#, #""hello""#, #""leave""#,
                         #""SEND""#, #""se\/nd""#]
            members.insert(("type", Array(types[rng.below(types.count)].utf8)), at: rng.below(members.count + 1))
            return object(members, &rng)
        case 15:  // a field removed
            if !members.isEmpty { members.remove(at: rng.below(members.count)) }
            return object(members, &rng)
        default:  // unusual whitespace between tokens
            var out: [UInt8] = []
            for byte in bytes {
                out.append(byte)
                if ":,{".utf8.contains(byte), rng.chance(30) {
                    out.append([0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C, 0xA0][rng.below(7)])
                }
            }
            return out
        }
    }

    /// `piece` put just after the opening quote of one string value (or anywhere if there is none).
    private static func insertInString(_ piece: [UInt8], _ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") && $0 + 1 < bytes.count && bytes[$0 + 1] == UInt8(ascii: "\"") }
        var bytes = bytes
        let at = colons.randomElement(using: &rng).map { $0 + 2 } ?? rng.below(bytes.count + 1)
        bytes.insert(contentsOf: piece, at: at)
        return bytes
    }
}

/// `ack` and `message` frames with every optional field present and absent, and the byte comparison.
enum EncodeCorpus {
    static func compare(_ frames: [ServerFrame]) -> [String] {
        let codec = FrameCodec()
        var mismatches: [String] = []
        for frame in frames {
            let direct = codec.encode(frame), reference = codec.encodeWithFoundation(frame)
            if direct != reference {
                mismatches.append("\(String(decoding: direct.prefix(400), as: UTF8.self)) != \(String(decoding: reference.prefix(400), as: UTF8.self))")
            }
        }
        return mismatches
    }

    static func text(_ rng: inout SplitMix64, scalars: Int) -> String {
        switch rng.below(10) {
        case 0: return ""
        case 1, 2: return DecodeCorpus.identifier(&rng, prefix: "x_", limit: 64)
        default: return Corpus.text(&rng, scalars: scalars)
        }
    }

    static func seq(_ rng: inout SplitMix64) -> Int64 {
        switch rng.below(8) {
        case 0: return [Int64.min, Int64.min + 1, -1, 0, 1, 9, 10, 99, 100, Int64.max][rng.below(10)]
        case 1: return Int64(bitPattern: rng.next())
        default: return Int64(rng.below(1_000_000))
        }
    }

    static func member(_ rng: inout SplitMix64) -> MemberInfo {
        MemberInfo(id: PersonID(text(&rng, scalars: 24)), name: text(&rng, scalars: 30),
                   role: Role.allCases[rng.below(Role.allCases.count)])
    }

    static func ack(_ rng: inout SplitMix64) -> ServerFrame.Ack {
        var ack = ServerFrame.Ack(room: RoomID(text(&rng, scalars: 24)), clientID: text(&rng, scalars: 40),
                                  id: MessageID(text(&rng, scalars: 20)), seq: seq(&rng), ts: text(&rng, scalars: 24),
                                  ref: rng.chance(60) ? text(&rng, scalars: 16) : nil)
        if rng.chance(3) { ack.type = text(&rng, scalars: 8) }
        return ack
    }

    static func message(_ rng: inout SplitMix64) -> ChatMessage {
        func maybe<T>(_ rng: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> T? { rng.chance(50) ? make(&rng) : nil }
        return ChatMessage(
            room: RoomID(text(&rng, scalars: 24)), seq: seq(&rng), id: MessageID(text(&rng, scalars: 20)),
            ts: text(&rng, scalars: 24), from: member(&rng), body: text(&rng, scalars: 300),
            clientID: text(&rng, scalars: 40),
            kind: maybe(&rng) { MessageKind.allCases[$0.below(MessageKind.allCases.count)] },
            to: maybe(&rng) { member(&$0) }, held: maybe(&rng) { $0.chance(50) }, hidden: maybe(&rng) { $0.chance(50) },
            hiddenReason: maybe(&rng) { text(&$0, scalars: 60) }, pinned: maybe(&rng) { $0.chance(50) })
    }
}
