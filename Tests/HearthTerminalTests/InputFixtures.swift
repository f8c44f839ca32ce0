import Foundation
import HearthClient
import HearthCore
@testable import HearthTerminal

/// People, rooms and client states for the input-side tests (keys, commands, completion, the screen model).
/// Monday 2026-11-23 in Los Angeles: the evening group runs 18:00 to 21:00; "now" is 18:04.
enum InputFixture {
    static let dana = MemberInfo(id: PersonID("p_dana"), name: "Dana M.", role: .counselor)
    static let alex = MemberInfo(id: PersonID("p_alex"), name: "Alex R.", role: .participant)
    static let sam = MemberInfo(id: PersonID("p_sam"), name: "Sam T.", role: .participant)
    static let samuel = MemberInfo(id: PersonID("p_samuel"), name: "Sam T. Jr", role: .participant)
    static let sara = MemberInfo(id: PersonID("p_sara"), name: "Sara K.", role: .participant)
    static let chris = MemberInfo(id: PersonID("p_chris"), name: "Chris P.", role: .participant)
    static let tom = MemberInfo(id: PersonID("p_tom"), name: "Tom T.", role: .family)
    static let maria = MemberInfo(id: PersonID("p_maria"), name: "Maria R.", role: .family)

    static let group = RoomID("r_group")
    static let family = RoomID("r_family")
    static let skills = RoomID("r_skills")
    static let tomorrow = RoomID("r_tomorrow")

    /// 18:04 in Los Angeles.
    static let now = WireTime.parse("2026-11-24T02:04:00.000Z")!

    static func summary(_ id: RoomID, _ title: String, day: Int = 23, opens: String, starts: String, ends: String,
                        closes: String, kind: SessionKind = .group, admission: Admission = .auto) -> RoomSummary {
        func local(_ time: String) -> String { "2026-11-\(day)T\(time):00-08:00" }
        return RoomSummary(id: id, title: title, kind: kind, starts: local(starts), ends: local(ends), open: false,
                           opens: local(opens), closes: local(closes), timeZone: "America/Los_Angeles",
                           facilitators: [dana], admission: admission, requiresStaff: true, agreement: true)
    }

    static let groupRoom = summary(group, "Group therapy (evening IOP)", opens: "17:45", starts: "18:00",
                                   ends: "21:00", closes: "21:10")
    static let familyRoom = summary(family, "Family therapy: Alex R.", opens: "19:15", starts: "19:30", ends: "20:30",
                                    closes: "20:40", kind: .family, admission: .waiting)
    static let skillsRoom = summary(skills, "Group skills", opens: "19:45", starts: "20:00", ends: "21:00",
                                    closes: "21:10", kind: .skills)
    static let tomorrowRoom = summary(tomorrow, "Relapse prevention group", day: 24, opens: "17:45", starts: "18:00",
                                      ends: "20:00", closes: "20:10", kind: .relapsePrevention)

    static func message(_ seq: Int64, in room: RoomID = group, from: MemberInfo = alex) -> ChatMessage {
        ChatMessage(room: room, seq: seq, id: MessageID("m_\(room.rawValue)_\(seq)"),
                    ts: String(format: "2026-11-24T02:%02d:%02d.000Z", 4 + seq / 60, seq % 60), from: from,
                    body: "message \(seq)", clientID: "c-\(seq)")
    }

    static func alert(_ id: Int64, member: MemberInfo = sam, ts: String = "2026-11-24T02:04:55.610Z",
                      escalated: Bool? = nil, acknowledgedBy: MemberInfo? = nil) -> Alert {
        Alert(id: id, room: group, member: member, severity: "high", category: "suicide", ts: ts,
              acknowledgedBy: acknowledgedBy, acknowledgedAt: acknowledgedBy == nil ? nil : "2026-11-24T02:05:34.140Z",
              seq: 3, escalated: escalated)
    }

    /// Applies frames at the fixture's time.
    static func feed(_ state: inout ClientState, _ frames: ServerFrame...) {
        for frame in frames { _ = state.apply(.frame(frame), now: now) }
    }

    /// A counselor signed in, listing the group, family, skills and tomorrow's rooms; in none yet.
    static func signedIn(as user: MemberInfo = dana) -> ClientState {
        var state = ClientState()
        _ = state.apply(.connecting, now: now)
        _ = state.apply(.connected, now: now)
        feed(&state, .welcome(.init(user: user, rooms: [groupRoom, familyRoom, skillsRoom, tomorrowRoom],
                                    server: "hearth/0.1.0", ref: nil)))
        return state
    }

    /// Joins `room` and answers with a snapshot.
    static func enter(_ state: inout ClientState, _ room: RoomID = group, members: [MemberInfo],
                      waiting: [MemberInfo] = [], hands: [MemberInfo] = [], messages: [ChatMessage] = [],
                      more: Bool = false) {
        let effects = state.apply(.join(room: room), now: now)
        guard case .send(let request)? = effects.first else { fatalError("no join request") }
        feed(&state, .joined(.init(room: room, role: .counselor, open: true, members: members, messages: messages,
                                   seq: messages.last?.seq ?? 0, more: more, waiting: waiting, hands: hands,
                                   reports: [], ref: request.ref)))
    }

    /// A counselor in the group room with Alex, Sam, Sara and Dana present, Tom waiting, Sam's hand up.
    static func inGroup() -> ClientState {
        var state = signedIn()
        enter(&state, members: [alex, dana, sam, sara], waiting: [tom], hands: [sam],
              messages: (1...3).map { message($0) })
        return state
    }

    static func parser(_ state: ClientState, room: RoomID? = group, arrivals: [PersonID] = []) -> CommandParser {
        CommandParser(state: state, currentRoom: room, now: now, arrivalOrder: arrivals)
    }

    /// The error a line gives, or nil when it parses.
    static func error(_ line: String, _ state: ClientState, room: RoomID? = group) -> CommandError? {
        do {
            _ = try parser(state, room: room).parse(line)
            return nil
        } catch {
            return error
        }
    }

    static func model(room: RoomID? = group) -> ScreenModel {
        ScreenModel(clientIDPrefix: "t", view: ViewState(currentRoom: room), webAddress: "http://127.0.0.1:8080/")
    }

    /// Types each character of `text`, then the keys.
    static func type(_ text: String, then keys: [Key] = [], into model: inout ScreenModel,
                     state: ClientState) -> [ScreenAction] {
        var actions: [ScreenAction] = []
        for character in text { actions += model.handle(.character(character), state: state, now: now) }
        for key in keys { actions += model.handle(key, state: state, now: now) }
        return actions
    }
}
