import Foundation
import HearthCore
import HearthStore

/// Imports a YAML schedule file: all of it or nothing. Series are matched by `key`, so importing the same file
/// twice changes nothing and importing an edited file applies the edit.
public struct ScheduleImporter: Sendable {
    let directory: Directory
    let schedule: ScheduleStore

    public init(_ database: HearthDatabase) {
        directory = Directory(database)
        schedule = ScheduleStore(database)
    }

    /// What an import did.
    public struct Summary: Equatable, Sendable {
        public var created: Int
        public var updated: Int
        public var unchanged: Int
        public var roomsCreated: Int
    }

    /// Parses, checks every roster entry, then stores everything in one transaction and creates the rooms of the
    /// next two weeks.
    public func importFile(_ text: String, now: Date = Date()) throws -> Summary {
        let definitions = try ScheduleFile.parse(text)
        var inputs: [ScheduleStore.SeriesInput] = []
        for definition in definitions {
            var roster: [PersonID] = []
            for entry in definition.roster {
                guard let person = try directory.person(reference: entry.reference) else {
                    throw ScheduleFileError(line: entry.line, "No participant has the id or key \"\(entry.reference)\".")
                }
                guard person.role == .participant else {
                    throw ScheduleFileError(line: entry.line, "\"\(entry.reference)\" is a \(person.role.rawValue); a roster lists participants.")
                }
                roster.append(person.id)
            }
            inputs.append(.init(key: definition.key, title: definition.title, kind: definition.kind,
                                schedule: definition.schedule, window: definition.window, roster: roster))
        }
        let counts = try schedule.importSeries(inputs)
        let rooms = try schedule.materializeRooms(from: now.addingTimeInterval(-86400),
                                                  to: now.addingTimeInterval(15 * 86400), now: now)
        return Summary(created: counts.created, updated: counts.updated, unchanged: counts.unchanged, roomsCreated: rooms)
    }
}
