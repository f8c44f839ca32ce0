import Foundation
import HearthCore
import Testing

/// Times on the wire: session times in their own zone with an offset, message timestamps in UTC with milliseconds.
struct WireTimeTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!
    // 2026-11-24T02:00:00Z = Monday 2026-11-23 18:00 PST.
    static let mondayEvening = Date(timeIntervalSince1970: 1_795_485_600)

    @Test("a session time in Los Angeles is written with its offset, hours and minutes separated by a colon")
    func localWinter() {
        #expect(WireTime.local(Self.mondayEvening, in: Self.losAngeles) == "2026-11-23T18:00:00-08:00")
    }

    @Test("a summer session time in Los Angeles carries the daylight-saving offset")
    func localSummer() throws {
        let july = try #require(LocalDate("2026-07-06")).at(LocalTime(hour: 18, minute: 0)!, in: Self.losAngeles)
        #expect(WireTime.local(july, in: Self.losAngeles) == "2026-07-06T18:00:00-07:00")
    }

    @Test("a positive half-hour offset is written with its sign and minutes")
    func localHalfHourOffset() throws {
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        #expect(WireTime.local(Self.mondayEvening, in: kolkata) == "2026-11-24T07:30:00+05:30")
    }

    @Test("a local time reads back as the same moment")
    func localParsesBack() {
        let text = WireTime.local(Self.mondayEvening, in: Self.losAngeles)
        #expect(text.hasPrefix("2026-11-23T18:00:00"))
        #expect(WireTime.parse(text) == Self.mondayEvening)
    }

    @Test("a message timestamp is UTC with milliseconds")
    func timestamp() {
        #expect(WireTime.timestamp(Self.mondayEvening.addingTimeInterval(0.123)) == "2026-11-24T02:00:00.123Z")
        #expect(WireTime.timestamp(Self.mondayEvening) == "2026-11-24T02:00:00.000Z")
    }

    @Test("a timestamp made from stored milliseconds shows exactly those milliseconds")
    func timestampFromStoredMilliseconds() {
        let start: Int64 = 1_772_445_900_000 // 2026-03-02T10:05:00.000Z
        let wrong = (start..<start + 1000).filter { milliseconds in
            WireTime.timestamp(Date(epochMilliseconds: milliseconds)) != String(format: "2026-03-02T10:05:00.%03dZ", milliseconds - start)
        }
        #expect(wrong.isEmpty, "\(wrong.count) of 1000 millisecond values are written wrongly, e.g. \(wrong.first.map { WireTime.timestamp(Date(epochMilliseconds: $0)) } ?? "")")
        #expect(WireTime.timestamp(Date(epochMilliseconds: 1_772_445_900_123)) == "2026-03-02T10:05:00.123Z")
    }

    @Test("stored milliseconds convert to a date and back unchanged")
    func millisecondsRoundTrip() {
        let start: Int64 = 1_772_445_900_000
        #expect((start..<start + 1000).allSatisfy { Date(epochMilliseconds: $0).epochMilliseconds == $0 })
    }

    @Test("both wire forms parse, with or without fractional seconds")
    func parse() {
        #expect(WireTime.parse("2026-11-23T18:00:00-08:00") == Self.mondayEvening)
        #expect(WireTime.parse("2026-11-24T02:00:00Z") == Self.mondayEvening)
        #expect(WireTime.parse("2026-11-24T02:00:00.123Z")?.epochMilliseconds == Self.mondayEvening.epochMilliseconds + 123)
        #expect(WireTime.parse("next Monday") == nil)
        #expect(WireTime.parse("") == nil)
    }

    @Test("epoch milliseconds round down and convert back")
    func epochMilliseconds() {
        let moment = Date(timeIntervalSince1970: 1_795_485_600.1239)
        #expect(moment.epochMilliseconds == 1_795_485_600_123)
        #expect(Date(epochMilliseconds: 1_795_485_600_123).epochMilliseconds == 1_795_485_600_123)
    }
}
