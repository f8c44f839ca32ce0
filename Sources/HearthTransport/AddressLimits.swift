/// Why a connection from an address was closed or refused, as counted for the abuse log. `rawValue` appears in
/// log lines (`hearth.abuse.reason`).
public enum AbuseReason: String, CaseIterable, Sendable {
    /// No successful `hello` in time.
    case helloDeadline = "hello_deadline"
    /// Too many frames or bytes, a binary frame, or a malformed frame before `hello`.
    case preHello = "pre_hello"
    /// A request refused with `rate_limited` (counted, the connection stays).
    case rateLimited = "rate_limited"
    /// The unsent backlog stayed over the limits (close 1008).
    case slowConsumer = "slow_consumer"
    /// An upgrade refused: the address has `max_connections_per_address` connections open.
    case connectionCap = "connection_cap"
    /// An upgrade refused: the address has `max_unauthenticated_per_address` connections not yet signed in.
    case unauthenticatedCap = "unauthenticated_cap"
    /// A `hello` refused for its token: unknown, revoked, expired or an invitation already used (close 4001).
    case failedSignIn = "failed_sign_in"
}

/// Per-address connection limits. A value of 0 turns a cap off.
public struct AddressCaps: Sendable, Equatable {
    public var maxConnections: Int
    public var maxUnauthenticated: Int
    /// Loopback (127.0.0.0/8, ::1) is never capped: benchmarks and a local reverse proxy connect from there.
    public var exemptLoopback: Bool

    public init(maxConnections: Int = 0, maxUnauthenticated: Int = 0, exemptLoopback: Bool = true) {
        self.maxConnections = maxConnections
        self.maxUnauthenticated = maxUnauthenticated
        self.exemptLoopback = exemptLoopback
    }

    /// True for an IPv4 loopback address or `::1` (also in its IPv4-mapped form).
    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}

/// How many WebSocket connections each address has open, and how many of them have not signed in. Addresses are
/// kept only as these counts, in memory, and forgotten when their last connection closes. Service thread only.
struct AddressTable {
    private struct Counts { var open = 0, unauthenticated = 0 }
    private var counts: [String: Counts] = [:]
    let caps: AddressCaps

    init(caps: AddressCaps) { self.caps = caps }

    /// Why a new connection from `address` must be refused, or nil to let it in.
    func refusal(for address: String) -> AbuseReason? {
        if caps.exemptLoopback && AddressCaps.isLoopback(address) { return nil }
        let current = counts[address] ?? Counts()
        if caps.maxConnections > 0 && current.open >= caps.maxConnections { return .connectionCap }
        if caps.maxUnauthenticated > 0 && current.unauthenticated >= caps.maxUnauthenticated { return .unauthenticatedCap }
        return nil
    }

    mutating func opened(_ address: String) {
        counts[address, default: Counts()].open += 1
        counts[address, default: Counts()].unauthenticated += 1
    }

    mutating func authenticated(_ address: String) {
        counts[address]?.unauthenticated -= 1
    }

    mutating func closed(_ address: String, authenticated: Bool) {
        guard var current = counts[address] else { return }
        current.open -= 1
        if !authenticated { current.unauthenticated -= 1 }
        counts[address] = current.open > 0 ? current : nil
    }

    func open(_ address: String) -> Int { counts[address]?.open ?? 0 }
}

/// Closes and refusals counted per reason and address, reported at most once a minute per reason so that an
/// attack is visible without a log line per frame. Service thread only.
struct AbuseTally {
    /// One report: a reason and how many times each address hit it since the last report of that reason.
    struct Report: Equatable {
        var reason: AbuseReason
        var counts: [String: Int]
        var total: Int { counts.values.reduce(0, +) }
    }

    private var pending: [AbuseReason: [String: Int]] = [:]
    private var lastReported: [AbuseReason: ContinuousClock.Instant] = [:]
    let interval: Duration

    init(interval: Duration = .seconds(60)) { self.interval = interval }

    mutating func note(_ reason: AbuseReason, address: String) {
        pending[reason, default: [:]][address, default: 0] += 1
    }

    /// The reports due at `now`: every reason with counts that was not reported within the interval.
    mutating func due(at now: ContinuousClock.Instant) -> [Report] {
        var reports: [Report] = []
        for reason in AbuseReason.allCases {
            guard let counts = pending[reason], !counts.isEmpty else { continue }
            if let last = lastReported[reason], now - last < interval { continue }
            reports.append(Report(reason: reason, counts: counts))
            pending[reason] = nil
            lastReported[reason] = now
        }
        return reports
    }
}
