import Foundation

/// A staff action on a live room (the `moderate` request's `action` and its fields). docs/PROTOCOL.md §10.
public enum ModerationRequest: Equatable, Sendable {
    /// Until unmuted, or for `minutes`.
    case mute(member: PersonID, minutes: Int?, reason: String?)
    case unmute(member: PersonID)
    /// Out of this occurrence: they cannot rejoin it.
    case remove(member: PersonID, reason: String?)
    /// Out of this occurrence and every later one of its series, until `unban`.
    case ban(member: PersonID, reason: String?)
    case unban(member: PersonID)
    case hide(seq: Int64, reason: String)
    case unhide(seq: Int64)
    case pin(seq: Int64)
    case unpin(seq: Int64)
    /// No new joins: newcomers wait to be admitted.
    case lock
    case unlock
    /// At most one message per `seconds` per participant; 0 turns slow mode off.
    case slow(seconds: Int)
    /// Every participant message waits for a counselor's `release` (on), or goes straight out (off).
    case review(on: Bool)
    /// Shows a held message to the room.
    case release(seq: Int64)
    case lowerHand(member: PersonID)
    /// A check-in round: the talking piece goes through `order`; only the speaker and staff may send.
    case roundStart(order: [PersonID])
    case roundEnd
    /// Ends the session now: members get `ended`, sends are refused.
    case end

    /// The `action` on the wire, in `moderation` frames and in the audit log.
    public var action: ModerationAction {
        switch self {
        case .mute: .mute
        case .unmute: .unmute
        case .remove: .remove
        case .ban: .ban
        case .unban: .unban
        case .hide: .hide
        case .unhide: .unhide
        case .pin: .pin
        case .unpin: .unpin
        case .lock: .lock
        case .unlock: .unlock
        case .slow: .slow
        case .review: .review
        case .release: .release
        case .lowerHand: .lowerHand
        case .roundStart: .roundStart
        case .roundEnd: .roundEnd
        case .end: .end
        }
    }

    /// The member acted on, if any.
    public var member: PersonID? {
        switch self {
        case .mute(let member, _, _), .unmute(let member), .remove(let member, _), .ban(let member, _),
             .unban(let member), .lowerHand(let member): member
        default: nil
        }
    }

    /// The message acted on, if any.
    public var seq: Int64? {
        switch self {
        case .hide(let seq, _), .unhide(let seq), .pin(let seq), .unpin(let seq), .release(let seq): seq
        default: nil
        }
    }

    public var reason: String? {
        switch self {
        case .mute(_, _, let reason), .remove(_, let reason), .ban(_, let reason): reason
        case .hide(_, let reason): reason
        default: nil
        }
    }

    /// Longest reason accepted.
    public static let maxReasonCharacters = 500
    /// Longest round accepted.
    public static let maxRoundMembers = 50

    /// Reads an action from a `moderate` frame's fields.
    static func parse(action: String, member: () throws(ProtocolError) -> PersonID, seq: Int64?, minutes: Int?,
                      seconds: Int?, reason: String?, on: Bool?, order: [String]?) throws(ProtocolError) -> ModerationRequest {
        if let reason, reason.count > maxReasonCharacters {
            throw .badRequest("\"reason\" can be at most \(maxReasonCharacters) characters.")
        }
        func message() throws(ProtocolError) -> Int64 {
            guard let seq else { throw .badRequest("\"\(action)\" needs the field \"seq\".") }
            guard seq >= 1 else { throw .badRequest("\"seq\" must be 1 or more.") }
            return seq
        }
        switch ModerationAction(rawValue: action) {
        case .mute:
            if let minutes, !(1...1440).contains(minutes) { throw .badRequest("\"minutes\" must be 1 to 1440.") }
            return .mute(member: try member(), minutes: minutes, reason: reason)
        case .unmute: return .unmute(member: try member())
        case .remove: return .remove(member: try member(), reason: reason)
        case .ban: return .ban(member: try member(), reason: reason)
        case .unban: return .unban(member: try member())
        case .hide:
            guard let reason, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .badRequest("\"hide\" needs a \"reason\" (staff see it; it is kept in the record).")
            }
            return .hide(seq: try message(), reason: reason)
        case .unhide: return .unhide(seq: try message())
        case .pin: return .pin(seq: try message())
        case .unpin: return .unpin(seq: try message())
        case .lock: return .lock
        case .unlock: return .unlock
        case .slow:
            guard let seconds, (0...3600).contains(seconds) else {
                throw .badRequest("\"slow\" needs \"seconds\" from 0 (off) to 3600.")
            }
            return .slow(seconds: seconds)
        case .review:
            guard let on else { throw .badRequest("\"review\" needs \"on\": true or false.") }
            return .review(on: on)
        case .release: return .release(seq: try message())
        case .lowerHand: return .lowerHand(member: try member())
        case .roundStart:
            guard let order, !order.isEmpty, order.count <= maxRoundMembers else {
                throw .badRequest("\"round_start\" needs \"order\": 1 to \(maxRoundMembers) member ids.")
            }
            guard order.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 64 }) else {
                throw .badRequest("\"order\" holds something that is not a person id.")
            }
            guard Set(order).count == order.count else { throw .badRequest("\"order\" names someone twice.") }
            return .roundStart(order: order.map { PersonID($0) })
        case .roundEnd: return .roundEnd
        case .end: return .end
        case .pass, .breakGlass, .unknown:
            throw .badRequest("Unknown moderation action \"\(action.prefix(40))\".")
        }
    }

    /// The wire fields of this action (for client libraries).
    var fields: (action: String, member: PersonID?, seq: Int64?, minutes: Int?, seconds: Int?, reason: String?,
                 on: Bool?, order: [String]?) {
        var minutes: Int?, seconds: Int?, on: Bool?, order: [String]?
        switch self {
        case .mute(_, let value, _): minutes = value
        case .slow(let value): seconds = value
        case .review(let value): on = value
        case .roundStart(let value): order = value.map(\.rawValue)
        default: break
        }
        return (action.rawValue, member, seq, minutes, seconds, reason, on, order)
    }
}

/// Whom a `send` is for, besides the whole room.
public enum Recipient: Equatable, Sendable {
    /// Only staff (and the sender) see it: asking the counselor privately.
    case staff
    /// A whisper (staff only): only this member and staff see it.
    case member(PersonID)

    init(wire: String) { self = wire == "staff" ? .staff : .member(PersonID(wire)) }

    var wire: String {
        switch self {
        case .staff: "staff"
        case .member(let id): id.rawValue
        }
    }
}
