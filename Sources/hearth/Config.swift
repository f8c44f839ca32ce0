import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where `hearth` reaches the server and as whom: the server's WebSocket URL and the counselor's token. Resolved once
/// per run, from the configuration file (`hearth login`) < `HEARTH_URL`/`HEARTH_TOKEN` < `--url`; every command and
/// the screen take this value and never read the environment themselves. Its descriptions never show the token.
struct ClientSettingsFile: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// E.g. `ws://127.0.0.1:8080/ws`.
    var url: String
    /// The counselor's access token (`hth_…`). Never printed.
    var token: String
    /// The configuration file consulted (it may not exist); `hearth login` writes here.
    var configPath: String
    /// A CA certificate (PEM) to trust for a `wss://` server instead of the system's CAs: a clinic's own CA.
    var caFile: String? = nil

    var description: String { "\(url) (token from configuration, not shown)" }
    var debugDescription: String { description }

    /// What the configuration file holds; any field may be missing from a hand-written file.
    struct Stored: Codable, Equatable {
        var url: String?
        var token: String?
        var caFile: String?

        enum CodingKeys: String, CodingKey {
            case url, token, caFile = "ca_file"
        }
    }

    /// Resolves the settings: `file` < `environment` (`HEARTH_URL`, `HEARTH_TOKEN`, `HEARTH_CA_FILE`) < flags
    /// (`--url`, `--ca-file`).
    /// - Throws: `CLIError.notConfigured` naming what is missing and how to log in.
    static func resolve(file: Stored?, environment: [String: String], url flag: String?, caFile caFlag: String? = nil,
                        configPath: String) throws(CLIError) -> ClientSettingsFile {
        func nonEmpty(_ value: String?) -> String? {
            guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
            return trimmed
        }
        let url = nonEmpty(flag) ?? nonEmpty(environment["HEARTH_URL"]) ?? nonEmpty(file?.url)
        let token = nonEmpty(environment["HEARTH_TOKEN"]) ?? nonEmpty(file?.token)
        let caFile = nonEmpty(caFlag) ?? nonEmpty(environment["HEARTH_CA_FILE"]) ?? nonEmpty(file?.caFile)
        switch (url, token) {
        case let (url?, token?): return ClientSettingsFile(url: url, token: token, configPath: configPath, caFile: caFile)
        case (nil, nil): throw .notConfigured(missing: "server URL or token", configPath: configPath)
        case (nil, _): throw .notConfigured(missing: "server URL", configPath: configPath)
        case (_, nil): throw .notConfigured(missing: "token", configPath: configPath)
        }
    }

    /// The configuration file's path: `$XDG_CONFIG_HOME/hearth/config.json`, else `$HOME/.config/hearth/config.json`
    /// (the XDG base directory rules: a relative `XDG_CONFIG_HOME` is ignored).
    static func defaultPath(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("hearth/config.json").path
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.passwordHome() ?? "/"
        return URL(fileURLWithPath: home).appendingPathComponent(".config/hearth/config.json").path
    }

    private static func passwordHome() -> String? {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        return String(cString: directory)
    }

    /// Reads the configuration file; nil when there is none.
    static func load(path: String) throws(CLIError) -> Stored? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path: path, reason: access(path, R_OK) != 0 ? Self.reason(errno: errno) : "not a file")
        }
        do {
            return try JSONDecoder().decode(Stored.self, from: data)
        } catch {
            throw .badConfig(path: path, reason: "not a JSON object with \"url\", \"token\" and optionally \"ca_file\"")
        }
    }

    /// Whether the file at `path` can be read or written by anyone but its owner (then the token is exposed).
    static func isExposed(path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        return status.st_mode & 0o077 != 0
    }

    /// Writes url and token to `configPath`: its folder is created (and kept) mode 0700, the file mode 0600 whatever
    /// the umask. The file is replaced atomically, so a failure never leaves half a configuration.
    func save() throws(CLIError) {
        let file = URL(fileURLWithPath: configPath)
        let folder = file.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path: folder.path, reason: "its parent folder cannot be created")
        }
        if mkdir(folder.path, 0o700) != 0 && errno != EEXIST {
            throw .cannotWrite(path: folder.path, reason: Self.reason(errno: errno))
        }
        guard chmod(folder.path, 0o700) == 0 else { throw .cannotWrite(path: folder.path, reason: Self.reason(errno: errno)) }

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard var bytes = try? encoder.encode(Stored(url: url, token: token, caFile: caFile)) else {
            throw .cannotWrite(path: configPath, reason: "the settings could not be encoded")
        }
        bytes.append(UInt8(ascii: "\n"))
        let temporary = folder.appendingPathComponent(".config.json.\(getpid()).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(path: configPath, reason: Self.reason(errno: errno)) }
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            guard fchmod(descriptor, 0o600) == 0 else { return false }
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return fsync(descriptor) == 0
        }
        let failure = written ? nil : Self.reason(errno: errno)
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path: configPath, reason: failure)
        }
        guard rename(temporary, configPath) == 0 else {
            let failure = Self.reason(errno: errno)
            unlink(temporary)
            throw .cannotWrite(path: configPath, reason: failure)
        }
    }

    static func reason(errno code: Int32) -> String { String(cString: strerror(code)) }
}
