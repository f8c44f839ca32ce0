import Foundation
import GRDB
import HearthStore
import Testing

/// The operator's safety commands on a running `hearthd`, everything started under umask 000: the files it makes
/// are still private, `backup` copies while it serves, and `audit verify --expect-head` catches rows cut off the
/// end that plain `verify` cannot.
struct OperationsCommandTests {
    /// Runs `hearthd ARGS` under umask 000 and returns its exit status and output.
    private func hearthd(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Hearthd.run(arguments, umask000: true)
    }

    private func mode(_ path: String) -> String {
        PrivateFiles.mode(of: path).map { String($0, radix: 8) } ?? "missing"
    }

    @Test func filesStayPrivateBackupsRunLiveAndACutChainIsCaught() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-ops-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = folder + "/data/clinic/hearth.db", manifestPath = folder + "/manifest.json"
        let port = try LiveServer.freePort()

        // hearthd serve, under umask 000, seeding a load-test room and writing its manifest (tokens).
        FileManager.default.createFile(atPath: folder + "/serve.log", contents: nil)
        let serve = ChildProcess()
        serve.executableURL = URL(fileURLWithPath: "/bin/sh")
        serve.arguments = ["-c", "umask 000 && exec \"$0\" \"$@\"", LiveServer.binary.path, "serve", "--port", "\(port)",
                           "--db", db, "--web", "", "--demo-rooms", "1", "--demo-members", "2",
                           "--demo-manifest", manifestPath, "--log-level", "info"]
        serve.environment = ProcessInfo.processInfo.environment.merging(["HEARTH_HELLO_TIMEOUT_SECONDS": "120"]) { $1 }
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/serve.log"))
        try serve.run()
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL); serve.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(30)
        while (try? RawHTTP.get(port: port, path: "/healthz").status) != 200
                || !FileManager.default.fileExists(atPath: manifestPath) {
            try #require(serve.isRunning && Date() < deadline, "hearthd did not start")
            Thread.sleep(forTimeInterval: 0.05)
        }

        // The folders it made, the database and its -wal and -shm, and the manifest are private.
        #expect(mode(folder + "/data") == "700")
        #expect(mode(folder + "/data/clinic") == "700")
        #expect(mode(db) == "600" && mode(db + "-wal") == "600" && mode(db + "-shm") == "600")
        #expect(mode(manifestPath) == "600")

        // A backup while it serves: 0600, never over an existing file unless --force.
        let backup = try hearthd(["backup", "--db", db, "--to", folder + "/backup.db"])
        #expect(backup.status == 0, "\(backup.output)")
        #expect(backup.output.contains("backup written to \(folder)/backup.db"))
        #expect(mode(folder + "/backup.db") == "600")
        let again = try hearthd(["backup", "--db", db, "--to", folder + "/backup.db"])
        #expect(again.status != 0 && again.output.contains("already exists") && again.output.contains("--force"))
        #expect(try hearthd(["backup", "--db", db, "--to", folder + "/backup.db", "--force"]).status == 0)
        let head = try #require(backup.output.split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(head.count == 64)

        // The backup's head is the live head, or an earlier row of it.
        let current = try hearthd(["audit", "verify", "--db", db, "--expect-head", head])
        #expect(current.status == 0, "\(current.output)")
        #expect(current.output.contains("expected head:"))

        // A transcript export under umask 000 is 0600, and its audit row moves the head on.
        let manifest = try JSONDecoder().decode(LiveServer.Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        let room = try #require(manifest.rooms.first?.id)
        let export = try hearthd(["transcript", "export", "--db", db, "--room", room.rawValue, "--recipient",
                                  "County Probation", "--purpose", "Court compliance", "--output", folder + "/t.txt"])
        #expect(export.status == 0, "\(export.output)")
        #expect(mode(folder + "/t.txt") == "600")
        let later = try hearthd(["audit", "verify", "--db", db, "--expect-head", head])
        #expect(later.status == 0 && later.output.contains("were added since that head"), "\(later.output)")

        // At shutdown the server logs the head it leaves behind.
        serve.terminate()
        serve.waitUntilExit()
        let final = try AuditLog(HearthDatabase(path: db)).head()
        let serveLog = try String(contentsOfFile: folder + "/serve.log", encoding: .utf8)
        #expect(serveLog.contains("audit head") && serveLog.contains(final.hash))

        // Someone with the file cuts the last row off: the chain still verifies, the written-down head does not.
        do {
            let database = try HearthDatabase(path: db)
            try database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER audit_no_delete")
                try db.execute(sql: "DELETE FROM audit WHERE id = ?", arguments: [final.lastID])
            }
        }
        let plain = try hearthd(["audit", "verify", "--db", db])
        #expect(plain.status == 0 && plain.output.contains("audit log intact"))
        let cut = try hearthd(["audit", "verify", "--db", db, "--expect-head", final.hash])
        #expect(cut.status == 1, "\(cut.output)")
        #expect(cut.output.contains("the chain was cut or rewritten"))
        let bad = try hearthd(["audit", "verify", "--db", db, "--expect-head", "not-a-hash"])
        #expect(bad.status != 0 && bad.output.contains("64 hexadecimal digits"))
    }
}
