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
        timestamp(epochMilliseconds: date.epochMilliseconds)
    }

    /// `timestamp(_:)` of `Date(epochMilliseconds: milliseconds)`.
    public static func timestamp(epochMilliseconds milliseconds: Int64) -> String {
        guard let seconds = fastSeconds(milliseconds) else { return calendarTimestamp(milliseconds) }
        return String(unsafeUninitializedCapacity: timestampLength) { buffer in
            write(seconds: seconds, fraction: milliseconds - seconds * 1000, to: buffer.baseAddress!)
            return timestampLength
        }
    }

    /// Appends the ASCII bytes of `timestamp(epochMilliseconds:)` (no quotes), for encoders that write frames as bytes.
    public static func appendTimestamp(epochMilliseconds milliseconds: Int64, to bytes: inout [UInt8]) {
        guard let seconds = fastSeconds(milliseconds) else {
            bytes.append(contentsOf: calendarTimestamp(milliseconds).utf8)
            return
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: timestampLength))
        bytes.withUnsafeMutableBufferPointer { buffer in
            write(seconds: seconds, fraction: milliseconds - seconds * 1000, to: buffer.baseAddress! + start)
        }
    }

    /// How many bytes a timestamp of the years 1600 to 9999 has: `2026-11-23T02:00:00.123Z`.
    public static let timestampLength = 24

    /// Timestamps from 1600-01-01 up to the end of 9999 (UTC) are written with integer arithmetic; others (never a
    /// message's) take the calendar, which switches to the Julian calendar before 1582 and writes years past 9999
    /// with five digits.
    private static let fastSeconds: Range<Int64> = Int64(-11_676_096_000)..<Int64(253_402_300_800)

    /// Whole seconds since 1970 (rounded down) of `milliseconds`, when the integer path writes them.
    @inline(__always)
    private static func fastSeconds(_ milliseconds: Int64) -> Int64? {
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let seconds = remainder < 0 ? quotient - 1 : quotient
        return fastSeconds.contains(seconds) ? seconds : nil
    }

    /// Writes `YYYY-MM-DDTHH:MM:SS.mmmZ` (24 bytes). The date is the proleptic Gregorian calendar's, from days since
    /// 1970 (H. Hinnant's `civil_from_days`); `seconds` is in `fastSeconds`, `fraction` in 0..<1000.
    private static func write(seconds: Int64, fraction: Int64, to out: UnsafeMutablePointer<UInt8>) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let shifted = days + 719_468 // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153 // March = 0
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))

        func two(_ value: Int, at offset: Int) {
            out[offset] = UInt8(truncatingIfNeeded: 0x30 + value / 10)
            out[offset + 1] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
        }
        two(year / 100, at: 0)
        two(year % 100, at: 2)
        out[4] = 0x2D // -
        two(month, at: 5)
        out[7] = 0x2D
        two(day, at: 8)
        out[10] = 0x54 // T
        two(secondOfDay / 3600, at: 11)
        out[13] = 0x3A // :
        two(secondOfDay / 60 % 60, at: 14)
        out[16] = 0x3A
        two(secondOfDay % 60, at: 17)
        out[19] = 0x2E // .
        let milliseconds = Int(fraction)
        out[20] = UInt8(truncatingIfNeeded: 0x30 + milliseconds / 100)
        two(milliseconds % 100, at: 21)
        out[23] = 0x5A // Z
    }

    /// The calendar's way, for times outside `fastSeconds`.
    private static func calendarTimestamp(_ milliseconds: Int64) -> String {
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
