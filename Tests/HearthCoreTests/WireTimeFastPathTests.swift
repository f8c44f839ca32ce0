import Foundation
import HearthCore
import Testing

/// `WireTime.timestamp` is written with integer arithmetic; it must print every instant exactly as the calendar-based
/// implementation it replaced did (kept below as the reference), including the rounding of a `Date` down to whole
/// milliseconds, times before 1970, leap days, year ends, and the calendar's own ways outside 1600...9999.
struct WireTimeFastPathTests {
    /// The implementation before issue 14, verbatim: calendar, date components and `String(format:)`.
    static func reference(_ date: Date) -> String {
        let milliseconds = date.epochMilliseconds
        let seconds = Date(timeIntervalSince1970: Double(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient
            - (milliseconds < 0 && milliseconds % 1000 != 0 ? 1 : 0)))
        let fraction = ((milliseconds % 1000) + 1000) % 1000
        let whole = referenceLocal(seconds)
        return whole.dropLast() + String(format: ".%03dZ", fraction)
    }

    static func referenceLocal(_ date: Date) -> String {
        let calendar = Calendar.gregorian(in: .gmt)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!,
                      parts.minute!, parts.second!) + "Z"
    }

    /// Milliseconds since 1970 of midnight UTC starting a day (proleptic Gregorian), for building test instants.
    static func midnight(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        var components = DateComponents(year: year, month: month, day: day)
        components.timeZone = .gmt
        return Calendar.gregorian(in: .gmt).date(from: components)!.epochMilliseconds
    }

    /// A deterministic generator, so a failure can be repeated.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func mismatches(_ dates: [Date]) -> [String] {
        dates.compactMap { date in
            let fast = WireTime.timestamp(date), slow = Self.reference(date)
            var bytes: [UInt8] = [0x22]
            WireTime.appendTimestamp(epochMilliseconds: date.epochMilliseconds, to: &bytes)
            let appended = String(decoding: bytes.dropFirst(), as: UTF8.self)
            let fromMilliseconds = WireTime.timestamp(epochMilliseconds: date.epochMilliseconds)
            guard fast != slow || appended != slow || fromMilliseconds != slow else { return nil }
            return "\(date.timeIntervalSince1970): \(fast) / \(appended) / \(fromMilliseconds), expected \(slow)"
        }
    }

    @Test("random instants from 1600 to 9999, whole milliseconds, are written as the calendar wrote them")
    func randomMilliseconds() {
        var random = SplitMix(state: 14)
        let low = Self.midnight(1600, 1, 1), high = Self.midnight(10000, 1, 1) - 1
        let dates = (0..<20_000).map { _ in Date(epochMilliseconds: Int64.random(in: low...high, using: &random)) }
        let wrong = mismatches(dates)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(3))")
    }

    @Test("random instants near now, with fractions finer than a millisecond, round down as before")
    func randomFractions() {
        var random = SplitMix(state: 1_400)
        let dates = (0..<10_000).map { _ in
            Date(timeIntervalSince1970: Double.random(in: -3_000_000_000...5_000_000_000, using: &random))
        }
        let wrong = mismatches(dates)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(3))")
    }

    @Test("the last and first milliseconds of every year from 1600 to 2500, and of years to 9999")
    func yearBoundaries() {
        let years = Array(1601...2500) + stride(from: 2600, through: 9999, by: 97) + [9999]
        let dates = years.flatMap { year -> [Date] in
            let start = Self.midnight(year, 1, 1)
            return [start - 1, start, start + 1, start - 1000, start + 999].map(Date.init(epochMilliseconds:))
        }
        let wrong = mismatches(dates)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(3))")
    }

    @Test("leap days and the days around them, in leap years, century years and ordinary years")
    func leapDays() {
        let years = [1600, 1700, 1800, 1900, 1904, 1969, 1970, 1972, 1996, 1999, 2000, 2001, 2024, 2026, 2028, 2100,
                     2400, 4000, 9996]
        let dates = years.flatMap { year -> [Date] in
            let march = Self.midnight(year, 3, 1)
            return [march - 86_400_000 * 2, march - 86_400_000, march - 1, march, march + 86_399_999]
                .map(Date.init(epochMilliseconds:))
        }
        let wrong = mismatches(dates)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(3))")
        #expect(WireTime.timestamp(Date(epochMilliseconds: Self.midnight(2028, 2, 29) + 45_296_789))
            == "2028-02-29T12:34:56.789Z")
    }

    @Test("around 1970: negative milliseconds round toward the past, as before")
    func aroundTheEpoch() {
        let milliseconds: [Int64] = [-86_400_001, -86_400_000, -1001, -1000, -999, -501, -1, 0, 1, 999, 1000, 86_399_999]
        let dates = milliseconds.map(Date.init(epochMilliseconds:)) + [
            -0.0001, -0.0009, -0.9995, -1.0001, 0.0009, 0.9999, -86_400.0005,
        ].map(Date.init(timeIntervalSince1970:))
        let wrong = mismatches(dates)
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(3))")
        #expect(WireTime.timestamp(epochMilliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(WireTime.timestamp(epochMilliseconds: -1001) == "1969-12-31T23:59:58.999Z")
        #expect(WireTime.timestamp(Date(timeIntervalSince1970: -0.0001)) == "1969-12-31T23:59:59.999Z")
    }

    @Test("outside 1600...9999 the calendar's output is kept: Julian dates before 1582, five-digit years after 9999")
    func outsideTheFastRange() {
        let edges = [Self.midnight(1600, 1, 1), Self.midnight(10000, 1, 1)]
        let milliseconds: [Int64] = edges.flatMap { [$0 - 1, $0, $0 + 1] } + [
            -12_219_292_800_000, -12_219_292_800_001, // the Gregorian cutover, 1582-10-15
            -62_135_596_800_000, // year 1
            -20_000_000_000_000, 300_000_000_000_000,
        ]
        let wrong = mismatches(milliseconds.map(Date.init(epochMilliseconds:)))
        #expect(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(3))")
        #expect(WireTime.timestamp(Date(epochMilliseconds: -12_219_292_800_001)) == "1582-10-04T23:59:59.999Z")
    }

    @Test("a timestamp is 24 ASCII bytes, appended after what a buffer already holds")
    func appendKeepsThePrefix() {
        var bytes = Array(#"{"ts":""#.utf8)
        WireTime.appendTimestamp(epochMilliseconds: 1_795_485_600_123, to: &bytes)
        bytes.append(0x22)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"ts":"2026-11-24T02:00:00.123Z""#)
        #expect(WireTime.timestamp(epochMilliseconds: 1_795_485_600_123).utf8.count == WireTime.timestampLength)
    }
}
