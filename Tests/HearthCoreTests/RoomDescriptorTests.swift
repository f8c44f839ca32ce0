import Foundation
import HearthCore
import Testing

/// A room's chat window: open from `openBefore` before the start, closed from `graceAfter` after the end.
struct RoomDescriptorTests {
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!
    // Monday 2026-11-23 18:00-21:00 PST.
    static let starts = Date(timeIntervalSince1970: 1_795_485_600)
    static let ends = starts.addingTimeInterval(3 * 3600)

    static func room(window: ChatWindowPolicy = .standard) -> RoomDescriptor {
        RoomDescriptor(id: RoomID("r_group"), series: SeriesID("s_group"), title: "Group therapy", kind: .group,
                       starts: starts, ends: ends, timeZone: losAngeles, window: window, roster: [PersonID("p_alex")])
    }

    @Test("the fixture starts at 18:00 PST on 2026-11-23")
    func fixtureStart() {
        #expect(Self.starts == LocalDate("2026-11-23")!.at(LocalTime("18:00")!, in: Self.losAngeles))
    }

    @Test("the room is open exactly at opens = start - openBefore and not a millisecond earlier")
    func opensEdge() {
        let room = Self.room()
        #expect(room.opens == Self.starts.addingTimeInterval(-15 * 60))
        #expect(room.isOpen(at: room.opens))
        #expect(!room.isOpen(at: room.opens.addingTimeInterval(-0.001)))
    }

    @Test("the room is closed exactly at closes = end + graceAfter and open a millisecond before")
    func closesEdge() {
        let room = Self.room()
        #expect(room.closes == Self.ends.addingTimeInterval(10 * 60))
        #expect(!room.isOpen(at: room.closes))
        #expect(room.isOpen(at: room.closes.addingTimeInterval(-0.001)))
    }

    @Test("the room is open during the session and after its end within the grace period")
    func openDuringSession() {
        let room = Self.room()
        #expect(room.isOpen(at: Self.starts))
        #expect(room.isOpen(at: Self.ends))
        #expect(room.isOpen(at: Self.ends.addingTimeInterval(5 * 60)))
        #expect(!room.isOpen(at: Self.starts.addingTimeInterval(-86400)))
    }

    @Test("a zero window opens at the start and closes at the end")
    func zeroWindow() {
        let room = Self.room(window: ChatWindowPolicy(openBeforeMinutes: 0, graceAfterMinutes: 0))
        #expect(!room.isOpen(at: Self.starts.addingTimeInterval(-0.001)))
        #expect(room.isOpen(at: Self.starts))
        #expect(!room.isOpen(at: Self.ends))
    }

    @Test("the room summary says whether chat is open now and names the time zone")
    func summary() {
        let room = Self.room()
        let before = room.summary(at: Self.starts.addingTimeInterval(-3600))
        let during = room.summary(at: Self.starts)
        #expect(!before.open)
        #expect(during.open)
        #expect(during.id == RoomID("r_group"))
        #expect(during.kind == .group)
        #expect(during.timeZone == "America/Los_Angeles")
        #expect(WireTime.parse(during.starts) == Self.starts)
        #expect(WireTime.parse(during.ends) == Self.ends)
        #expect(WireTime.parse(during.opens) == room.opens)
        #expect(WireTime.parse(during.closes) == room.closes)
    }
}
