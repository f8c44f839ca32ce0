import Foundation

/// Which allowance a request draws on. Each class has its own rate and burst per person (docs/PROTOCOL.md 12); the
/// raw values are the keys of the `request_limits` setting and are never renamed.
public enum RequestClass: String, CaseIterable, Codable, Sendable {
    /// `send` (set by `send_rate_per_second` and `send_burst`, not by `request_limits`).
    case messages
    /// `checkin`.
    case checkins
    /// `hand`, `pass`.
    case hands
    /// `report`.
    case reports
    /// `moderate`, `admit`, `deny`, `invite`, `alert_ack`, `report_ack`, `note`, `break_glass`.
    case moderation
    /// `history`, `schedule`, `attendance`, `summary`, `notes`, `transcript`, `alerts`.
    case reads
    /// `join`, `leave`.
    case joins
    /// `agree`, a second `hello`, and frames that are not valid requests.
    case other
}

extension ClientCommand {
    /// The allowance this request draws on.
    public var requestClass: RequestClass {
        switch self {
        case .send: .messages
        case .checkin: .checkins
        case .hand, .pass: .hands
        case .report: .reports
        case .moderate, .admit, .deny, .invite, .alertAck, .alertAckMany, .reportAck, .note, .breakGlass: .moderation
        case .history, .schedule, .attendance, .summary, .notes, .transcript, .alerts: .reads
        case .join, .leave: .joins
        case .hello, .agree: .other
        }
    }
}

/// One class's allowance: `rate` requests a second on average, bursts of up to `burst`. A rate of 0 turns it off.
public struct RequestLimit: Codable, Equatable, Sendable {
    public var rate: Double
    public var burst: Int

    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = burst
    }
}

/// The `request_limits` setting: every class but `messages`, each with a generous default that no real person
/// reaches (a counselor moderating a three-hour group included). A JSON object sets only the classes it names:
/// `{"checkins": {"rate": 0.5, "burst": 5}}`.
public struct RequestLimits: Codable, Equatable, Sendable {
    /// The defaults, per class.
    public static let defaults: [RequestClass: RequestLimit] = [
        .checkins: RequestLimit(rate: 0.2, burst: 10),
        .hands: RequestLimit(rate: 1, burst: 30),
        .reports: RequestLimit(rate: 0.2, burst: 10),
        .moderation: RequestLimit(rate: 2, burst: 60),
        .reads: RequestLimit(rate: 5, burst: 100),
        .joins: RequestLimit(rate: 2, burst: 60),
        .other: RequestLimit(rate: 5, burst: 60),
    ]

    /// The classes this setting holds (`messages` has its own settings).
    public static let classes = RequestClass.allCases.filter { $0 != .messages }

    public private(set) var limits: [RequestClass: RequestLimit] = RequestLimits.defaults

    public init() {}

    public subscript(_ requestClass: RequestClass) -> RequestLimit? {
        get { limits[requestClass] }
        set { limits[requestClass] = newValue }
    }

    /// Sets the classes a JSON object names, leaving the others as they are.
    /// - Throws: `RequestLimitsError` for an unknown class or for `messages`.
    public mutating func apply(_ overrides: [String: RequestLimit]) throws(RequestLimitsError) {
        for (key, limit) in overrides {
            guard let requestClass = RequestClass(rawValue: key) else { throw .unknownClass(key) }
            guard requestClass != .messages else { throw .messagesHaveTheirOwnSettings }
            limits[requestClass] = limit
        }
    }

    /// The first problem with a limit, or nil when every class can be used.
    public var problem: String? {
        for requestClass in Self.classes {
            guard let limit = limits[requestClass] else { continue }
            if !(limit.rate >= 0) || !limit.rate.isFinite {
                return "request_limits.\(requestClass.rawValue).rate must be 0 (no limit) or more"
            }
            if limit.burst < 1 { return "request_limits.\(requestClass.rawValue).burst must be at least 1" }
        }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let overrides = try [String: RequestLimit](from: decoder)
        do throws(RequestLimitsError) { try apply(overrides) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var object: [String: RequestLimit] = [:]
        for (requestClass, limit) in limits { object[requestClass.rawValue] = limit }
        try object.encode(to: encoder)
    }
}

/// Why a `request_limits` object cannot be used.
public enum RequestLimitsError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownClass(String)
    case messagesHaveTheirOwnSettings

    public var description: String {
        switch self {
        case .unknownClass(let key):
            "request_limits has no class \"\(key)\" (classes: \(RequestLimits.classes.map(\.rawValue).joined(separator: ", ")))"
        case .messagesHaveTheirOwnSettings:
            "request_limits cannot set messages: use send_rate_per_second and send_burst"
        }
    }
}

/// One person's allowances, a token bucket per request class, shared by all their connections. Pure: time is
/// passed in, never read.
///
/// ```swift
/// var allowance = RequestAllowance()
/// if let wait = allowance.take(.checkins, limit: limits[.checkins], now: now) { /* rate_limited, retry_after: wait */ }
/// ```
public struct RequestAllowance: Equatable, Sendable {
    private struct Bucket: Equatable, Sendable {
        var tokens: Double
        var updated: Date
    }

    private var buckets: [RequestClass: Bucket] = [:]

    public init() {}

    /// Takes one request of a class. Returns nil when it is allowed, else the whole seconds (at least 1) until it
    /// would be. A refused request takes nothing. No limit, or a rate of 0, allows everything.
    public mutating func take(_ requestClass: RequestClass, limit: RequestLimit?, now: Date) -> Int? {
        guard let limit, limit.rate > 0 else { return nil }
        let burst = Double(max(1, limit.burst))
        var bucket = buckets[requestClass] ?? Bucket(tokens: burst, updated: now)
        bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * limit.rate)
        bucket.updated = max(bucket.updated, now)
        defer { buckets[requestClass] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        return max(1, Int(((1 - bucket.tokens) / limit.rate).rounded(.up)))
    }

    /// Whether every bucket has refilled by `now`: then this allowance is the same as a fresh one and can be dropped.
    public func isFull(limits: (RequestClass) -> RequestLimit?, now: Date) -> Bool {
        buckets.allSatisfy { requestClass, bucket in
            guard let limit = limits(requestClass), limit.rate > 0 else { return true }
            let tokens = bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * limit.rate
            return tokens >= Double(max(1, limit.burst))
        }
    }
}
