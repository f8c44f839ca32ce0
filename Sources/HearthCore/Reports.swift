import Foundation

/// The attendance record of one week (or one occurrence): a row per person per occurrence, and per participant the
/// week's total against the program's required hours. What `hearthd report attendance` prints and the staff-only
/// `attendance` request returns.
public struct AttendanceReport: Codable, Equatable, Sendable {
    public var week: ISOWeek
    /// The program key the report is limited to, if any.
    public var program: String?
    public var sessions: [SessionAttendance]
    public var weekly: [WeeklyAttendance]

    public init(week: ISOWeek, program: String?, sessions: [SessionAttendance], weekly: [WeeklyAttendance]) {
        self.week = week; self.program = program; self.sessions = sessions; self.weekly = weekly
    }
}

/// One person at one occurrence.
public struct SessionAttendance: Codable, Equatable, Sendable {
    public var room: RoomID
    public var title: String
    public var kind: SessionKind
    /// The program the session belongs to (only program sessions count toward required hours).
    public var program: String?
    public var starts: String
    public var ends: String
    public var member: MemberInfo
    public var firstJoin: String?
    public var lastLeave: String?
    public var minutes: Int
    public var late: Bool
    public var leftEarly: Bool
    /// Rostered and never present.
    public var noShow: Bool

    enum CodingKeys: String, CodingKey {
        case room, title, kind, program, starts, ends, member, minutes, late
        case firstJoin = "first_join", lastLeave = "last_leave", leftEarly = "left_early", noShow = "no_show"
    }

    public init(room: RoomDescriptor, program: String? = nil, member: MemberInfo, figures: AttendanceFigures) {
        self.room = room.id; title = room.title; kind = room.kind; self.program = program
        starts = WireTime.local(room.starts, in: room.timeZone); ends = WireTime.local(room.ends, in: room.timeZone)
        self.member = member
        firstJoin = figures.firstJoin.map { WireTime.local($0, in: room.timeZone) }
        lastLeave = figures.lastLeave.map { WireTime.local($0, in: room.timeZone) }
        minutes = figures.minutesPresent; late = figures.late; leftEarly = figures.leftEarly; noShow = figures.noShow
    }
}

/// One participant's week.
public struct WeeklyAttendance: Codable, Equatable, Sendable {
    public var member: MemberInfo
    public var program: String?
    public var minutes: Int
    /// Required by the participant's program, if they are enrolled in one.
    public var requiredMinutes: Int?
    public var sessionsAttended: Int
    public var sessionsMissed: Int
    /// Check-in averages for the weeks (up to twelve, ending with this one) that have check-ins, oldest first.
    public var checkins: [CheckinTrend]

    enum CodingKeys: String, CodingKey {
        case member, program, minutes, checkins
        case requiredMinutes = "required_minutes", sessionsAttended = "sessions_attended"
        case sessionsMissed = "sessions_missed"
    }

    public init(member: MemberInfo, program: String?, minutes: Int, requiredMinutes: Int?, sessionsAttended: Int,
                sessionsMissed: Int, checkins: [CheckinTrend]) {
        self.member = member; self.program = program; self.minutes = minutes; self.requiredMinutes = requiredMinutes
        self.sessionsAttended = sessionsAttended; self.sessionsMissed = sessionsMissed; self.checkins = checkins
    }

    /// Hours attended, one decimal.
    public var hours: Double { (Double(minutes) / 6).rounded() / 10 }
    public var requiredHours: Double? { requiredMinutes.map { (Double($0) / 6).rounded() / 10 } }
}

/// A participant's check-ins averaged over one week.
public struct CheckinTrend: Codable, Equatable, Sendable {
    public var week: ISOWeek
    public var mood: Double?
    public var craving: Double?
    /// How many check-ins that week said "not safe".
    public var notSafe: Int

    enum CodingKeys: String, CodingKey {
        case week, mood, craving
        case notSafe = "not_safe"
    }

    public init(week: ISOWeek, mood: Double?, craving: Double?, notSafe: Int) {
        self.week = week; self.mood = mood; self.craving = craving; self.notSafe = notSafe
    }
}

/// A check-in a participant submitted privately on entering a session. Only staff ever see it.
public struct Checkin: Codable, Equatable, Sendable {
    public var room: RoomID
    public var member: MemberInfo
    /// 0 (worst) to 10 (best).
    public var mood: Int?
    /// 0 (none) to 10 (overwhelming).
    public var craving: Int?
    /// "I feel safe": false raises an alert to staff.
    public var safe: Bool?
    public var ts: String

    public init(room: RoomID, member: MemberInfo, mood: Int?, craving: Int?, safe: Bool?, ts: String) {
        self.room = room; self.member = member; self.mood = mood; self.craving = craving; self.safe = safe; self.ts = ts
    }
}

/// Something staff must see at once (a participant said they do not feel safe), until a staff member acknowledges it.
/// Open alerts coalesce: at most one per person, room and category is open, and a repeat signal updates it
/// (`count`, `latest`, `latestSeq`, a higher `severity`) instead of raising another.
public struct Alert: Codable, Equatable, Sendable {
    public var id: Int64
    public var room: RoomID
    public var member: MemberInfo
    /// The highest of the signals it stands for.
    public var severity: AlertSeverity
    /// Why: `not_safe` (a check-in), or a crisis lexicon category.
    public var category: AlertCategory
    /// When it was raised: its first signal.
    public var ts: String
    /// How many signals it stands for, when more than one (nil: one).
    public var count: Int?
    /// When its latest signal came, when it stands for more than one.
    public var latest: String?
    /// The latest flagged message, for an alert raised by the crisis lexicon that stands for more than one.
    public var latestSeq: Int64?
    public var acknowledgedBy: MemberInfo?
    public var acknowledgedAt: String?
    public var outcome: String?
    /// The flagged message, for an alert raised by the crisis lexicon.
    public var seq: Int64?
    /// True once no one acknowledged it in time and it went to every staff member on the server.
    public var escalated: Bool?

    enum CodingKeys: String, CodingKey {
        case id, room, member, severity, category, ts, count, latest, outcome, seq, escalated
        case latestSeq = "latest_seq"
        case acknowledgedBy = "acknowledged_by", acknowledgedAt = "acknowledged_at"
    }

    public init(id: Int64, room: RoomID, member: MemberInfo, severity: AlertSeverity, category: AlertCategory, ts: String,
                acknowledgedBy: MemberInfo? = nil, acknowledgedAt: String? = nil, outcome: String? = nil,
                seq: Int64? = nil, escalated: Bool? = nil, count: Int? = nil, latest: String? = nil,
                latestSeq: Int64? = nil) {
        self.id = id; self.room = room; self.member = member; self.severity = severity; self.category = category
        self.ts = ts; self.acknowledgedBy = acknowledgedBy; self.acknowledgedAt = acknowledgedAt; self.outcome = outcome
        self.seq = seq; self.escalated = escalated; self.count = count; self.latest = latest; self.latestSeq = latestSeq
    }

    /// How many signals it stands for (1 or more).
    public var signals: Int { count ?? 1 }
}

/// The counselor's starting point for the clinical note of one occurrence: who came and for how long, who said
/// what how often, check-ins and alerts. Never message text.
public struct SessionSummary: Codable, Equatable, Sendable {
    public var room: RoomID
    public var title: String
    public var kind: SessionKind
    public var starts: String
    public var ends: String
    /// False while the session is still running: the figures are so far.
    public var ended: Bool
    public var people: [PersonSummary]
    public var alerts: [Alert]

    public init(room: RoomDescriptor, ended: Bool, people: [PersonSummary], alerts: [Alert]) {
        self.room = room.id; title = room.title; kind = room.kind
        starts = WireTime.local(room.starts, in: room.timeZone); ends = WireTime.local(room.ends, in: room.timeZone)
        self.ended = ended; self.people = people; self.alerts = alerts
    }

    /// One person in the summary.
    public struct PersonSummary: Codable, Equatable, Sendable {
        public var member: MemberInfo
        public var minutes: Int
        public var firstJoin: String?
        public var lastLeave: String?
        public var late: Bool
        public var leftEarly: Bool
        public var noShow: Bool
        public var messages: Int
        public var checkins: [Checkin]

        enum CodingKeys: String, CodingKey {
            case member, minutes, late, messages, checkins
            case firstJoin = "first_join", lastLeave = "last_leave", leftEarly = "left_early", noShow = "no_show"
        }

        public init(member: MemberInfo, attendance: SessionAttendance?, messages: Int, checkins: [Checkin]) {
            self.member = member
            minutes = attendance?.minutes ?? 0
            firstJoin = attendance?.firstJoin; lastLeave = attendance?.lastLeave
            late = attendance?.late ?? false; leftEarly = attendance?.leftEarly ?? false
            noShow = attendance?.noShow ?? true
            self.messages = messages; self.checkins = checkins
        }
    }
}
