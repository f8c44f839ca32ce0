import Foundation
import HearthClient
import HearthCore
@testable import HearthTerminal

/// People, rooms, times and frames the rendering tests share (after HearthClientTests' fixtures). Monday 2026-11-23
/// in Los Angeles: the evening group opens at 17:45 and closes at 21:10 (local), "now" is 18:04.
enum RenderFixture {
    static let dana = MemberInfo(id: PersonID("p_dana"), name: "Dana M.", role: .counselor)
    static let alex = MemberInfo(id: PersonID("p_alex"), name: "Alex R.", role: .participant)
    static let sam = MemberInfo(id: PersonID("p_sam"), name: "Sam T.", role: .participant)
    static let chris = MemberInfo(id: PersonID("p_chris"), name: "Chris P.", role: .participant)
    static let tom = MemberInfo(id: PersonID("p_tom"), name: "Tom T.", role: .family)

    static let group = RoomID("r_group")
    static let family = RoomID("r_family")
    static let morning = RoomID("r_morning")
    static let tomorrow = RoomID("r_tomorrow")

    static let zone = TimeZone(identifier: "America/Los_Angeles")!
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
    static let morningRoom = summary(morning, "Morning skills", opens: "09:45", starts: "10:00", ends: "11:00",
                                     closes: "11:10", kind: .skills)
    static let tomorrowRoom = summary(tomorrow, "Relapse prevention group", day: 24, opens: "17:45", starts: "18:00",
                                      ends: "20:00", closes: "20:10", kind: .relapsePrevention)

    /// Message `seq`, sent `seq` seconds after 18:04 local.
    static func message(_ seq: Int64, in room: RoomID = group, from: MemberInfo = alex, body: String? = nil,
                        kind: MessageKind? = nil, to: MemberInfo? = nil, held: Bool? = nil, hidden: Bool? = nil,
                        hiddenReason: String? = nil, pinned: Bool? = nil) -> ChatMessage {
        ChatMessage(room: room, seq: seq, id: MessageID("m_\(room.rawValue)_\(seq)"),
                    ts: WireTime.timestamp(now.addingTimeInterval(TimeInterval(seq))), from: from,
                    body: body ?? "message \(seq)", clientID: "c-\(seq)", kind: kind, to: to, held: held,
                    hidden: hidden, hiddenReason: hiddenReason, pinned: pinned)
    }

    static func messages(_ seqs: ClosedRange<Int64>, in room: RoomID = group) -> [ChatMessage] {
        seqs.map { message($0, in: room) }
    }

    static func alert(_ id: Int64, room: RoomID = group, member: MemberInfo = sam,
                      ts: String = "2026-11-24T02:04:55.610Z", category: String = "suicide", severity: String = "high",
                      escalated: Bool? = nil, acknowledgedBy: MemberInfo? = nil) -> Alert {
        Alert(id: id, room: room, member: member, severity: severity, category: category, ts: ts,
              acknowledgedBy: acknowledgedBy, acknowledgedAt: acknowledgedBy == nil ? nil : "2026-11-24T02:05:34.140Z",
              seq: 3, escalated: escalated)
    }

    static func report(_ id: Int64, room: RoomID = group, seq: Int64 = 2) -> ServerFrame.Report {
        ServerFrame.Report(id: id, room: room, seq: seq, reason: "personal attack", by: sam,
                           ts: "2026-11-24T02:06:00.000Z")
    }

    static func moderation(_ action: String, room: RoomID = group, target: MemberInfo? = nil, seq: Int64? = nil,
                           reason: String? = nil, seconds: Int? = nil, on: Bool? = nil,
                           round: ServerFrame.Round? = nil) -> ServerFrame {
        .moderation(.init(room: room, action: action, by: dana, target: target, seq: seq, reason: reason,
                          seconds: seconds, on: on, round: round))
    }

    static func checkin(_ member: MemberInfo, room: RoomID = group, mood: Int?, craving: Int?, safe: Bool?)
        -> ServerFrame {
        .checkin(.init(Checkin(room: room, member: member, mood: mood, craving: craving, safe: safe,
                                        ts: "2026-11-24T02:04:30.000Z")))
    }

    // MARK: States

    /// Applies frames at the fixture's time.
    static func feed(_ state: inout ClientState, _ frames: ServerFrame...) {
        for frame in frames { _ = state.apply(.frame(frame), now: now) }
    }

    /// Connected and welcomed as Dana (a counselor), today's rooms listed.
    static func signedIn(limit: Int = 5000,
                         rooms: [RoomSummary] = [groupRoom, familyRoom, morningRoom, tomorrowRoom]) -> ClientState {
        var state = ClientState(messageLimit: limit)
        _ = state.apply(.connecting, now: now)
        _ = state.apply(.connected, now: now)
        feed(&state, .welcome(.init(user: dana, rooms: rooms, server: "hearth/0.1.0", ref: nil)))
        return state
    }

    /// Joins `room` and answers with a snapshot.
    static func enter(_ state: inout ClientState, _ room: RoomID = group, seq: Int64, messages: [ChatMessage] = [],
                      more: Bool = false, members: [MemberInfo] = [alex, dana, sam], waiting: [MemberInfo] = [],
                      hands: [MemberInfo] = [], pinned: [ChatMessage] = [],
                      controls: ServerFrame.Controls = .init()) {
        var ref: String?
        for case .send(let request) in state.apply(.join(room: room), now: now) { ref = request.ref }
        feed(&state, .joined(.init(room: room, role: .counselor, open: true, members: members, messages: messages,
                                   seq: seq, more: more, waiting: waiting, pinned: pinned, controls: controls,
                                   hands: hands, reports: [], ref: ref)))
    }

    /// Dana in the group room holding messages 1 to `seq`, the room on screen.
    static func counselorInGroup(seq: Int64 = 3, limit: Int = 5000) -> ClientState {
        var state = signedIn(limit: limit)
        enter(&state, seq: seq, messages: seq == 0 ? [] : messages(1...seq))
        _ = state.apply(.focused(room: group), now: now)
        return state
    }

    /// The screen showing `room`.
    static func view(_ room: RoomID? = group) -> ViewState { ViewState(currentRoom: room) }

    static func render(_ state: ClientState, _ view: ViewState, width: Int = 80, height: Int = 20) -> Grid {
        ScreenRenderer.render(state: state, view: view, width: width, height: height, now: now, timeZone: zone)
    }
}

extension Grid {
    /// Every row's text, for failure messages.
    var dump: String { (0..<height).map { "\($0): |\(line($0))|" }.joined(separator: "\n") }

    /// Whether every row takes exactly `width` columns, wide characters followed by their continuation cell.
    var rowsAreWellFormed: Bool {
        rows.allSatisfy { row in
            var index = 0
            while index < row.count {
                let cell = row[index]
                if cell.width == 2 {
                    guard index + 1 < row.count, row[index + 1] == .continuation else { return false }
                    index += 2
                } else {
                    guard cell.width == 1 else { return false }
                    index += 1
                }
            }
            return row.count == width
        } && (0..<height).allSatisfy { TextWidth.columns(line($0)) == width }
    }

    /// The first row whose text contains `text`.
    func row(containing text: String) -> Int? { (0..<height).first { line($0).contains(text) } }
}
