import Foundation
import HearthCore
import Testing

/// The frames whose closed-set strings are typed in Swift (moderation actions, alert severities and categories,
/// transcript formats, missing consents) are byte-for-byte what docs/PROTOCOL.md shows, and a value this build does not know still
/// decodes and goes back out as it came.
struct WireValueTests {
    /// Frames as the server writes them (sorted keys, no escaped slashes): PROTOCOL.md's examples and their kin.
    static let pinned: [String] = [
        // §10.8
        #"{"action":"mute","by":{"id":"p_buesh4spkmm8wp7ryj8e","name":"Dana M.","role":"counselor"},"room":"r_ftmf2fs8svhqjzk9d9yk","target":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"type":"moderation","until":"2026-11-24T02:14:55.610Z"}"#,
        // A timed mute running out: no `by`.
        #"{"action":"unmute","room":"r_ftmf2fs8svhqjzk9d9yk","target":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"type":"moderation"}"#,
        #"{"action":"lower_hand","by":{"id":"p_buesh4spkmm8wp7ryj8e","name":"Dana M.","role":"counselor"},"room":"r_ftmf2fs8svhqjzk9d9yk","target":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"type":"moderation"}"#,
        #"{"action":"pass","by":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"room":"r_ftmf2fs8svhqjzk9d9yk","round":{"order":[{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},{"id":"p_mvh3qu8sbp9w642t3swe","name":"Alex R.","role":"participant"}],"speaker":{"id":"p_mvh3qu8sbp9w642t3swe","name":"Alex R.","role":"participant"}},"type":"moderation"}"#,
        #"{"action":"round_end","room":"r_ftmf2fs8svhqjzk9d9yk","type":"moderation"}"#,
        #"{"action":"break_glass","by":{"id":"p_admin","name":"Robin A.","role":"admin"},"reason":"Court order 24-117, records request","room":"r_ftmf2fs8svhqjzk9d9yk","type":"moderation"}"#,
        #"{"action":"slow","by":{"id":"p_buesh4spkmm8wp7ryj8e","name":"Dana M.","role":"counselor"},"room":"r_ftmf2fs8svhqjzk9d9yk","seconds":30,"type":"moderation"}"#,
        #"{"action":"review","by":{"id":"p_buesh4spkmm8wp7ryj8e","name":"Dana M.","role":"counselor"},"on":true,"room":"r_ftmf2fs8svhqjzk9d9yk","type":"moderation"}"#,
        #"{"action":"hide","by":{"id":"p_buesh4spkmm8wp7ryj8e","name":"Dana M.","role":"counselor"},"reason":"personal attack","room":"r_ftmf2fs8svhqjzk9d9yk","seq":12,"type":"moderation"}"#,
        // §4.7, §3.14
        #"{"category":"not_safe","id":1,"member":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"room":"r_ftmf2fs8svhqjzk9d9yk","severity":"high","ts":"2026-11-24T02:04:55.610Z","type":"alert"}"#,
        #"{"category":"not_safe","count":37,"id":1,"latest":"2026-11-24T02:06:12.004Z","member":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"room":"r_ftmf2fs8svhqjzk9d9yk","severity":"high","ts":"2026-11-24T02:04:55.610Z","type":"alert"}"#,
        #"{"acknowledged_at":"2026-11-24T02:05:34.140Z","acknowledged_by":{"id":"p_buesh4spkmm8wp7ryj8e","name":"Dana M.","role":"counselor"},"category":"not_safe","id":1,"member":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"outcome":"Called Sam after group; safety plan reviewed, no immediate risk.","room":"r_ftmf2fs8svhqjzk9d9yk","severity":"high","ts":"2026-11-24T02:04:55.610Z","type":"alert"}"#,
        #"{"category":"self_harm","escalated":true,"id":2,"member":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"room":"r_ftmf2fs8svhqjzk9d9yk","seq":12,"severity":"medium","ts":"2026-11-24T02:04:55.610Z","type":"alert"}"#,
        #"{"alerts":[{"category":"relapse","id":3,"member":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"room":"r_ftmf2fs8svhqjzk9d9yk","seq":14,"severity":"low","ts":"2026-11-24T02:04:55.610Z"}],"ref":"al1","type":"alerts"}"#,
        // §10.13
        #"{"content":"{\"messages\":[]}","disclosure":4,"format":"json","ref":"t1","room":"r_ftmf2fs8svhqjzk9d9yk","type":"transcript","withheld":0}"#,
        #"{"content":"42 CFR Part 2","disclosure":5,"format":"txt","room":"r_ftmf2fs8svhqjzk9d9yk","type":"transcript","withheld":2}"#,
        // §9.6
        #"{"consent_missing":[{"consent":"multi_family","member":{"id":"p_n97hvykga4exp2cttdk7","name":"Sam T.","role":"participant"}}],"paused":false,"room":"r_ftmf2fs8svhqjzk9d9yk","type":"room_state"}"#,
    ]

    /// Values a newer server might send: kept as they came, not dropped with their frame.
    static let unknownValues: [String] = [
        #"{"action":"spotlight","by":{"id":"p_buesh4spkmm8wp7ryj8e","name":"Dana M.","role":"counselor"},"room":"r_ftmf2fs8svhqjzk9d9yk","type":"moderation"}"#,
        #"{"category":"gambling","id":9,"member":{"id":"p_rcb3pdnwxpr5vksknntj","name":"Sam T.","role":"participant"},"room":"r_ftmf2fs8svhqjzk9d9yk","severity":"critical","ts":"2026-11-24T02:04:55.610Z","type":"alert"}"#,
        #"{"consent_missing":[{"consent":"telehealth","member":{"id":"p_n97hvykga4exp2cttdk7","name":"Sam T.","role":"participant"}}],"paused":false,"room":"r_ftmf2fs8svhqjzk9d9yk","type":"room_state"}"#,
    ]

    private static func reencoded(_ json: String) throws -> String {
        let codec = FrameCodec()
        return String(decoding: codec.encode(try codec.decodeServerFrame(Array(json.utf8))), as: UTF8.self)
    }

    @Test("a frame decodes and encodes back to the same bytes", arguments: pinned)
    func pinnedBytes(json: String) throws {
        #expect(try Self.reencoded(json) == json)
    }

    @Test("a value this build does not know decodes and goes back out unchanged", arguments: unknownValues)
    func unknownValueKept(json: String) throws {
        #expect(try Self.reencoded(json) == json)
    }

    private static let sam = MemberInfo(id: PersonID("p_rcb3pdnwxpr5vksknntj"), name: "Sam T.", role: .participant)
    private static let dana = MemberInfo(id: PersonID("p_buesh4spkmm8wp7ryj8e"), name: "Dana M.", role: .counselor)
    private static let room = RoomID("r_ftmf2fs8svhqjzk9d9yk")

    private static func encoded(_ frame: ServerFrame) -> String { String(decoding: FrameCodec().encode(frame), as: UTF8.self) }

    @Test("frames built from the enums are the protocol's bytes")
    func builtFrames() {
        #expect(Self.encoded(.moderation(.init(room: Self.room, action: .mute, by: Self.dana, target: Self.sam,
                                               until: "2026-11-24T02:14:55.610Z"))) == Self.pinned[0])
        #expect(Self.encoded(.moderation(.init(room: Self.room, action: .unmute, by: nil, target: Self.sam)))
            == Self.pinned[1])
        #expect(Self.encoded(.moderation(.init(room: Self.room, action: .lowerHand, by: Self.dana, target: Self.sam)))
            == Self.pinned[2])
        #expect(Self.encoded(.moderation(.init(room: Self.room, action: .roundEnd, by: nil))) == Self.pinned[4])
        let alert = Alert(id: 1, room: Self.room, member: Self.sam, severity: .high, category: .notSafe,
                          ts: "2026-11-24T02:04:55.610Z")
        #expect(Self.encoded(.alert(.init(alert))) == Self.pinned[9])
        let flagged = Alert(id: 2, room: Self.room, member: Self.sam, severity: .medium, category: .crisis(.selfHarm),
                            ts: "2026-11-24T02:04:55.610Z", seq: 12, escalated: true)
        #expect(Self.encoded(.alert(.init(flagged))) == Self.pinned[12])
        #expect(Self.encoded(.transcript(.init(room: Self.room, format: .txt, disclosure: 5, withheld: 2,
                                               content: "42 CFR Part 2", ref: nil))) == Self.pinned[15])
    }

    @Test("unknown values decode to the unknown cases, known ones never do")
    func unknownCases() throws {
        let codec = FrameCodec()
        guard case .moderation(let moderation) = try codec.decodeServerFrame(Array(Self.unknownValues[0].utf8)),
              case .alert(let frame) = try codec.decodeServerFrame(Array(Self.unknownValues[1].utf8)) else {
            Issue.record("wrong frame types"); return
        }
        #expect(moderation.action == .unknown("spotlight"))
        #expect(frame.alert.category == .unknown("gambling") && frame.alert.severity == .unknown("critical"))
        guard case .roomState(let unknownConsent) = try codec.decodeServerFrame(Array(Self.unknownValues[2].utf8)),
              case .roomState(let knownConsent) = try codec.decodeServerFrame(Array(Self.pinned[16].utf8)) else {
            Issue.record("not room states"); return
        }
        #expect(unknownConsent.consentMissing?.map(\.consent) == [.unknown("telehealth")])
        #expect(knownConsent.consentMissing?.map(\.consent) == [.multiFamily])
        guard case .alert(let known) = try codec.decodeServerFrame(Array(Self.pinned[12].utf8)) else {
            Issue.record("not an alert"); return
        }
        #expect(known.alert.category == .crisis(.selfHarm) && known.alert.severity == .medium)
    }

    @Test("every moderation action has its own wire name and reads back as itself")
    func moderationActionNames() {
        let names = ModerationAction.known.map(\.rawValue)
        #expect(names == ["mute", "unmute", "remove", "ban", "unban", "hide", "unhide", "pin", "unpin", "release",
                          "lock", "unlock", "slow", "review", "end", "lower_hand", "round_start", "round_end", "pass",
                          "break_glass"])
        for action in ModerationAction.known { #expect(ModerationAction(rawValue: action.rawValue) == action) }
        #expect(ModerationAction(rawValue: "Mute") == .unknown("Mute"))
        #expect("\(ModerationAction.lowerHand)" == "lower_hand")
    }

    @Test("every alert category reads back as itself: not_safe and the lexicon's six")
    func alertCategoryNames() {
        let categories = [AlertCategory.notSafe] + CrisisCategory.allCases.map(AlertCategory.crisis)
        #expect(categories.map(\.rawValue) == ["not_safe", "suicide", "self_harm", "overdose", "relapse", "violence",
                                               "abuse"])
        for category in categories { #expect(AlertCategory(rawValue: category.rawValue) == category) }
        #expect("\(AlertCategory.crisis(.selfHarm))" == "self_harm")
    }

    @Test("alert severities order low < medium < high; one this build does not know ranks lowest")
    func alertSeverityOrder() {
        #expect(AlertSeverity.unknown("critical") < .low && AlertSeverity.low < .medium && AlertSeverity.medium < .high)
        for severity in CrisisSeverity.allCases {
            #expect(AlertSeverity(severity).rawValue == severity.rawValue)
            #expect(AlertSeverity(rawValue: severity.rawValue) == AlertSeverity(severity))
        }
    }
}
