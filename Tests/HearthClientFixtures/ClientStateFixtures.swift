import Foundation
import HearthClient
import HearthCore

/// People, rooms, times and frames the client state tests and the terminal client's tests share. Monday 2026-11-23
/// in Los Angeles: the evening group opens at 17:45 and closes at 21:10 (local), "now" is 18:04.
public enum Fixture {
    public static let dana = MemberInfo(id: PersonID("p_dana"), name: "Dana M.", role: .counselor)
    public static let luis = MemberInfo(id: PersonID("p_luis"), name: "Luis G.", role: .counselor)
    public static let alex = MemberInfo(id: PersonID("p_alex"), name: "Alex R.", role: .participant)
    public static let sam = MemberInfo(id: PersonID("p_sam"), name: "Sam T.", role: .participant)
    /// A second "Sam T.", for names that start alike.
    public static let samuel = MemberInfo(id: PersonID("p_samuel"), name: "Sam T. Jr", role: .participant)
    public static let sara = MemberInfo(id: PersonID("p_sara"), name: "Sara K.", role: .participant)
    public static let chris = MemberInfo(id: PersonID("p_chris"), name: "Chris P.", role: .participant)
    public static let tom = MemberInfo(id: PersonID("p_tom"), name: "Tom T.", role: .family)
    public static let maria = MemberInfo(id: PersonID("p_maria"), name: "Maria R.", role: .family)

    public static let group = RoomID("r_group")
    public static let family = RoomID("r_family")
    public static let morning = RoomID("r_morning")
    public static let skills = RoomID("r_skills")
    public static let tomorrow = RoomID("r_tomorrow")

    /// 18:04 in Los Angeles.
    public static let now = time("2026-11-24T02:04:00.000Z")

    public static func time(_ text: String) -> Date { WireTime.parse(text)! }

    /// A room of the list the welcome carries, on Monday the 23rd unless `day` says otherwise; times are local.
    public static func summary(_ id: RoomID, _ title: String, day: Int = 23, opens: String, starts: String,
                               ends: String, closes: String, kind: SessionKind = .group,
                               admission: Admission = .auto) -> RoomSummary {
        func local(_ time: String) -> String { "2026-11-\(day)T\(time):00-08:00" }
        return RoomSummary(id: id, title: title, kind: kind, starts: local(starts), ends: local(ends), open: false,
                           opens: local(opens), closes: local(closes), timeZone: "America/Los_Angeles",
                           facilitators: [dana], admission: admission, requiresStaff: true, agreement: true)
    }

    public static let groupRoom = summary(group, "Group therapy (evening IOP)", opens: "17:45", starts: "18:00",
                                          ends: "21:00", closes: "21:10")
    public static let familyRoom = summary(family, "Family therapy: Alex R.", opens: "19:15", starts: "19:30",
                                           ends: "20:30", closes: "20:40", kind: .family, admission: .waiting)
    /// This morning's session: over by "now".
    public static let morningRoom = summary(morning, "Morning skills", opens: "09:45", starts: "10:00", ends: "11:00",
                                            closes: "11:10", kind: .skills)
    /// Later this evening, titled like the group ("Group …").
    public static let skillsRoom = summary(skills, "Group skills", opens: "19:45", starts: "20:00", ends: "21:00",
                                           closes: "21:10", kind: .skills)
    public static let tomorrowRoom = summary(tomorrow, "Relapse prevention group", day: 24, opens: "17:45",
                                             starts: "18:00", ends: "20:00", closes: "20:10", kind: .relapsePrevention)

    /// Message `seq`, sent `seq` seconds after 18:04 local.
    public static func message(_ seq: Int64, in room: RoomID = group, from: MemberInfo = alex, body: String? = nil,
                               clientID: String? = nil, kind: MessageKind? = nil, to: MemberInfo? = nil,
                               held: Bool? = nil, hidden: Bool? = nil, hiddenReason: String? = nil,
                               pinned: Bool? = nil) -> ChatMessage {
        ChatMessage(room: room, seq: seq, id: MessageID("m_\(room.rawValue)_\(seq)"),
                    ts: WireTime.timestamp(now.addingTimeInterval(TimeInterval(seq))), from: from,
                    body: body ?? "message \(seq)", clientID: clientID ?? "c-\(seq)", kind: kind, to: to, held: held,
                    hidden: hidden, hiddenReason: hiddenReason, pinned: pinned)
    }

    public static func messages(_ seqs: ClosedRange<Int64>, in room: RoomID = group) -> [ChatMessage] {
        seqs.map { message($0, in: room) }
    }

    /// The snapshot a join is answered with.
    public static func joined(_ room: RoomID = group, seq: Int64, messages: [ChatMessage] = [], more: Bool = false,
                              members: [MemberInfo] = [alex, dana], role: Role = .counselor,
                              waiting: [MemberInfo]? = [], hands: [MemberInfo]? = [],
                              reports: [ServerFrame.Report]? = [], pinned: [ChatMessage] = [],
                              controls: ServerFrame.Controls = .init(), ref: String?) -> ServerFrame {
        .joined(.init(room: room, role: role, open: true, members: members, messages: messages, seq: seq, more: more,
                      waiting: waiting, pinned: pinned, controls: controls, hands: hands, reports: reports, ref: ref))
    }

    public static func alert(_ id: Int64, room: RoomID = group, member: MemberInfo = sam,
                             ts: String = "2026-11-24T02:04:55.610Z", category: AlertCategory = .crisis(.suicide),
                             severity: AlertSeverity = .high, escalated: Bool? = nil,
                             acknowledgedBy: MemberInfo? = nil) -> Alert {
        Alert(id: id, room: room, member: member, severity: severity, category: category, ts: ts,
              acknowledgedBy: acknowledgedBy, acknowledgedAt: acknowledgedBy == nil ? nil : "2026-11-24T02:05:34.140Z",
              seq: 3, escalated: escalated)
    }

    public static func report(_ id: Int64, room: RoomID = group, seq: Int64 = 2,
                              resolved: Bool? = nil) -> ServerFrame.Report {
        ServerFrame.Report(id: id, room: room, seq: seq, reason: "personal attack", by: sam,
                           ts: "2026-11-24T02:06:00.000Z", resolved: resolved)
    }

    /// A `moderation` frame by Dana.
    public static func moderation(_ action: ModerationAction, room: RoomID = group, target: MemberInfo? = nil,
                                  seq: Int64? = nil, until: String? = nil, reason: String? = nil,
                                  seconds: Int? = nil, on: Bool? = nil,
                                  round: ServerFrame.Round? = nil) -> ServerFrame {
        .moderation(.init(room: room, action: action, by: dana, target: target, seq: seq, until: until, reason: reason,
                          seconds: seconds, on: on, round: round))
    }

    public static func checkin(_ member: MemberInfo, room: RoomID = group, mood: Int?, craving: Int?, safe: Bool?)
        -> ServerFrame {
        .checkin(.init(Checkin(room: room, member: member, mood: mood, craving: craving, safe: safe,
                               ts: "2026-11-24T02:04:30.000Z")))
    }

    /// Applies frames at the fixture's time.
    public static func feed(_ state: inout ClientState, _ frames: ServerFrame...) {
        for frame in frames { _ = state.feed(frame) }
    }
}

extension ClientState {
    /// Applies a frame at the fixture's time.
    public mutating func feed(_ frame: ServerFrame, now: Date = Fixture.now) -> [ClientEffect] {
        apply(.frame(frame), now: now)
    }

    /// Applies an event at the fixture's time.
    public mutating func on(_ event: ClientEvent, now: Date = Fixture.now) -> [ClientEffect] {
        apply(event, now: now)
    }

    /// Connected and welcomed as `user`; the effects of the welcome are returned.
    @discardableResult
    public mutating func signIn(as user: MemberInfo = Fixture.dana,
                                rooms: [RoomSummary] = [Fixture.groupRoom, Fixture.familyRoom, Fixture.tomorrowRoom])
        -> [ClientEffect] {
        _ = on(.connecting)
        _ = on(.connected)
        return feed(.welcome(.init(user: user, rooms: rooms, server: "hearth/0.1.0", ref: nil)))
    }

    /// Joins `room` and answers with a snapshot of `seq` and `messages`.
    public mutating func enter(_ room: RoomID = Fixture.group, seq: Int64, messages: [ChatMessage] = [],
                               more: Bool = false, members: [MemberInfo] = [Fixture.alex, Fixture.dana],
                               waiting: [MemberInfo] = [], hands: [MemberInfo] = [], role: Role = .counselor,
                               pinned: [ChatMessage] = [], controls: ServerFrame.Controls = .init()) {
        let ref = on(.join(room: room)).requests.first?.ref
        _ = feed(Fixture.joined(room, seq: seq, messages: messages, more: more, members: members, role: role,
                                waiting: role.isStaff ? waiting : nil, hands: role.isStaff ? hands : nil,
                                pinned: pinned, controls: controls, ref: ref))
    }

    /// A signed-in counselor in the group room holding messages 1 to `seq`.
    public static func counselorInGroup(seq: Int64 = 3, limit: Int = 5000) -> ClientState {
        var state = ClientState(messageLimit: limit)
        state.signIn()
        state.enter(seq: seq, messages: seq == 0 ? [] : Fixture.messages(1...seq))
        return state
    }
}

extension [ClientEffect] {
    /// The requests among the effects.
    public var requests: [ClientRequest] {
        map { effect in
            switch effect {
            case .send(let request): request
            }
        }
    }

    /// The commands, without their refs.
    public var commands: [ClientCommand] { requests.map(\.command) }
}
