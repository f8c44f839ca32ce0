import ArgumentParser
import Foundation
import HearthAdmin
import HearthCore
import HearthStore

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule", abstract: "Import and list session series.",
                                                    subcommands: [Import.self, List.self])
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a YAML schedule (docs/SCHEDULE.md). All or nothing; importing twice changes nothing.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The YAML file.") var file: String

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("Cannot read \(file) as UTF-8 text.")
            }
            do {
                let summary = try ScheduleImporter(try openDatabase(database)).importFile(text)
                print("imported \(file): \(summary.created) new, \(summary.updated) changed, \(summary.unchanged) unchanged series; \(summary.roomsCreated) new rooms; \(summary.programRows) programs, cohorts and enrollments new or changed")
            } catch let error as ScheduleFileError {
                throw AdminError("\(file), \(error) Nothing was imported.")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List series and their rooms of the coming days.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "How many days ahead to list rooms.") var days = 7

        func run() throws {
            let database = try openDatabase(database)
            let schedule = ScheduleStore(database)
            let directory = Directory(database)
            let now = Date()
            try schedule.materializeRooms(from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(Double(max(days, 1) + 1) * 86400), now: now)
            for series in try schedule.allSeries() {
                let when = series.weekdays.map { "every \($0)" } ?? "on \(series.onDate ?? "?")"
                let named = try schedule.roster(of: series.id).compactMap { try directory.person($0)?.displayName }.sorted()
                let roster = switch series.rosterKind {
                case "cohort": "cohort \(series.cohortKey ?? "?")"
                case "family": "\(named.first ?? "?") and family"
                default: named.isEmpty ? "none" : named.joined(separator: ", ")
                }
                var policies: [String] = []
                if series.admission == .waiting { policies.append("waiting room") }
                if series.requiresStaff { policies.append("requires staff") }
                if series.agreement != nil { policies.append("agreement") }
                print("\(series.title) [\(series.kind.rawValue)] key \(series.key): \(when) at \(series.startTime) for \(series.durationMinutes) min, \(series.timeZone); roster: \(roster)\(policies.isEmpty ? "" : "; " + policies.joined(separator: ", "))")
                for (date, change) in try schedule.changes(of: series.id).sorted(by: { $0.key < $1.key }) {
                    switch change {
                    case .cancelled: print("    \(date): cancelled")
                    case .moved(let to, let start, let minutes):
                        print("    \(date): moved to \(to ?? date) at \(start?.description ?? series.startTime) for \(minutes ?? series.durationMinutes) min")
                    }
                }
            }
            print("")
            print("Rooms from now to \(days) days ahead:")
            let rooms = try schedule.rooms(from: now, to: now.addingTimeInterval(Double(days) * 86400), defaultWindow: .standard)
            for room in rooms {
                let summary = room.summary(at: now)
                print("  \(summary.starts) to \(summary.ends)  \(room.title)  room \(room.id)\(summary.open ? "  (open)" : "")")
            }
        }
    }
}

