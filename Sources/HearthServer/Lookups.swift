import Foundation
import HearthCore
import HearthStore
import Synchronization

/// Where the hub's store reads run, so the service thread never waits on the database: one serial queue
/// (`hearth.lookups`). Each read opens its own read transaction on the pool (WAL: a reader never waits for the
/// writer), and `done` gets the result on this queue; the hub hops back to its thread with `transport.execute`.
///
/// Serial on purpose: lookups finish in the order they were asked, and each sees the store at least as new as the
/// one before, so results (a room's descriptor, a re-check's outcome) reach the hub in order and a later one never
/// undoes an earlier one. Bounded by its callers: at most one request per connection waits here at a time (the
/// connection's later frames wait on the service thread), plus one access-version read and one re-check.
final class Lookups: Sendable {
    private let queue = DispatchQueue(label: "hearth.lookups")
    private let state = Mutex(State())

    private struct State {
        var paused = false
        var held: [@Sendable () -> Void] = []
        var depth = 0
        var highWater = 0
    }

    /// Runs `work` after every lookup asked for before it, then hands its result to `done` (on the lookups queue).
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T,
                          done: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let item: @Sendable () -> Void = { [self] in
            let result = Result { try work() }
            state.withLock { $0.depth -= 1 }
            done(result)
        }
        state.withLock { state in
            state.depth += 1
            state.highWater = max(state.highWater, state.depth)
            if state.paused { state.held.append(item) } else { queue.async(execute: item) }
        }
    }

    /// Lookups asked for and not finished.
    var depth: Int { state.withLock { $0.depth } }

    /// The most lookups waiting at once since start.
    var highWater: Int { state.withLock { $0.highWater } }

    /// Holds every lookup not yet started (one already running finishes): for tests, a store that does not answer.
    func pause() { state.withLock { $0.paused = true } }

    /// Starts the held lookups, in order, and lets new ones run.
    func resume() {
        state.withLock { state in
            state.paused = false
            for item in state.held { queue.async(execute: item) }
            state.held = []
        }
    }
}

/// The store reads the hub makes off its service thread, bundled so a lookup captures one `Sendable` value.
struct StoreReads: Sendable {
    let catalog: RoomCatalog
    let directory: Directory
    let messages: MessageStore
    let records: SessionRecords
    let moderation: ModerationStore
    let multiFamily: MultiFamilyConsentStore
    let limits: MessageLimits

    /// A room's persistent state, to make it live: descriptor, latest seq, admissions, agreements, controls and
    /// restrictions in force. Nil when there is no such room.
    func load(_ id: RoomID, now: Date) throws -> RoomLoad? {
        guard let descriptor = try catalog.read({ try $0.descriptor(of: id) }) else { return nil }
        return try load(descriptor, now: now)
    }

    func load(_ descriptor: RoomDescriptor, now: Date) throws -> RoomLoad {
        let id = descriptor.id
        return RoomLoad(descriptor: descriptor, latestSeq: try messages.latestSeq(of: id),
                        admitted: try records.admitted(room: id), agreed: try records.accepted(room: id),
                        control: try moderation.control(of: id),
                        restrictions: try moderation.restrictions(room: id, series: descriptor.series, now: now))
    }

    /// What a `joined` shows from the store: the page up to `snapshot` (the latest page, or the one after
    /// `afterSeq`), cut to the page byte budget, the pinned messages, and for staff the open reports and, in a
    /// multi-family room, who lacks a multi-family group consent (nil when that read failed).
    func page(_ room: RoomDescriptor, for identity: Identity, afterSeq: Int64?, upTo snapshot: Int64, resumePage: Int,
              joinPage: Int, now: Date) throws -> PageRead {
        let id = room.id
        let reader = identity.role.isStaff ? nil : identity.id
        let page = if let afterSeq {
            trimNewest(try messages.messages(in: id, after: afterSeq, upTo: snapshot, limit: resumePage, reader: reader))
        } else {
            trimOldest(try messages.messages(in: id, before: snapshot + 1, upTo: snapshot, limit: joinPage, reader: reader))
        }
        let pinned = try messages.pinned(in: id, reader: reader)
        var reports: [ReportRecord]?
        var missing: [MemberInfo]??
        if identity.role.isStaff {
            reports = try moderation.openReports(room: id)
            if room.kind == .multiFamily { missing = .some(try? multiFamily.missing(in: room, now: now)) }
        }
        return PageRead(snapshot: snapshot, page: page, pinned: pinned, reports: reports, consentMissing: missing)
    }

    /// A `history` page: the newest `limit` messages below `before` and up to `upTo`, cut to the byte budget.
    func history(_ room: RoomID, for identity: Identity, before: Int64, upTo: Int64, limit: Int) throws -> MessagePage {
        trimOldest(try messages.messages(in: room, before: before, upTo: upTo, limit: limit,
                                         reader: identity.role.isStaff ? nil : identity.id))
    }

    /// Cuts a forward (resume) page to the page byte budget, keeping its oldest messages.
    func trimNewest(_ page: MessagePage) -> MessagePage {
        let fit = limits.pageFit(page.messages.lazy.map(\.body.utf8.count))
        guard fit < page.messages.count else { return page }
        return MessagePage(messages: Array(page.messages.prefix(fit)), more: true)
    }

    /// Cuts a backward (latest or history) page to the page byte budget, keeping its newest messages.
    func trimOldest(_ page: MessagePage) -> MessagePage {
        let fit = limits.pageFit(page.messages.reversed().lazy.map(\.body.utf8.count))
        guard fit < page.messages.count else { return page }
        return MessagePage(messages: Array(page.messages.suffix(fit)), more: true)
    }

    /// Rooms a person may see listed: access, and for a family member a consent covering the series (a failed
    /// read lists nothing).
    static func listable(_ reader: RoomCatalog.Reader, _ identity: Identity, _ room: RoomDescriptor, now: Date) -> Bool {
        guard AccessRule.mayAccess(identity, room) else { return false }
        guard identity.role == .family else { return true }
        return (try? reader.standing(identity, series: room.series, timeZone: room.timeZone, now: now)) == .some(nil)
    }
}

/// A room's persistent state, read off the service thread to make it live.
struct RoomLoad: Sendable {
    var descriptor: RoomDescriptor
    var latestSeq: Int64
    var admitted: Set<PersonID>
    var agreed: Set<PersonID>
    var control: RoomControl
    var restrictions: [Restriction]
}

/// What a `joined` carries from the store, read off the service thread.
struct PageRead: Sendable {
    /// The seq the page was read up to.
    var snapshot: Int64
    var page: MessagePage
    var pinned: [StoredMessage]
    var reports: [ReportRecord]?
    /// Staff in a multi-family room: who lacks the group consent (`.some(nil)`: the read failed).
    var consentMissing: [MemberInfo]??
}
