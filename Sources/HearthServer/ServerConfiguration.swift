import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// Everything `hearthd serve` can be told, each with a default. Resolved once at start:
/// defaults < JSON file (`--config`) < `HEARTH_*` environment < command-line flags.
public struct ServerConfiguration: Codable, Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var database = "./data/hearth.db"
    /// Folder served at `/` (the browser client). Nil serves no files.
    public var web: String? = "./Web"
    /// `full` (default) survives power loss; `normal` only a crash.
    public var synchronous = SynchronousMode.full
    /// Minutes a room opens for chat before its session starts, and stays open after it ends.
    public var openBeforeMinutes = 15
    public var graceAfterMinutes = 10
    public var maxMessageCharacters = 4000
    public var maxFrameBytes = 64 * 1024
    public var helloTimeoutSeconds = 10
    public var pingSeconds = 30
    public var idleHangupSeconds = 75
    public var sendQueueMessages = 256
    public var sendQueueBytes = 96 * 1024
    /// Messages a connection may send per second on average, with bursts up to `sendBurst`. 0 turns it off.
    public var sendRatePerSecond = 5.0
    public var sendBurst = 20
    /// Every other request's allowance per person, by class (`checkins`, `moderation`, …), shared by their connections.
    public var requestLimits = RequestLimits()
    /// Most messages committed in one transaction.
    public var writerBatch = 1000
    /// Most messages that may wait for a commit; past it a send is refused "busy" (`internal`, `retry_after` 1),
    /// except a participant's message that matches a crisis signal, which has a reserve of 1,000 more.
    public var writerQueueLimit = 10_000
    /// Browser origins allowed to connect; empty means this server's own address.
    public var allowedOrigins: [String] = []
    /// Seconds between re-checks that connected people's tokens are still valid.
    public var tokenRecheckSeconds = 15
    /// Seconds between attendance heartbeats: after a crash, an open interval ends at its last heartbeat.
    public var attendanceHeartbeatSeconds = 10
    /// Seconds an alert may wait for an acknowledgement before it is escalated to every staff member on the server.
    public var alertEscalationSeconds = 60
    /// Hold a participant message that matches a high-severity crisis signal until a counselor releases it.
    public var holdHighSeverity = false
    /// The private message a participant gets at once when their message matches a crisis signal.
    public var crisisResources = ServerConfiguration.defaultCrisisResources
    /// A clinic's own crisis lexicon file (docs/CRISIS_LEXICON.md), and whether it `extend`s or `replace`s Hearth's.
    public var crisisLexicon: String?
    public var crisisLexiconMode = CrisisLexicon.Mode.extend
    /// Days after a session ends before its messages are deleted (attendance and the audit log stay). 0 keeps them.
    public var retentionDays = 2555
    /// The numbers the browser page always shows under "Help now" (a crisis line, an emergency number).
    public var helpLines = ClientSettings.defaultHelpLines
    /// Where the browser's "Quick exit" goes: a neutral page. The default is one hearthd serves itself.
    public var quickExitURL = "/recipes.html"
    /// Minutes without activity after which the browser page signs out, while no session is open (HIPAA automatic
    /// logoff). A person sitting in an open session is never signed out.
    public var idleLogoffMinutes = 30
    /// WebSocket connections one address may have open at once, and how many of them may not have signed in yet.
    /// 0 turns a cap off. Clinics whose people share one address (NAT) raise them or set them to 0.
    public var maxConnectionsPerAddress = 200
    public var maxUnauthenticatedPerAddress = 20
    /// Loopback connections (benchmarks, a local proxy) are not capped.
    public var exemptLoopback = true
    /// Serve `https://` and `wss://` natively with this certificate chain (PEM) and its key (PEM, mode 0600).
    public var tlsCert: String?
    public var tlsKey: String?
    /// A TLS-terminating reverse proxy is in front: plain HTTP may listen on a non-loopback address, allowed
    /// origins must be `https://`, and a connection's address comes from the proxy's `X-Forwarded-For`.
    public var behindProxy = false
    /// Serve Prometheus metrics at `http://HOST:PORT/metrics` on a listener of their own: `PORT` (on 127.0.0.1) or
    /// `HOST:PORT` with a loopback host. Off (nil) by default; never on the public port.
    public var metricsAddress: String?

    public static let defaultCrisisResources = """
        It sounds like things are really hard right now, and you do not have to face this alone. Your counselor has \
        been told and will reach out to you. If you are in danger or thinking about ending your life, call or text \
        988 (the Suicide & Crisis Lifeline, 24 hours a day), or call 911 now.
        """

    /// The event loop under libwebsockets: libev measured best (docs/PERFORMANCE.md). One libev server per process.
    public var eventLoop = EventLoop.libev

    public init() {}

    /// The chat window applied to series that do not set their own.
    public var window: ChatWindowPolicy {
        ChatWindowPolicy(openBeforeMinutes: openBeforeMinutes, graceAfterMinutes: graceAfterMinutes)
    }

    /// What `GET /client.json` serves: the settings a browser page needs before sign-in.
    public func clientSettings(version: String) -> ClientSettings {
        ClientSettings(crisisResources: crisisResources, helpLines: helpLines, quickExitURL: quickExitURL,
                       idleLogoffMinutes: idleLogoffMinutes, maxMessageCharacters: maxMessageCharacters,
                       maxFrameBytes: maxFrameBytes, server: "hearth/\(version)")
    }

    /// Each request class's allowance per person: `messages` from `send_rate_per_second` and `send_burst`, the
    /// others from `request_limits`.
    public func requestLimit(_ requestClass: RequestClass) -> RequestLimit? {
        requestClass == .messages ? RequestLimit(rate: sendRatePerSecond, burst: sendBurst) : requestLimits[requestClass]
    }

    public var limits: MessageLimits {
        var limits = MessageLimits()
        limits.maxBodyCharacters = maxMessageCharacters
        return limits
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, database, web, synchronous
        case openBeforeMinutes = "open_before_minutes", graceAfterMinutes = "grace_after_minutes"
        case maxMessageCharacters = "max_message_characters", maxFrameBytes = "max_frame_bytes"
        case helloTimeoutSeconds = "hello_timeout_seconds", pingSeconds = "ping_seconds"
        case idleHangupSeconds = "idle_hangup_seconds", sendQueueMessages = "send_queue_messages"
        case sendQueueBytes = "send_queue_bytes", sendRatePerSecond = "send_rate_per_second"
        case sendBurst = "send_burst", requestLimits = "request_limits", writerBatch = "writer_batch", allowedOrigins = "allowed_origins"
        case writerQueueLimit = "writer_queue_limit"
        case tokenRecheckSeconds = "token_recheck_seconds", eventLoop = "event_loop"
        case attendanceHeartbeatSeconds = "attendance_heartbeat_seconds"
        case alertEscalationSeconds = "alert_escalation_seconds", holdHighSeverity = "hold_high_severity"
        case crisisResources = "crisis_resources", crisisLexicon = "crisis_lexicon"
        case crisisLexiconMode = "crisis_lexicon_mode", retentionDays = "retention_days"
        case helpLines = "help_lines", quickExitURL = "quick_exit_url", idleLogoffMinutes = "idle_logoff_minutes"
        case maxConnectionsPerAddress = "max_connections_per_address"
        case maxUnauthenticatedPerAddress = "max_unauthenticated_per_address", exemptLoopback = "exempt_loopback"
        case tlsCert = "tls_cert", tlsKey = "tls_key", behindProxy = "behind_proxy", metricsAddress = "metrics_address"
    }

    /// Reads the fields a JSON file sets over the defaults; unknown keys are an error so typos do not pass silently.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let all = try decoder.container(keyedBy: AnyKey.self)
        for key in all.allKeys where CodingKeys(stringValue: key.stringValue) == nil {
            throw ConfigurationError.unknownKey(key.stringValue)
        }
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let decoded = try container.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        try read(.host, &host); try read(.port, &port); try read(.database, &database); try read(.web, &web)
        try read(.synchronous, &synchronous); try read(.openBeforeMinutes, &openBeforeMinutes)
        try read(.graceAfterMinutes, &graceAfterMinutes); try read(.maxMessageCharacters, &maxMessageCharacters)
        try read(.maxFrameBytes, &maxFrameBytes); try read(.helloTimeoutSeconds, &helloTimeoutSeconds)
        try read(.pingSeconds, &pingSeconds); try read(.idleHangupSeconds, &idleHangupSeconds)
        try read(.sendQueueMessages, &sendQueueMessages); try read(.sendQueueBytes, &sendQueueBytes)
        try read(.sendRatePerSecond, &sendRatePerSecond); try read(.sendBurst, &sendBurst)
        try read(.requestLimits, &requestLimits)
        try read(.writerBatch, &writerBatch); try read(.allowedOrigins, &allowedOrigins)
        try read(.writerQueueLimit, &writerQueueLimit)
        try read(.tokenRecheckSeconds, &tokenRecheckSeconds); try read(.eventLoop, &eventLoop)
        try read(.attendanceHeartbeatSeconds, &attendanceHeartbeatSeconds)
        try read(.alertEscalationSeconds, &alertEscalationSeconds); try read(.holdHighSeverity, &holdHighSeverity)
        try read(.crisisResources, &crisisResources); try read(.crisisLexicon, &crisisLexicon)
        if let raw = try container.decodeIfPresent(String.self, forKey: .crisisLexiconMode) {
            guard let mode = CrisisLexicon.Mode(rawValue: raw) else {
                throw ConfigurationError.invalidValue("crisis_lexicon_mode must be extend or replace, not \"\(raw)\"")
            }
            crisisLexiconMode = mode
        }
        try read(.retentionDays, &retentionDays)
        try read(.helpLines, &helpLines); try read(.quickExitURL, &quickExitURL)
        try read(.idleLogoffMinutes, &idleLogoffMinutes)
        try read(.maxConnectionsPerAddress, &maxConnectionsPerAddress)
        try read(.maxUnauthenticatedPerAddress, &maxUnauthenticatedPerAddress); try read(.exemptLoopback, &exemptLoopback)
        try read(.tlsCert, &tlsCert); try read(.tlsKey, &tlsKey); try read(.behindProxy, &behindProxy)
        try read(.metricsAddress, &metricsAddress)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Defaults, then the JSON file, then `HEARTH_<KEY>` variables (e.g. `HEARTH_PORT=9000`); validated unless the
    /// caller applies command-line flags over it and validates then.
    public static func resolve(file: String?, environment: [String: String],
                               validating: Bool = true) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ConfigurationError.unreadable(file) }
            do {
                configuration = try JSONDecoder().decode(ServerConfiguration.self, from: data)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError.invalidFile(file, "\(error)")
            }
        }
        try configuration.apply(environment: environment)
        if validating { try configuration.validate() }
        return configuration
    }

    /// Applies `HEARTH_*` variables (`HEARTH_PORT=9000`, `HEARTH_ALLOWED_ORIGINS=a,b`); a value that does not parse
    /// is an error naming the variable.
    public mutating func apply(environment: [String: String]) throws {
        func text(_ key: CodingKeys) -> (name: String, value: String)? {
            let name = "HEARTH_" + key.stringValue.uppercased()
            return environment[name].map { (name, $0) }
        }
        func set(_ key: CodingKeys, _ value: inout Int) throws {
            guard let (name, raw) = text(key) else { return }
            guard let parsed = Int(raw) else { throw ConfigurationError.badVariable(name, raw) }
            value = parsed
        }
        if let (_, raw) = text(.host) { host = raw }
        if let (_, raw) = text(.database) { database = raw }
        if let (_, raw) = text(.web) { web = raw.isEmpty ? nil : raw }
        if let (name, raw) = text(.synchronous) {
            guard let mode = SynchronousMode(rawValue: raw.lowercased()) else { throw ConfigurationError.badVariable(name, raw) }
            synchronous = mode
        }
        if let (name, raw) = text(.eventLoop) {
            guard let loop = EventLoop(rawValue: raw.lowercased()) else { throw ConfigurationError.badVariable(name, raw) }
            eventLoop = loop
        }
        if let (name, raw) = text(.sendRatePerSecond) {
            guard let rate = Double(raw) else { throw ConfigurationError.badVariable(name, raw) }
            sendRatePerSecond = rate
        }
        if let (name, raw) = text(.requestLimits) {
            guard let overrides = try? JSONDecoder().decode([String: RequestLimit].self, from: Data(raw.utf8)) else {
                throw ConfigurationError.badVariable(name, raw)
            }
            do throws(RequestLimitsError) { try requestLimits.apply(overrides) } catch {
                throw ConfigurationError.invalidEnvironment("\(name): \(error.description)")
            }
        }
        if let (_, raw) = text(.allowedOrigins) {
            allowedOrigins = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        try set(.port, &port); try set(.openBeforeMinutes, &openBeforeMinutes)
        try set(.graceAfterMinutes, &graceAfterMinutes); try set(.maxMessageCharacters, &maxMessageCharacters)
        try set(.maxFrameBytes, &maxFrameBytes); try set(.helloTimeoutSeconds, &helloTimeoutSeconds)
        try set(.pingSeconds, &pingSeconds); try set(.idleHangupSeconds, &idleHangupSeconds)
        try set(.sendQueueMessages, &sendQueueMessages); try set(.sendQueueBytes, &sendQueueBytes)
        try set(.sendBurst, &sendBurst); try set(.writerBatch, &writerBatch); try set(.writerQueueLimit, &writerQueueLimit)
        try set(.tokenRecheckSeconds, &tokenRecheckSeconds)
        try set(.attendanceHeartbeatSeconds, &attendanceHeartbeatSeconds)
        try set(.alertEscalationSeconds, &alertEscalationSeconds); try set(.retentionDays, &retentionDays)
        try set(.idleLogoffMinutes, &idleLogoffMinutes)
        try set(.maxConnectionsPerAddress, &maxConnectionsPerAddress)
        try set(.maxUnauthenticatedPerAddress, &maxUnauthenticatedPerAddress)
        if let (name, raw) = text(.exemptLoopback) {
            guard let value = Bool(raw.lowercased()) else { throw ConfigurationError.badVariable(name, raw) }
            exemptLoopback = value
        }
        if let (name, raw) = text(.behindProxy) {
            guard let value = Bool(raw.lowercased()) else { throw ConfigurationError.badVariable(name, raw) }
            behindProxy = value
        }
        if let (_, raw) = text(.tlsCert) { tlsCert = raw.isEmpty ? nil : raw }
        if let (_, raw) = text(.tlsKey) { tlsKey = raw.isEmpty ? nil : raw }
        if let (_, raw) = text(.metricsAddress) { metricsAddress = raw.isEmpty ? nil : raw }
        if let (_, raw) = text(.quickExitURL) { quickExitURL = raw }
        if let (name, raw) = text(.helpLines) {
            guard let lines = try? JSONDecoder().decode([ClientSettings.HelpLine].self, from: Data(raw.utf8)) else {
                throw ConfigurationError.badVariable(name, raw)
            }
            helpLines = lines
        }
        if let (name, raw) = text(.holdHighSeverity) {
            guard let value = Bool(raw.lowercased()) else { throw ConfigurationError.badVariable(name, raw) }
            holdHighSeverity = value
        }
        if let (_, raw) = text(.crisisResources) { crisisResources = raw }
        if let (_, raw) = text(.crisisLexicon) { crisisLexicon = raw.isEmpty ? nil : raw }
        if let (name, raw) = text(.crisisLexiconMode) {
            guard let mode = CrisisLexicon.Mode(rawValue: raw.lowercased()) else {
                throw ConfigurationError.invalidEnvironment("\(name) must be extend or replace, not \(raw)")
            }
            crisisLexiconMode = mode
        }
    }

    /// Refuses values the server cannot run with.
    public func validate() throws {
        func require(_ ok: Bool, _ message: String) throws { if !ok { throw ConfigurationError.invalidValue(message) } }
        try require((0...65535).contains(port), "port must be 0 to 65535")
        try require(openBeforeMinutes >= 0 && graceAfterMinutes >= 0, "open_before_minutes and grace_after_minutes must be 0 or more")
        try require(maxMessageCharacters >= 1, "max_message_characters must be at least 1")
        try require(maxFrameBytes >= 1024, "max_frame_bytes must be at least 1024")
        try require(helloTimeoutSeconds >= 1, "hello_timeout_seconds must be at least 1")
        try require(pingSeconds >= 1 && idleHangupSeconds > pingSeconds, "idle_hangup_seconds must exceed ping_seconds")
        try require(sendQueueMessages >= 1 && sendQueueBytes >= 1024, "send queue limits are too small")
        try require(sendRatePerSecond >= 0 && sendBurst >= 1, "send_rate_per_second must be 0 or more and send_burst at least 1")
        if let problem = requestLimits.problem { throw ConfigurationError.invalidValue(problem) }
        try require(writerBatch >= 1, "writer_batch must be at least 1")
        try require(writerQueueLimit >= 1, "writer_queue_limit must be at least 1")
        try require(tokenRecheckSeconds >= 1, "token_recheck_seconds must be at least 1")
        try require((1...300).contains(attendanceHeartbeatSeconds), "attendance_heartbeat_seconds must be 1 to 300")
        try require((5...3600).contains(alertEscalationSeconds), "alert_escalation_seconds must be 5 to 3600")
        try require(!crisisResources.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                    "crisis_resources cannot be empty: participants in crisis must be told where to get help")
        try require(retentionDays >= 0, "retention_days must be 0 (keep forever) or more")
        try require(ClientSettings.isValidQuickExit(quickExitURL),
                    "quick_exit_url must be an http(s) address or a path on this server such as /recipes.html")
        try require((1...720).contains(idleLogoffMinutes), "idle_logoff_minutes must be 1 to 720")
        try require(maxConnectionsPerAddress >= 0 && maxUnauthenticatedPerAddress >= 0,
                    "max_connections_per_address and max_unauthenticated_per_address must be 0 (no cap) or more")
        try require(!helpLines.isEmpty && helpLines.allSatisfy { !$0.label.isEmpty && !$0.number.isEmpty },
                    "help_lines needs at least one line, each with a label and a number")
        try require((tlsCert == nil) == (tlsKey == nil),
                    "give both tls_cert and tls_key (--tls-cert and --tls-key), or neither")
        if behindProxy {
            try require(!allowedOrigins.isEmpty && allowedOrigins.allSatisfy { $0.lowercased().hasPrefix("https://") },
                        "behind_proxy needs allowed_origins: the https:// address(es) people open in their browsers, "
                        + "e.g. --allowed-origin https://chat.clinic.example")
        }
        if tls == nil && !behindProxy && !Self.isLoopback(host) {
            throw ConfigurationError.plainOnPublicAddress(host)
        }
        if let metricsAddress {
            guard let endpoint = metricsEndpoint else {
                throw ConfigurationError.invalidValue(
                    "metrics_address must be a port (\"9464\", served on 127.0.0.1) or a loopback HOST:PORT "
                    + "(\"127.0.0.1:9464\"), not \"\(metricsAddress)\"")
            }
            try require(Self.isLoopback(endpoint.host),
                        "metrics_address must be on loopback (127.0.0.1 or ::1): metrics are for a collector on this "
                        + "machine, never for the network")
            try require(endpoint.port != port, "metrics_address must use another port than the server's \(port)")
        }
    }

    /// Where metrics are served, when `metrics_address` is set and well formed.
    public var metricsEndpoint: (host: String, port: Int)? {
        guard let metricsAddress else { return nil }
        let text = metricsAddress.trimmingCharacters(in: .whitespaces)
        let host: String, portText: Substring
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            portText = text[text.index(after: colon)...]
        } else {
            host = "127.0.0.1"
            portText = Substring(text)
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (host, port)
    }

    /// The TLS files to serve with, when both are set.
    public var tls: ServerTLS? {
        guard let tlsCert, let tlsKey else { return nil }
        return ServerTLS(certificatePath: tlsCert, privateKeyPath: tlsKey)
    }

    /// `http` or `https`: how browsers reach this server directly.
    public var httpScheme: String { tls == nil ? "http" : "https" }

    /// Whether `host` is a loopback address only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        return lowered == "localhost" || lowered == "::1" || lowered == "[::1]" || lowered.hasPrefix("127.")
    }
}

/// A configuration that cannot be used, and where the problem is.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case invalidFile(String, String)
    case unknownKey(String)
    case badVariable(String, String)
    case invalidEnvironment(String)
    case invalidValue(String)
    /// Plain HTTP on an address other machines can reach: messages would cross the network unencrypted.
    case plainOnPublicAddress(String)

    public var description: String {
        switch self {
        case .unreadable(let file): "Cannot read the configuration file \(file)."
        case .invalidFile(let file, let why): "The configuration file \(file) is not valid: \(why)"
        case .unknownKey(let key): "Unknown configuration key \"\(key)\" (see `hearthd print-default-config`)."
        case .badVariable(let name, let value): "\(name)=\(value) is not a valid value."
        case .invalidEnvironment(let why): "A HEARTH_* variable is not valid: \(why)"
        case .invalidValue(let why): "Invalid configuration: \(why)."
        case .plainOnPublicAddress(let host):
            "Refusing to serve plain HTTP on \(host): messages would cross the network unencrypted. Give a certificate "
                + "with --tls-cert FILE --tls-key FILE (settings tls_cert, tls_key), or, if a TLS-terminating proxy is "
                + "in front, --behind-proxy with --allowed-origin https://… (settings behind_proxy, allowed_origins). "
                + "See \"Deploying safely\" in README.md."
        }
    }
}
