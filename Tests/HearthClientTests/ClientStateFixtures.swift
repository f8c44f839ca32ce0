import Foundation
import HearthClient
import HearthCore

/// People, rooms, times and frames the client state tests share. Monday 2026-11-23 in Los Angeles: the evening group
/// opens at 17:45 and closes at 21:10 (local), "now" is 18:04.
enum Fixture {
    static let dana = MemberInfo(id: PersonID("p_dana"), name: "Dana M.", role: .counselor)
    static let luis = MemberInfo(id: PersonID("p_luis"), name: "Luis G.", role: .counselor)
    static let alex = MemberInfo(id: PersonID("p_alex"), name: "Alex R.", role: .participant)
    static let sam = MemberInfo(id: PersonID("p_sam"), name: "Sam T.", role: .participant)
    static let chris = MemberInfo(id: PersonID("p_chris"), name: "Chris P.", role: .participant)
    static let tom = MemberInfo(id: PersonID("p_tom"), name: "Tom T.", role: .family)

    static let group = RoomID("r_group")
    static let family = RoomID("r_family")
    static let morning = RoomID("r_morning")
    static let tomorrow = RoomID("r_tomorrow")

    /// 18:04 in Los Angeles.
    static let now = time("2026-11-24T02:04:00.000Z")

    static func time(_ text: String) -> Date { WireTime.parse(text)! }

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
    static let morningRoom = summary(morning, "Morning skills", opens: "09:45", starts: "10:00", ends: "11:00",
                                     closes: "11:10", kind: .skills)
    static let tomorrowRoom = summary(tomorrow, "Relapse prevention group", day: 24, opens: "17:45", starts: "18:00",
                                      ends: "20:00", closes: "20:10", kind: .relapsePrevention)

    static func message(_ seq: Int64, in room: RoomID = group, from: MemberInfo = alex, body: String? = nil,
                        clientID: String? = nil, kind: MessageKind? = nil, held: Bool? = nil) -> ChatMessage {
        ChatMessage(room: room, seq: seq, id: MessageID("m_\(room.rawValue)_\(seq)"),
                    ts: String(format: "2026-11-24T02:%02d:%02d.000Z", 4 + seq / 60, seq % 60), from: from,
                    body: body ?? "message \(seq)", clientID: clientID ?? "c-\(seq)", kind: kind, held: held)
    }

    static func messages(_ seqs: ClosedRange<Int64>, in room: RoomID = group) -> [ChatMessage] {
        seqs.map { message($0, in: room) }
    }

    static func joined(_ room: RoomID = group, seq: Int64, messages: [ChatMessage] = [], more: Bool = false,
                       members: [MemberInfo] = [alex, dana], role: Role = .counselor, waiting: [MemberInfo]? = [],
                       hands: [MemberInfo]? = [], reports: [ServerFrame.Report]? = [], pinned: [ChatMessage] = [],
                       controls: ServerFrame.Controls = .init(), ref: String?) -> ServerFrame {
        .joined(.init(room: room, role: role, open: true, members: members, messages: messages, seq: seq, more: more,
                      waiting: waiting, pinned: pinned, controls: controls, hands: hands, reports: reports, ref: ref))
    }

    static func alert(_ id: Int64, room: RoomID = group, member: MemberInfo = sam, ts: String = "2026-11-24T02:04:55.610Z",
                      escalated: Bool? = nil, acknowledgedBy: MemberInfo? = nil) -> Alert {
        Alert(id: id, room: room, member: member, severity: "high", category: "suicide", ts: ts,
              acknowledgedBy: acknowledgedBy, acknowledgedAt: acknowledgedBy == nil ? nil : "2026-11-24T02:05:34.140Z",
              seq: 3, escalated: escalated)
    }

    static func report(_ id: Int64, room: RoomID = group, seq: Int64 = 2, resolved: Bool? = nil) -> ServerFrame.Report {
        ServerFrame.Report(id: id, room: room, seq: seq, reason: "personal attack", by: sam,
                           ts: "2026-11-24T02:06:00.000Z", resolved: resolved)
    }

    static func moderation(_ action: String, room: RoomID = group, target: MemberInfo? = nil, seq: Int64? = nil,
                           until: String? = nil, reason: String? = nil, seconds: Int? = nil, on: Bool? = nil,
                           round: ServerFrame.Round? = nil) -> ServerFrame {
        .moderation(.init(room: room, action: action, by: dana, target: target, seq: seq, until: until, reason: reason,
                          seconds: seconds, on: on, round: round))
    }
}

extension ClientState {
    /// Applies a frame at the fixture's time.
    mutating func feed(_ frame: ServerFrame, now: Date = Fixture.now) -> [ClientEffect] {
        apply(.frame(frame), now: now)
    }

    /// Applies an event at the fixture's time.
    mutating func on(_ event: ClientEvent, now: Date = Fixture.now) -> [ClientEffect] {
        apply(event, now: now)
    }

    /// Connected and welcomed as `user`; the effects of the welcome are returned.
    @discardableResult
    mutating func signIn(as user: MemberInfo = Fixture.dana,
                         rooms: [RoomSummary] = [Fixture.groupRoom, Fixture.familyRoom, Fixture.tomorrowRoom])
        -> [ClientEffect] {
        _ = on(.connecting)
        _ = on(.connected)
        return feed(.welcome(.init(user: user, rooms: rooms, server: "hearth/0.1.0", ref: nil)))
    }

    /// Joins `room` and answers with a snapshot of `seq` and `messages`.
    mutating func enter(_ room: RoomID = Fixture.group, seq: Int64, messages: [ChatMessage] = [],
                        more: Bool = false, members: [MemberInfo] = [Fixture.alex, Fixture.dana],
                        waiting: [MemberInfo] = [], hands: [MemberInfo] = [], role: Role = .counselor) {
        let ref = on(.join(room: room)).requests.first!.ref
        _ = feed(Fixture.joined(room, seq: seq, messages: messages, more: more, members: members, role: role,
                                waiting: role.isStaff ? waiting : nil, hands: role.isStaff ? hands : nil, ref: ref))
    }

    /// A signed-in counselor in the group room holding messages 1 to `seq`.
    static func counselorInGroup(seq: Int64 = 3, limit: Int = 5000) -> ClientState {
        var state = ClientState(messageLimit: limit)
        state.signIn()
        state.enter(seq: seq, messages: seq == 0 ? [] : Fixture.messages(1...seq))
        return state
    }
}

extension [ClientEffect] {
    /// The requests among the effects.
    var requests: [ClientRequest] {
        map { effect in
            switch effect {
            case .send(let request): request
            }
        }
    }

    /// The commands, without their refs.
    var commands: [ClientCommand] { requests.map(\.command) }
}
