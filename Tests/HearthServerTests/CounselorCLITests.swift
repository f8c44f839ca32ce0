import Foundation
import HearthClient
import HearthCore
import HearthStore
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `hearth` commands for scripts, run as a script runs them (the built binary, HEARTH_URL and HEARTH_TOKEN in its
/// environment, a temporary HOME) against a real server: their output, their files and their exit codes.
@Suite(.timeLimit(.minutes(3))) struct CounselorCLITests {
    @Test func roomsListsTheCounselorsRoomsAsTheProtocolsROOMObjects() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: server.url, token: server.clinic.counselor.token)
        defer { cli.cleanUp() }
        let (_, welcome) = try await server.connect(server.clinic.counselor.token)

        let listed = try await cli.run(["rooms", "--json"])
        #expect(listed.status == 0)
        #expect(listed.stderr.isEmpty)
        let rooms = try JSONDecoder().decode([RoomSummary].self, from: Data(listed.stdout.utf8))
        #expect(rooms == welcome.rooms)
        #expect(rooms.map(\.id).contains(server.clinic.group.id))
        // Byte for byte as the server encodes its frames: sorted keys, unescaped slashes, one line.
        #expect(listed.stdout == HearthCLI.wireJSON(welcome.rooms) + "\n")

        let table = try await cli.run(["rooms"])
        #expect(table.status == 0)
        let row = try #require(table.lines.first { $0.contains(server.clinic.group.id.rawValue) })
        #expect(row.contains("Group therapy") && row.contains("open"))
        #expect(table.lines.first?.hasPrefix("START") == true)
    }

    @Test func sendPostsAMessageThatAParticipantReceivesWithThePrintedSeq() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: server.url, token: server.clinic.counselor.token)
        defer { cli.cleanUp() }
        let (alex, _) = try await server.joined(server.clinic.alex.token, server.clinic.group)
        _ = try await alex.post("Hi, I'm here.", to: server.clinic.group.id)

        let sent = try await cli.run(["send", "group", "Welcome, everyone.", "--json"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let printed = try #require(try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as? [String: Any])
        #expect(printed.keys.sorted() == ["id", "room", "seq"])
        #expect(printed["room"] as? String == server.clinic.group.id.rawValue)
        let message = try #require(try await alex.messages(2).last)
        #expect(message.body == "Welcome, everyone.")
        #expect(message.from.name == "Dana M.")
        #expect(printed["seq"] as? Int == Int(message.seq))
        #expect(message.seq == 2)
        #expect(printed["id"] as? String == message.id.rawValue)

        let plain = try await cli.run(["send", "Group", "Let's begin."])
        #expect(plain.status == 0)
        #expect(plain.stdout.hasPrefix("Sent to Group therapy as message 3"))
        #expect(try await alex.messages(1).first?.seq == 3)
    }

    @Test func alertsListsAnOpenAlertUntilAckAcknowledgesIt() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: server.url, token: server.clinic.counselor.token)
        defer { cli.cleanUp() }
        let (dana, _) = try await server.connect(server.clinic.counselor.token)
        let (alex, _) = try await server.joined(server.clinic.alex.token, server.clinic.group)
        guard case .ok = try await alex.request(.checkin(room: server.clinic.group.id, mood: 2, craving: 7, safe: false))
        else { Issue.record("the check-in was refused"); return }
        let raised = try await dana.alertFrame()

        let open = try await cli.run(["alerts", "--json"])
        #expect(open.status == 0, "\(open.stderr)")
        let alerts = try JSONDecoder().decode([Alert].self, from: Data(open.stdout.utf8))
        #expect(alerts == [raised])
        #expect(raised.category == .notSafe && raised.severity == .high)
        #expect(raised.member == server.clinic.alex.0.identity.member)
        #expect(open.stdout == HearthCLI.wireJSON([raised]) + "\n")
        let table = try await cli.run(["alerts"])
        let row = try #require(table.lines.first { $0.hasPrefix("\(raised.id) ") })
        #expect(row.contains("not_safe") && row.contains("Alex R.") && row.contains("Group therapy"))

        let acknowledged = try await cli.run(["ack", "\(raised.id)", "--outcome", "Called Alex; safe at home.", "--json"])
        #expect(acknowledged.status == 0, "\(acknowledged.stderr)")
        let updated = try JSONDecoder().decode(Alert.self, from: Data(acknowledged.stdout.utf8))
        #expect(updated.id == raised.id)
        #expect(updated.acknowledgedBy == server.clinic.counselor.0.identity.member)
        #expect(updated.outcome == "Called Alex; safe at home.")

        let none = try await cli.run(["alerts", "--json"])
        #expect(none.status == 0)
        #expect(none.stdout == "[]\n")
        #expect(try await cli.run(["alerts"]).stdout == "No open alerts.\n")
        let unknown = try await cli.run(["ack", "999"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("There is no alert 999."))
    }

    @Test func admitLetsAWaitingFamilyMemberInAndAnAmbiguousRoomListsTheMatches() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: server.url, token: server.clinic.counselor.token)
        defer { cli.cleanUp() }
        // The same title as the clinic's family session, which has no waiting room.
        let room = try server.addRoom("family-waiting", title: "Family therapy: Alex R.", kind: .family,
                                      roster: .family(server.clinic.alex.0.id), admission: .waiting,
                                      facilitators: [server.clinic.counselor.0.id])
        let (maria, _) = try await server.connect(server.clinic.maria.token)
        guard case .waiting = try await maria.request(.join(room: room.id, afterSeq: nil)) else {
            Issue.record("Maria did not wait"); return
        }

        let ambiguous = try await cli.run(["admit", "family", "Maria"])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("\"family\" matches 2 sessions"))
        #expect(ambiguous.stderr.contains(room.id.rawValue) && ambiguous.stderr.contains(server.clinic.family.id.rawValue))

        let nobody = try await cli.run(["admit", room.id.rawValue, "Tom"])
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("Tom is not in the waiting room"))
        #expect(nobody.stderr.contains("Waiting: Maria R. (\(server.clinic.maria.0.id))"))

        let admitted = try await cli.run(["admit", room.id.rawValue, "maria", "--json"])
        #expect(admitted.status == 0, "\(admitted.stderr)")
        #expect(admitted.stdout == HearthCLI.wireJSON(["member": server.clinic.maria.0.identity.member]).dropLast()
            + ",\"room\":\"\(room.id)\"}\n")
        let joined = try await maria.joinedFrame()
        #expect(joined.room == room.id)
        #expect(try await maria.post("Hello from work.", to: room.id).seq == 1)
    }

    @Test func loginReadsThePipedTokenChecksItAndSavesItReadableOnlyByTheCounselor() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: nil, token: nil)
        defer { cli.cleanUp() }
        let token = server.clinic.counselor.token

        // A umask of 000 must not make the folder or the file readable by others.
        let login = try await cli.run(["login", "--url", server.url], stdin: token + "\n", umask000: true)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.contains("Signed in as Dana M. (counselor)"))
        #expect(!login.stdout.contains(token) && !login.stderr.contains(token))
        let folder = cli.home.appendingPathComponent(".config/hearth")
        let file = folder.appendingPathComponent("config.json")
        #expect(HearthCLI.mode(folder.path) == 0o700)
        #expect(HearthCLI.mode(file.path) == 0o600)
        let saved = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
        #expect(saved == ["url": server.url, "token": token])

        // The other commands read the file; HEARTH_TOKEN overrides it.
        let rooms = try await cli.run(["rooms", "--json"])
        #expect(rooms.status == 0, "\(rooms.stderr)")
        let overridden = try await cli.run(["rooms"], environment: ["HEARTH_TOKEN": "hth_overridden"])
        #expect(overridden.status == 77)
        #expect(overridden.stderr.contains("This token is not valid"))

        // $XDG_CONFIG_HOME comes before ~/.config.
        let xdg = cli.home.appendingPathComponent("xdg")
        let second = try await cli.run(["login", "--url", server.url, "--json"], stdin: token,
                                       environment: ["XDG_CONFIG_HOME": xdg.path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(HearthCLI.mode(xdg.appendingPathComponent("hearth/config.json").path) == 0o600)
        #expect(!second.stdout.contains(token))
        let result = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(result["config"] as? String == xdg.appendingPathComponent("hearth/config.json").path)
    }

    @Test func aRefusedTokenIsReportedInTheServersWordsAndNothingIsSaved() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: nil, token: nil)
        defer { cli.cleanUp() }
        let bogus = "hth_notARealTokenAtAll"

        let login = try await cli.run(["login", "--url", server.url], stdin: bogus + "\n")
        #expect(login.status == 77)
        #expect(login.stderr.contains("This token is not valid. Ask your counselor for a new invitation."))
        #expect(!login.stderr.contains(bogus) && !login.stdout.contains(bogus))
        #expect(!FileManager.default.fileExists(atPath: cli.home.appendingPathComponent(".config/hearth/config.json").path))

        let rooms = try await cli.run(["rooms", "--json"], environment: ["HEARTH_URL": server.url, "HEARTH_TOKEN": bogus])
        #expect(rooms.status == 77)
        #expect(rooms.stdout.isEmpty)
        #expect(rooms.stderr.contains("This token is not valid"))
        #expect(!rooms.stderr.contains(bogus))

        // A participant's token signs in, but staff requests are refused in the server's words.
        let participant = try await cli.run(["alerts"], environment: ["HEARTH_URL": server.url,
                                                                      "HEARTH_TOKEN": server.clinic.alex.token])
        #expect(participant.status == 1)
        #expect(participant.stderr.contains("Only counselors can do that."))
    }

    @Test func withoutConfigurationACommandSaysHowToLogInAndAnUnreachableServerIsNamed() async throws {
        let cli = try HearthCLI(url: nil, token: nil)
        defer { cli.cleanUp() }
        let nothing = try await cli.run(["rooms"])
        #expect(nothing.status == 78)
        #expect(nothing.stderr.contains("hearth login --url ws://HOST:PORT/ws"))
        #expect(nothing.stderr.contains("HEARTH_URL and HEARTH_TOKEN"))
        let noToken = try await cli.run(["alerts"], environment: ["HEARTH_URL": "ws://127.0.0.1:9/ws"])
        #expect(noToken.status == 78)
        #expect(noToken.stderr.contains("No token configured"))

        let port = try LiveServer.freePort()
        let url = "ws://127.0.0.1:\(port)/ws"
        let unreachable = try await cli.run(["send", "group", "hello"],
                                            environment: ["HEARTH_URL": url, "HEARTH_TOKEN": "hth_whatever"])
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.contains("The server is not reachable at \(url)."))
        #expect(!unreachable.stderr.contains("hth_whatever"))
        let badURL = try await cli.run(["rooms", "--url", "http://example.org"], environment: ["HEARTH_TOKEN": "hth_x"])
        #expect(badURL.status == 78)
        #expect(badURL.stderr.contains("is not a server address like ws://HOST:PORT/ws"))
    }

    @Test func exportWritesAPrivateFileThatStartsWithThe42CFRPart2Notice() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: server.url, token: server.clinic.counselor.token)
        defer { cli.cleanUp() }
        let (alex, _) = try await server.joined(server.clinic.alex.token, server.clinic.group)
        _ = try await alex.post("I kept my appointment this week.", to: server.clinic.group.id)
        let folder = cli.home.appendingPathComponent("exports")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let arguments = ["export", "group", "--recipient", server.clinic.counselor.0.id.rawValue,
                         "--purpose", "Treatment planning"]

        let exported = try await cli.run(arguments, directory: folder, umask000: true)
        #expect(exported.status == 0, "\(exported.stderr)")
        let name = exported.stdout.trimmingCharacters(in: .newlines)
        #expect(name.hasPrefix("group-therapy-") && name.hasSuffix(".txt"))
        let file = folder.appendingPathComponent(name)
        #expect(HearthCLI.mode(file.path) == 0o600)
        let content = try String(contentsOf: file, encoding: .utf8)
        #expect(content.hasPrefix(RedisclosureNotice.text))
        #expect(content.contains("I kept my appointment this week."))

        // An export never replaces a file, and nothing is disclosed when it cannot be written.
        let again = try await cli.run(arguments, directory: folder)
        #expect(again.status == 73)
        #expect(again.stderr.contains("already exists"))
        #expect(try String(contentsOf: file, encoding: .utf8) == content)

        let json = folder.appendingPathComponent("group.json")
        let described = try await cli.run(arguments + ["--format", "json", "--output", json.path, "--json"])
        #expect(described.status == 0, "\(described.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(described.stdout.utf8)) as? [String: Any])
        #expect(result["path"] as? String == json.path)
        #expect(result["format"] as? String == "json")
        #expect(result["room"] as? String == server.clinic.group.id.rawValue)
        #expect((result["disclosure"] as? Int ?? 0) > 0)
        #expect(HearthCLI.mode(json.path) == 0o600)
        #expect(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) is [String: Any])
    }

    @Test func tailPrintsTheHistoryThenLiveMessagesOneMSGObjectPerLine() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: server.url, token: server.clinic.counselor.token)
        defer { cli.cleanUp() }
        let (alex, _) = try await server.joined(server.clinic.alex.token, server.clinic.group)
        _ = try await alex.post("Before the counselor came.", to: server.clinic.group.id)
        let decoder = JSONDecoder()

        let json = try cli.start(["tail", "group", "--json"])
        defer { json.stop() }
        let history = try await json.firstLine { try? decoder.decode(ChatMessage.self, from: Data($0.utf8)) }
        #expect(history.body == "Before the counselor came.")
        #expect(history.seq == 1)
        // The counselor's tail is in the room once Alex sees them arrive; then a live message follows the history.
        _ = try await alex.expect("Dana's presence") { frame -> Bool? in
            if case .presence(let presence) = frame, presence.member.name == "Dana M." { return true }
            return nil
        }
        let ack = try await alex.post("And now, live.", to: server.clinic.group.id)
        let live = try await json.firstLine { try? decoder.decode(ChatMessage.self, from: Data($0.utf8)) }
        #expect(live.body == "And now, live.")
        #expect(live.seq == ack.seq)
        #expect(live.id == ack.id)
        #expect(live.from == server.clinic.alex.0.identity.member)

        let plain = try cli.start(["tail", "Group therapy"])
        defer { plain.stop() }
        let first = try await plain.firstLine { $0.contains("Before the counselor came.") ? $0 : nil }
        #expect(first.range(of: #"^\d\d:\d\d Alex R\.: Before the counselor came\.$"#, options: .regularExpression) != nil)
        let second = try await plain.firstLine { $0.contains("live") ? $0 : nil }
        #expect(second.hasSuffix(" Alex R.: And now, live."))
    }

    @Test func summaryAndAttendancePrintTheProtocolsReportObjects() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let cli = try HearthCLI(url: server.url, token: server.clinic.counselor.token)
        defer { cli.cleanUp() }
        let summary = try await cli.run(["summary", "group", "--json"])
        #expect(summary.status == 0, "\(summary.stderr)")
        let decoded = try JSONDecoder().decode(SessionSummary.self, from: Data(summary.stdout.utf8))
        #expect(decoded.room == server.clinic.group.id)
        #expect(decoded.people.map(\.member.name).contains("Alex R."))
        #expect(summary.stdout == HearthCLI.wireJSON(decoded) + "\n")

        let week = ISOWeek(containing: LocalDate(server.clock.now, in: .current))
        let attendance = try await cli.run(["attendance", "--week", week.description, "--json"])
        #expect(attendance.status == 0, "\(attendance.stderr)")
        #expect(try JSONDecoder().decode(AttendanceReport.self, from: Data(attendance.stdout.utf8)).week == week)
        let table = try await cli.run(["attendance", "--room", "group"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.lines.first?.hasPrefix("Attendance, week") == true)

        let badWeek = try await cli.run(["attendance", "--week", "2026-W99"])
        #expect(badWeek.status == 64)
        #expect(badWeek.stderr.contains("--week must be an ISO week like 2026-W48."))
        let noRoom = try await cli.run(["summary", "no such session"])
        #expect(noRoom.status == 1)
        #expect(noRoom.stderr.contains("No session of yours matches \"no such session\""))
    }

    static let commands = ["", "screen", "login", "rooms", "tail", "send", "admit", "alerts", "ack", "attendance",
                           "summary", "export"]

    @Test(arguments: commands)
    func everyCommandHasCompleteHelp(command: String) async throws {
        let cli = try HearthCLI(url: nil, token: nil)
        defer { cli.cleanUp() }
        let help = try await cli.run((command.isEmpty ? [] : [command]) + ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("OVERVIEW: "))
        #expect(help.stdout.contains("USAGE: hearth"))
        if command.isEmpty {
            for name in Self.commands.dropFirst() { #expect(help.stdout.contains("\n  \(name) ")) }
        } else if command != "screen" {
            #expect(help.stdout.contains("--json"))
            #expect(help.stdout.contains("Example"))
        }
    }
}

/// The built `hearth` binary, run with a temporary HOME and only the environment a test gives it.
struct HearthCLI {
    static var binary: URL {
        let candidates = [".build/debug/hearth", ".build/release/hearth"].map { LiveServer.packageRoot.appendingPathComponent($0) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// How a run ended and what it printed.
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    let home: URL
    let environment: [String: String]

    init(url: String?, token: String?) throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var environment = ["HOME": home.path, "PATH": "/usr/bin:/bin", "TZ": "America/Los_Angeles"]
        environment["HEARTH_URL"] = url
        environment["HEARTH_TOKEN"] = token
        self.environment = environment
    }

    func cleanUp() { try? FileManager.default.removeItem(at: home) }

    /// JSON as the server writes frames (FrameCodec's settings).
    static func wireJSON<Value: Encodable>(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    /// The permission bits of a file or folder.
    static func mode(_ path: String) -> mode_t? {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & 0o777 : nil
    }

    private func process(_ arguments: [String], environment extra: [String: String], directory: URL?,
                         umask000: Bool) -> ChildProcess {
        let process = ChildProcess(running: Self.binary, arguments, umask000: umask000)
        process.environment = environment.merging(extra) { $1 }
        process.currentDirectoryURL = directory ?? home
        return process
    }

    /// Runs `hearth ARGUMENTS` to its end, feeding `stdin`, without blocking the test's thread pool.
    func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
             directory: URL? = nil, umask000: Bool = false) async throws -> Outcome {
        let process = process(arguments, environment: extra, directory: directory, umask000: umask000)
        let output = Pipe(), errors = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
        try input.fileHandleForWriting.close()
        let running = process
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let stderrData = Mutex(Data())
                let group = DispatchGroup()
                DispatchQueue.global().async(group: group) {
                    let data = errors.fileHandleForReading.readDataToEndOfFile()
                    stderrData.withLock { $0 = data }
                }
                let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                running.waitUntilExit()
                continuation.resume(returning: Outcome(status: running.terminationStatus,
                                                       stdout: String(decoding: stdoutData, as: UTF8.self),
                                                       stderr: String(decoding: stderrData.withLock { $0 }, as: UTF8.self)))
            }
        }
    }

    /// Starts a long-running command (`tail`) whose standard output is read line by line.
    func start(_ arguments: [String]) throws -> RunningCommand {
        let process = process(arguments, environment: [:], directory: nil, umask000: false)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        try process.run()
        DispatchQueue.global().async {
            var buffer = Data()
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
            continuation.finish()
        }
        return RunningCommand(process: process, lines: lines)
    }
}

/// A `hearth` process still running, and the lines it printed so far.
final class RunningCommand: @unchecked Sendable {
    private let process: ChildProcess
    private var iterator: AsyncStream<String>.Iterator

    init(process: ChildProcess, lines: AsyncStream<String>) {
        self.process = process
        iterator = lines.makeAsyncIterator()
    }

    /// Reads lines until `match` accepts one; throws if the process ends first.
    func firstLine<T>(_ match: (String) -> T?) async throws -> T {
        while let line = await iterator.next() {
            if let found = match(line) { return found }
        }
        throw HearthClientError.unexpected("hearth ended before printing the expected line")
    }

    /// Terminates the process (SIGTERM, as Ctrl-C would end it) and reaps it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
