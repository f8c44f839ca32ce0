import Foundation
import HearthCore
import HearthServer
import HearthStore
import Testing

/// The server logs the audit chain's head (hash and row count, nothing else) at start, periodically and at
/// shutdown, so a copy lives outside the database.
struct AuditHeadLogTests {
    @Test func theHeadIsLoggedAtStartPeriodicallyAndAtShutdown() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-audit-head-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.database = folder.appendingPathComponent("hearth.db").path
        configuration.web = nil
        configuration.eventLoop = .poll
        let database = try HearthDatabase(path: configuration.database)
        let log = AuditLog(database)
        try log.append(.tokenIssue, actor: nil, target: "p_someone", detail: "label", at: Date())
        let logs = LogCapture()
        let server = HearthServer(configuration: configuration, database: database, logger: logs.logger,
                                  auditHeadInterval: .milliseconds(100))
        try server.start()

        func lines(_ when: String) -> [String] {
            logs.text.split(separator: "\n").map(String.init).filter { $0.contains("audit head") && $0.contains(when) }
        }
        let first = try log.head()
        // A guard against a hang only: on a loaded machine the 100 ms timer can be late by seconds.
        let deadline = Date().addingTimeInterval(60)
        while (lines("start").isEmpty || lines("periodic").isEmpty) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let start = try #require(lines("start").first)
        #expect(start.hasPrefix("notice audit head"))
        #expect(start.contains(first.hash) && start.contains("\"hearth.audit.rows\": 1"))

        // A row added while it runs shows in a later periodic line.
        // (The server may append rows of its own meanwhile, such as its daily purge: compare with the head as it is.)
        try log.append(.purge, actor: nil, detail: "0 messages", at: Date())
        func logged(_ head: AuditHead) -> Bool {
            lines("periodic").contains { $0.contains(head.hash) && $0.contains("\"hearth.audit.rows\": \(head.rows)") }
        }
        var current = try log.head()
        while !logged(current) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            current = try log.head()
        }
        #expect(logged(current))
        #expect(current.rows >= 2)

        server.stop()
        let shutdown = try #require(lines("shutdown").last)
        #expect(shutdown.contains(try log.head().hash))
        // Only the hash and counts: never a target, a detail or a name.
        #expect(!logs.text.contains("p_someone") && !logs.text.contains("0 messages"))
    }
}
