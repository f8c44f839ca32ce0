import Foundation
import HearthCore

/// What `hearth` writes: results on standard output, warnings and errors on standard error.
enum Output {
    /// Writes one line to standard output and flushes it (a pipe reader such as `tail`'s sees it at once).
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `value` as one line of JSON, encoded as the server encodes its frames (sorted keys, slashes
    /// unescaped: `FrameCodec`), so the objects read exactly as on the wire.
    static func json<Value: Encodable>(_ value: Value) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding the protocol's own value types cannot fail.
        guard let data = try? encoder.encode(value) else { preconditionFailure("JSON output failed to encode") }
        line(String(decoding: data, as: UTF8.self))
    }

    /// A warning on standard error.
    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("Warning: \(text)\n".utf8))
    }

    /// A note on standard error (progress that is not the result, e.g. "reconnecting").
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("hearth: \(text)\n".utf8))
    }

    /// `text` ending with one full stop (a title such as "Family therapy: Sam T." already has it).
    static func sentence(_ text: String) -> String { text.hasSuffix(".") ? text : text + "." }

    /// Text someone else wrote, made safe to print on a terminal: control characters (escape sequences that could
    /// move the cursor, retitle the window or fake a line) become U+FFFD; a newline becomes `newline`.
    static func printable(_ text: String, newline: String = "\n    ") -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: result += newline
            case 0x09: result.unicodeScalars.append(scalar)
            case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                result.unicodeScalars.append("\u{FFFD}")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// The human-readable forms of rooms, messages and times.
enum RoomTable {
    /// `2026-11-23 18:00` from `2026-11-23T18:00:00-08:00`: the session's own local time.
    static func startText(_ wire: String) -> String {
        guard wire.count >= 16 else { return wire }
        return String(wire.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// `upcoming`, `open` or `ended` at `now`, from the room's chat window (PROTOCOL.md says to compute it).
    static func state(_ room: RoomSummary, now: Date) -> String {
        guard let opens = WireTime.parse(room.opens), let closes = WireTime.parse(room.closes) else {
            return room.open ? "open" : "?"
        }
        if now < opens { return "upcoming" }
        return now < closes ? "open" : "ended"
    }

    /// `HH:mm` of a UTC timestamp in this computer's time zone.
    static func clock(_ timestamp: String, in zone: TimeZone = .current) -> String {
        guard let date = WireTime.parse(timestamp) else { return "--:--" }
        let parts = Calendar.gregorian(in: zone).dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    /// Rows padded into columns, two spaces apart; the last column is not padded.
    static func columns(_ rows: [[String]]) -> [String] {
        guard let width = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
