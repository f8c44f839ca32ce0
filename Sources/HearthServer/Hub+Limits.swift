import Foundation
import HearthCore
import HearthTransport

// Request limits: every request of a signed-in person draws on their allowance for its class
// (docs/PROTOCOL.md 3 and 12), and refused requests are audited once per person, request and minute.
extension Hub {
    /// Takes one request of a class from the person's allowance. Past it, the request gets `rate_limited` with
    /// `retry_after` and nothing else happens (no store write, no audit row): returns false.
    func withinAllowance(_ requestClass: RequestClass, _ identity: Identity, _ connection: Connection, ref: String?) -> Bool {
        guard let wait = limiter.take(requestClass, person: identity.id,
                                      limit: configuration.requestLimit(requestClass), now: clock()) else { return true }
        transport.noteAbuse(.rateLimited, on: connection.id)
        reply(connection, .error(.init(.init(.rateLimited, Self.tooFast(requestClass, wait: wait), retryAfter: wait), ref: ref)))
        return false
    }

    /// The words of a `rate_limited` error.
    static func tooFast(_ requestClass: RequestClass, wait: Int) -> String {
        let what = switch requestClass {
        case .messages: "You are sending too fast."
        case .checkins: "Too many check-ins at once."
        case .hands: "Too many hand raises and passes at once."
        case .reports: "Too many reports at once."
        case .moderation: "Too many staff actions at once."
        case .reads: "Too many requests for records at once."
        case .joins: "Too many joins and leaves at once."
        case .other: "Too many requests at once."
        }
        return "\(what) Wait \(wait) s."
    }

    /// Records a request someone's role or state does not allow (never its content): the first of a minute at once,
    /// the rest of that minute as one row with their count when the minute closes.
    func recordRefusal(_ identity: Identity, _ what: String, room: RoomID?) {
        writeRefusals(limiter.refusals.refused(person: identity.id, what: what, room: room, now: clock()))
    }

    /// Once a second: writes the refusal counts of the minutes that closed, and forgets refilled allowances.
    func requestLimitsTick(now: Date) {
        writeRefusals(limiter.refusals.close(now: now))
        limiter.prune(limits: configuration.requestLimit, now: now)
    }

    /// Audits the counts of every minute still open (the server stops; the loop no longer runs).
    func closeRefusalMinutes() {
        writeRefusals(limiter.refusals.closeAll())
    }

    private func writeRefusals(_ rows: [RefusalTally.Row]) {
        for row in rows {
            logger.notice("request refused", metadata: [
                "hearth.person": "\(row.person)", "hearth.request": "\(row.what)", "hearth.count": "\(row.repeats ?? 1)",
            ])
            audit(.refused, by: row.person, room: row.room, target: nil, now: row.at, detail: row.detail)
        }
    }
}
