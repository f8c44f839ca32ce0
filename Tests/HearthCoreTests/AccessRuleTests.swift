import Foundation
import HearthCore
import Testing

/// Who may enter and speak in which room: staff everywhere, participants on their roster, family members only in
/// the family sessions of the participant they belong to, and only while the chat window is open (staff may read).
struct AccessRuleTests {
    static let alex = Identity(id: PersonID("p_alex"), role: .participant, displayName: "Alex R.")
    static let sam = Identity(id: PersonID("p_sam"), role: .participant, displayName: "Sam T.")
    static let dana = Identity(id: PersonID("p_dana"), role: .counselor, displayName: "Dana M.")
    static let jordan = Identity(id: PersonID("p_jordan"), role: .admin, displayName: "Jordan K.")
    static let maria = Identity(id: PersonID("p_maria"), role: .family, displayName: "Maria R.", familyOf: alex.id)
    static let tom = Identity(id: PersonID("p_tom"), role: .family, displayName: "Tom T.", familyOf: sam.id)
    static let orphan = Identity(id: PersonID("p_orphan"), role: .family, displayName: "Pat", familyOf: nil)

    static let starts = Date(timeIntervalSince1970: 1_795_485_600)

    /// A room for Alex only (Sam is not on it).
    static func room(_ kind: SessionKind) -> RoomDescriptor {
        RoomDescriptor(id: RoomID("r_1"), series: SeriesID("s_1"), title: "Session", kind: kind, starts: starts,
                       ends: starts.addingTimeInterval(3600), timeZone: TimeZone(identifier: "America/Los_Angeles")!,
                       window: .standard, roster: [alex.id])
    }

    private func failure(_ result: Result<Void, ProtocolError>) -> ProtocolError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test("counselors and admins may access every room but individual sessions",
          arguments: SessionKind.allCases.filter { $0 != .individual })
    func staffAccess(kind: SessionKind) {
        #expect(AccessRule.mayAccess(Self.dana, Self.room(kind)))
        #expect(AccessRule.mayAccess(Self.jordan, Self.room(kind)))
    }

    @Test("an individual session admits its participant and its counselor, and no other staff")
    func individualSession() {
        var room = Self.room(.individual)
        room.facilitators = [Self.dana.member]
        #expect(AccessRule.mayAccess(Self.alex, room))
        #expect(AccessRule.mayAccess(Self.dana, room))
        #expect(!AccessRule.mayAccess(Self.jordan, room))
        #expect(!AccessRule.mayAccess(Self.sam, room))
    }

    @Test("a token for one room admits to that room only")
    func oneRoomToken() {
        var maria = Identity(id: PersonID("p_maria"), role: .family, displayName: "Maria R.", familyOf: Self.alex.id)
        let family = Self.room(.family)
        #expect(AccessRule.mayAccess(maria, family))
        maria.onlyRoom = RoomID("r_other")
        #expect(!AccessRule.mayAccess(maria, family))
        maria.onlyRoom = family.id
        #expect(AccessRule.mayAccess(maria, family))
    }

    @Test("only participants and family wait in a waiting room")
    func waitingRoom() {
        var room = Self.room(.family)
        #expect(!AccessRule.mustWait(Self.alex, room))
        room.admission = .waiting
        #expect(AccessRule.mustWait(Self.alex, room))
        #expect(!AccessRule.mustWait(Self.dana, room))
        #expect(!AccessRule.mustWait(Self.jordan, room))
    }

    @Test("a participant may access a room only when on its roster", arguments: SessionKind.allCases)
    func participantAccess(kind: SessionKind) {
        #expect(AccessRule.mayAccess(Self.alex, Self.room(kind)))
        #expect(!AccessRule.mayAccess(Self.sam, Self.room(kind)))
    }

    @Test("a family member of a rostered participant may access family and multi-family sessions only",
          arguments: SessionKind.allCases)
    func familyAccessByKind(kind: SessionKind) {
        #expect(AccessRule.mayAccess(Self.maria, Self.room(kind)) == (kind == .family || kind == .multiFamily))
    }

    @Test("a family member of someone not on the roster may not access even a family session")
    func familyOfSomeoneElse() {
        #expect(!AccessRule.mayAccess(Self.tom, Self.room(.family)))
        #expect(!AccessRule.mayAccess(Self.tom, Self.room(.multiFamily)))
    }

    @Test("a family member who belongs to no participant may access nothing")
    func familyOfNobody() {
        #expect(!AccessRule.mayAccess(Self.orphan, Self.room(.family)))
    }

    @Test("a participant joining before the window opens gets room_closed with the opening time")
    func participantJoinsEarly() throws {
        let room = Self.room(.group)
        let error = try #require(failure(AccessRule.join(Self.alex, room, now: room.opens.addingTimeInterval(-60))))
        #expect(error.code == .roomClosed)
        #expect(error.message.contains("opens"))
    }

    @Test("a participant joining after the window closed gets room_closed saying it closed")
    func participantJoinsLate() throws {
        let room = Self.room(.group)
        let error = try #require(failure(AccessRule.join(Self.alex, room, now: room.closes)))
        #expect(error.code == .roomClosed)
        #expect(error.message.contains("closed"))
    }

    @Test("a counselor or admin may join before the window opens and after it closed")
    func staffJoinsAnytime() {
        let room = Self.room(.group)
        for now in [room.opens.addingTimeInterval(-86400), room.closes.addingTimeInterval(86400)] {
            #expect(failure(AccessRule.join(Self.dana, room, now: now)) == nil)
            #expect(failure(AccessRule.join(Self.jordan, room, now: now)) == nil)
        }
    }

    @Test("a participant on the roster may join while the window is open")
    func participantJoinsOpen() {
        let room = Self.room(.group)
        #expect(failure(AccessRule.join(Self.alex, room, now: room.opens)) == nil)
        #expect(failure(AccessRule.join(Self.alex, room, now: Self.starts)) == nil)
    }

    @Test("someone not on the list is forbidden even while the room is open")
    func notOnListForbidden() throws {
        let room = Self.room(.group)
        #expect(try #require(failure(AccessRule.join(Self.sam, room, now: Self.starts))).code == .forbidden)
        #expect(try #require(failure(AccessRule.join(Self.maria, room, now: Self.starts))).code == .forbidden)
        #expect(try #require(failure(AccessRule.join(Self.tom, Self.room(.family), now: Self.starts))).code == .forbidden)
    }

    @Test("a family member of the rostered participant may join an open family session")
    func familyJoinsFamilySession() {
        #expect(failure(AccessRule.join(Self.maria, Self.room(.family), now: Self.starts)) == nil)
    }

    @Test("a family member joining a closed family session gets room_closed")
    func familyJoinsClosedSession() throws {
        let room = Self.room(.family)
        #expect(try #require(failure(AccessRule.join(Self.maria, room, now: room.closes))).code == .roomClosed)
    }

    @Test("anyone may send while the room is open")
    func sendWhileOpen() {
        let room = Self.room(.family)
        for person in [Self.alex, Self.maria, Self.dana] {
            #expect(failure(AccessRule.send(person, room, now: Self.starts)) == nil)
        }
    }

    @Test("nobody may send outside the window, staff included")
    func sendWhileClosed() throws {
        let room = Self.room(.group)
        for person in [Self.alex, Self.dana, Self.jordan] {
            #expect(try #require(failure(AccessRule.send(person, room, now: room.closes))).code == .roomClosed)
            #expect(try #require(failure(AccessRule.send(person, room, now: room.opens.addingTimeInterval(-1)))).code
                == .roomClosed)
        }
    }

    @Test("only counselors and admins are staff")
    func staffRoles() {
        #expect(Role.allCases.filter(\.isStaff) == [.counselor, .admin])
        #expect(SessionKind.allCases.filter(\.admitsFamily) == [.family, .multiFamily])
    }
}
