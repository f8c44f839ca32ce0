import Foundation

/// How people other than staff enter a room.
public enum Admission: String, Codable, Sendable, CaseIterable {
    /// Roster members go straight in.
    case auto
    /// Everyone but staff waits until a staff member admits them.
    case waiting
}

/// Everything the rules need to know about a room: its session, its time window, its roster and its policies.
public struct RoomDescriptor: Hashable, Sendable {
    public var id: RoomID
    public var series: SeriesID
    public var title: String
    public var kind: SessionKind
    /// The date the occurrence was scheduled on, in the series' zone (it names the occurrence even when moved).
    public var date: LocalDate
    public var starts: Date
    public var ends: Date
    public var timeZone: TimeZone
    public var window: ChatWindowPolicy
    /// The participants on the roster of this occurrence (a cohort's roster depends on the date).
    public var roster: Set<PersonID>
    /// The staff who lead the session. An individual session admits only these staff.
    public var facilitators: [MemberInfo]
    public var admission: Admission
    /// Whether participants may send only while a staff member is connected to the room.
    public var requiresStaff: Bool
    /// The group agreement each participant and family member accepts before sending, if the series has one.
    public var agreement: String?

    public init(id: RoomID, series: SeriesID, title: String, kind: SessionKind, date: LocalDate? = nil,
                starts: Date, ends: Date, timeZone: TimeZone, window: ChatWindowPolicy, roster: Set<PersonID>,
                facilitators: [MemberInfo] = [], admission: Admission = .auto, requiresStaff: Bool = false,
                agreement: String? = nil) {
        self.id = id; self.series = series; self.title = title; self.kind = kind
        self.date = date ?? LocalDate(starts, in: timeZone)
        self.starts = starts; self.ends = ends; self.timeZone = timeZone; self.window = window; self.roster = roster
        self.facilitators = facilitators; self.admission = admission; self.requiresStaff = requiresStaff
        self.agreement = agreement
    }

    public var opens: Date { window.opens(starts) }
    public var closes: Date { window.closes(ends) }

    /// Whether messages are accepted at `now`.
    public func isOpen(at now: Date) -> Bool { now >= opens && now < closes }

    /// Whether `person` leads this session.
    public func isFacilitated(by person: PersonID) -> Bool { facilitators.contains { $0.id == person } }

    /// The room as listed to clients.
    public func summary(at now: Date) -> RoomSummary {
        RoomSummary(id: id, title: title, kind: kind,
                    starts: WireTime.local(starts, in: timeZone), ends: WireTime.local(ends, in: timeZone),
                    open: isOpen(at: now),
                    opens: WireTime.local(opens, in: timeZone), closes: WireTime.local(closes, in: timeZone),
                    timeZone: timeZone.identifier, facilitators: facilitators, admission: admission,
                    requiresStaff: requiresStaff, agreement: agreement != nil)
    }
}
