import Foundation
import HearthClient
import HearthCore

/// One signed-in connection for a one-shot command: connect, `hello`, requests whose refusals become `CLIError`s
/// carrying the server's own words, then `close`.
final class CounselorLink: Sendable {
    let settings: ClientSettingsFile
    let client: HearthClient
    let connection: HearthConnection
    let welcome: ServerFrame.Welcome

    private init(settings: ClientSettingsFile, client: HearthClient, connection: HearthConnection,
                 welcome: ServerFrame.Welcome) {
        self.settings = settings
        self.client = client
        self.connection = connection
        self.welcome = welcome
    }

    /// Connects to `settings.url` and says hello with `settings.token`.
    /// - Throws: `CLIError.unreachable`, `.unauthorized` (the server's reason), `.badURL`, …
    static func open(_ settings: ClientSettingsFile) async throws -> CounselorLink {
        let client = try HearthClient(caFile: settings.caFile)
        do {
            let connection = try await client.connect(settings.url)
            let welcome = try await connection.hello(token: settings.token)
            return CounselorLink(settings: settings, client: client, connection: connection, welcome: welcome)
        } catch {
            client.shutdown()
            throw CLIError.from(error, url: settings.url)
        }
    }

    /// Closes the connection and stops the client's thread.
    func close() {
        connection.close()
        client.shutdown()
    }

    /// Sends a request and returns its reply; an `error` reply throws `CLIError.refused` with the server's message.
    func request(_ command: ClientCommand, timeout: Duration = .seconds(30)) async throws -> ServerFrame {
        let reply: ServerFrame
        do {
            reply = try await connection.request(command, timeout: timeout)
        } catch {
            throw CLIError.from(error, url: settings.url)
        }
        if case .error(let error) = reply {
            throw error.code == .unauthorized ? CLIError.unauthorized(message: error.message)
                : CLIError.refused(code: error.code.rawValue, message: error.message)
        }
        return reply
    }

    /// `join`; a `waiting` reply (never for staff) is an error too.
    func join(_ room: RoomID, afterSeq: Int64? = nil) async throws -> ServerFrame.Joined {
        switch try await request(.join(room: room, afterSeq: afterSeq)) {
        case .joined(let joined): return joined
        case .waiting: throw CLIError.refused(code: "waiting", message: "This session has a waiting room, and only staff go straight in.")
        case let other: throw CLIError.unexpected(other.type)
        }
    }

    /// Resolves ROOM (`RoomResolver`) against `welcome`'s rooms (today's and each series' next); when none matches,
    /// against the week before and after (`schedule`); failing that, a string shaped like a room id is tried as is.
    func resolveRoom(_ query: String, now: Date = Date()) async throws -> ResolvedRoom {
        var resolver = RoomResolver(rooms: welcome.rooms, now: now)
        if let found = try resolver.resolve(query) { return found }
        let from = Calendar.gregorian(in: .current).startOfDay(for: now).addingTimeInterval(-7 * 86400)
        if case .schedule(let schedule) = try await request(.schedule(from: from, to: from.addingTimeInterval(15 * 86400))) {
            resolver.add(schedule.rooms)
            if let found = try resolver.resolve(query) { return found }
        }
        if RoomResolver.looksLikeID(query) { return ResolvedRoom(id: RoomID(query), summary: nil) }
        throw CLIError.noSuchRoom(query: query, known: welcome.rooms)
    }
}
