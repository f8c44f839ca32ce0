import Foundation
import HearthCore
import HearthStore

/// A reference to a person or thing by key, with the line it was written on (for error messages).
public struct KeyReference: Equatable, Sendable {
    public var key: String
    public var line: Int

    public init(key: String, line: Int) {
        self.key = key
        self.line = line
    }
}

/// Everything a schedule file describes, checked but with people and keys not yet resolved against the store.
public struct ScheduleDocument: Equatable, Sendable {
    /// The file's `time_zone`: the default for series, and the zone enrollment end dates are read in.
    public var timeZone: TimeZone?
    public var programs: [ProgramDefinition] = []
    public var cohorts: [CohortDefinition] = []
    public var enrollments: [EnrollmentDefinition] = []
    public var series: [SeriesDefinition] = []
}

/// A program as written in a schedule file.
public struct ProgramDefinition: Equatable, Sendable {
    public var key: String
    public var title: String
    public var weeks: Int
    public var requiredMinutesPerWeek: Int
    public var line: Int
}

/// A cohort as written in a schedule file.
public struct CohortDefinition: Equatable, Sendable {
    public var key: String
    public var program: KeyReference
    public var title: String
    public var line: Int
}

/// An enrollment as written in a schedule file.
public struct EnrollmentDefinition: Equatable, Sendable {
    public var participant: KeyReference
    public var program: KeyReference
    public var cohort: KeyReference?
    public var start: LocalDate
    public var end: LocalDate
    public var endedOn: LocalDate?
    public var endReason: EnrollmentEnd?
    public var line: Int
}

/// Who a series is for, as written (participants by key or id).
public enum RosterDefinition: Equatable, Sendable {
    case participants([KeyReference])
    case cohort(KeyReference)
    case participant(KeyReference)
    case family(KeyReference)
}

/// One series as written in a schedule file (docs/SCHEDULE.md), checked but with its people not yet resolved.
public struct SeriesDefinition: Equatable, Sendable {
    public var key: String
    public var title: String
    public var kind: SessionKind
    public var schedule: SessionSchedule
    public var window: ChatWindowPolicy?
    public var roster: RosterDefinition
    public var program: KeyReference?
    public var facilitators: [KeyReference]
    public var admission: Admission
    public var requiresStaff: Bool
    public var agreement: String?
    public var line: Int
}
