import Foundation
import HearthCore
import HearthStore

/// Imports a YAML schedule file: all of it or nothing. Everything is matched by key (enrollments by participant
/// and program), so importing the same file twice changes nothing and importing an edited file applies the edit.
public struct ScheduleImporter: Sendable {
    let directory: Directory
    let schedule: ScheduleStore
    let programs: ProgramStore

    public init(_ database: HearthDatabase) {
        directory = Directory(database)
        schedule = ScheduleStore(database)
        programs = ProgramStore(database)
    }

    /// What an import did.
    public struct Summary: Equatable, Sendable {
        /// Programs, cohorts and enrollments created or changed.
        public var programRows: Int
        public var created: Int
        public var updated: Int
        public var unchanged: Int
        public var roomsCreated: Int
    }

    /// Parses, resolves every reference (reporting the line of any that does not resolve), then stores everything
    /// in one transaction and creates the rooms of the next two weeks.
    public func importFile(_ text: String, now: Date = Date()) throws -> Summary {
        let document = try ScheduleFile.parse(text)
        let programKeys = Set(document.programs.map(\.key)).union(try programs.programs().map(\.key))
        let cohortKeys = Set(document.cohorts.map(\.key)).union(try programs.cohorts().map(\.key))
        func program(_ reference: KeyReference) throws -> String {
            guard programKeys.contains(reference.key) else {
                throw ScheduleFileError(line: reference.line, "No program has the key \"\(reference.key)\".")
            }
            return reference.key
        }
        func cohort(_ reference: KeyReference) throws -> String {
            guard cohortKeys.contains(reference.key) else {
                throw ScheduleFileError(line: reference.line, "No cohort has the key \"\(reference.key)\".")
            }
            return reference.key
        }
        func person(_ reference: KeyReference, staff: Bool = false) throws -> PersonID {
            let wanted = staff ? "counselor" : "participant"
            guard let person = try directory.person(reference: reference.key) else {
                throw ScheduleFileError(line: reference.line, "No \(wanted) has the id or key \"\(reference.key)\".")
            }
            guard staff ? person.role.isStaff : person.role == .participant else {
                throw ScheduleFileError(line: reference.line, "\"\(reference.key)\" is a \(person.role.rawValue), not a \(wanted).")
            }
            return person.id
        }

        let programRecords = document.programs.map {
            ProgramRecord(key: $0.key, title: $0.title, weeks: $0.weeks, requiredMinutesPerWeek: $0.requiredMinutesPerWeek)
        }
        var cohorts: [CohortRecord] = []
        for definition in document.cohorts {
            cohorts.append(CohortRecord(key: definition.key, programKey: try program(definition.program), title: definition.title))
        }
        let storedCohorts = try programs.cohorts()
        var enrollments: [ProgramStore.EnrollmentInput] = []
        var enrolled = Set<String>()
        for definition in document.enrollments {
            let who = try person(definition.participant), which = try program(definition.program)
            guard enrolled.insert("\(who) \(which)").inserted else {
                throw ScheduleFileError(line: definition.line, "\"\(definition.participant.key)\" is enrolled in \"\(which)\" twice.")
            }
            if let reference = definition.cohort {
                let key = try cohort(reference)
                let owner = document.cohorts.first { $0.key == key }?.program.key
                    ?? storedCohorts.first { $0.key == key }?.programKey
                guard owner == which else {
                    throw ScheduleFileError(line: reference.line, "The cohort \"\(key)\" belongs to another program than \"\(which)\".")
                }
            }
            enrollments.append(.init(person: who, program: which, cohort: try definition.cohort.map(cohort),
                                     start: definition.start, end: definition.end,
                                     ended: definition.endedOn.map { ($0, definition.endReason ?? .discharged) }))
        }
        var inputs: [ScheduleStore.SeriesInput] = []
        for definition in document.series {
            let roster: Roster
            switch definition.roster {
            case .participants(let list): roster = .participants(try list.map { try person($0) })
            case .cohort(let reference): roster = .cohort(try cohort(reference))
            case .participant(let reference): roster = .participant(try person(reference))
            case .family(let reference): roster = .family(try person(reference))
            }
            inputs.append(.init(key: definition.key, title: definition.title, kind: definition.kind,
                                schedule: definition.schedule, window: definition.window, roster: roster,
                                program: try definition.program.map(program),
                                facilitators: try definition.facilitators.map { try person($0, staff: true) },
                                admission: definition.admission, requiresStaff: definition.requiresStaff,
                                agreement: definition.agreement))
        }
        let counts = try schedule.importClinic(programs: programRecords, cohorts: cohorts, enrollments: enrollments,
                                               series: inputs, timeZone: document.timeZone ?? .current, now: now)
        let rooms = try schedule.materializeRooms(from: now.addingTimeInterval(-86400),
                                                  to: now.addingTimeInterval(15 * 86400), now: now)
        return Summary(programRows: counts.programRows, created: counts.created, updated: counts.updated,
                       unchanged: counts.unchanged, roomsCreated: rooms)
    }
}
