import Foundation

/// How times are written on the wire: ISO-8601 with an offset.
public enum WireTime {
    /// A session time in its own zone, e.g. `2026-11-23T18:00:00-08:00`.
    public static func local(_ date: Date, in timeZone: TimeZone) -> String {
        // ISO8601FormatStyle writes the offset as -0800; RFC 3339 and JavaScript's Date want -08:00.
        let calendar = Calendar.gregorian(in: timeZone)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        let zone = offset == 0 ? "Z"
            : (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", abs(offset) / 3600, abs(offset) % 3600 / 60)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!,
                      parts.minute!, parts.second!) + zone
    }

    /// A message timestamp in UTC with milliseconds, e.g. `2026-11-23T02:00:00.123Z`.
    /// Written from whole milliseconds, so a time read back from the store prints exactly as it did when sent.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = date.epochMilliseconds
        let seconds = Date(timeIntervalSince1970: Double(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient
            - (milliseconds < 0 && milliseconds % 1000 != 0 ? 1 : 0)))
        let fraction = ((milliseconds % 1000) + 1000) % 1000
        let whole = local(seconds, in: .gmt)
        return whole.dropLast() + String(format: ".%03dZ", fraction)
    }

    /// Parses either form above (with or without fractional seconds).
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}

extension Date {
    /// Milliseconds since 1970, the precision the store keeps.
    public var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
    public init(epochMilliseconds: Int64) { self.init(timeIntervalSince1970: Double(epochMilliseconds) / 1000) }
}
