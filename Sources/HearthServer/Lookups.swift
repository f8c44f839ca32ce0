import Foundation
import HearthCore
import HearthStore
import Synchronization

/// Where the hub's store reads run, so the service thread never waits on the database: serial queues
/// (`hearth.lookups.N`, one per two cores, at most four: the service thread needs a core of its own), taken in turn. Each read opens its own read transaction on the pool
/// (WAL: a reader never waits for the writer, nor for another reader), and `done` gets the result on the queue that
/// ran it; the hub hops back to its thread with `transport.execute`.
///
/// Lookups on different queues may finish in another order than they were asked. What depends on order is kept
/// elsewhere: a connection has at most one lookup in flight (its later frames wait), the access-version read and the
/// re-check run one at a time, and a room's descriptor is taken only when read at an access version at least as new
/// as the one it has (`Hub.refresh`). Bounded by its callers: at most one request per connection waits here at a
/// time, plus one access-version read and one re-check.
final class Lookups: Sendable {
    private let queues: [DispatchQueue]
    private let state = Mutex(State())

    private struct State {
        var paused = false
        var held: [@Sendable () -> Void] = []
        var next = 0
        var depth = 0
        var highWater = 0
    }

    /// `queues` serial queues (default: one per two active cores, at least one and at most four). On two cores one
    /// queue keeps up: a sign-in or a join is one read transaction of cached statements (docs/PERFORMANCE.md).
    init(queues count: Int = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount / 2))) {
        queues = (0..<max(1, count)).map { DispatchQueue(label: "hearth.lookups.\($0)") }
    }

    /// Runs `work` on the next queue, then hands its result to `done` (on that queue).
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
            if state.paused { state.held.append(item) } else { dispatch(item, &state) }
        }
    }

    private func dispatch(_ item: @escaping @Sendable () -> Void, _ state: inout State) {
        queues[state.next].async(execute: item)
        state.next = (state.next + 1) % queues.count
    }

    /// Lookups asked for and not finished.
    var depth: Int { state.withLock { $0.depth } }

    /// The most lookups waiting at once since start.
    var highWater: Int { state.withLock { $0.highWater } }

    /// Holds every lookup not yet started (those already running finish): for tests, a store that does not answer.
    func pause() { state.withLock { $0.paused = true } }

    /// Starts the held lookups, in order, and lets new ones run.
    func resume() {
        state.withLock { state in
            state.paused = false
            for item in state.held { dispatch(item, &state) }
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
        try catalog.read { reader in
            guard let descriptor = try reader.descriptor(of: id) else { return nil }
            return try load(reader, descriptor, now: now)
        }
    }

    /// The same in the caller's read transaction.
    func load(_ reader: RoomCatalog.Reader, _ descriptor: RoomDescriptor, now: Date) throws -> RoomLoad {
        let id = descriptor.id
        return RoomLoad(descriptor: descriptor, accessVersion: reader.accessVersion, latestSeq: try reader.latestSeq(of: id),
                        admitted: try reader.admitted(room: id), agreed: try reader.accepted(room: id),
                        control: try reader.control(of: id),
                        restrictions: try reader.restrictions(room: id, series: descriptor.series, now: now))
    }

    /// What a `joined` shows from the store, in the caller's read transaction: the page up to `snapshot` (the latest
    /// page, or the one after `afterSeq`), cut to the page byte budget, the pinned messages, and for staff the open
    /// reports and, in a multi-family room, who lacks a multi-family group consent (nil when that read failed).
    func page(_ reader: RoomCatalog.Reader, _ room: RoomDescriptor, for identity: Identity, afterSeq: Int64?,
              upTo snapshot: Int64, resumePage: Int, joinPage: Int, now: Date) throws -> PageRead {
        let id = room.id
        let person = identity.role.isStaff ? nil : identity.id
        let page = if let afterSeq {
            trimNewest(try reader.messages(in: id, after: afterSeq, upTo: snapshot, limit: resumePage, reader: person))
        } else {
            trimOldest(try reader.messages(in: id, before: snapshot + 1, upTo: snapshot, limit: joinPage, reader: person))
        }
        let pinned = try reader.pinned(in: id, reader: person)
        var reports: [ReportRecord]?
        var missing: [MemberInfo]??
        if identity.role.isStaff {
            reports = try reader.openReports(room: id)
            if room.kind == .multiFamily { missing = .some(try? reader.missingMultiFamilyConsent(in: room, now: now)) }
        }
        return PageRead(snapshot: snapshot, page: page, pinned: pinned, reports: reports, consentMissing: missing)
    }

    /// `page` in a read transaction of its own.
    func page(_ room: RoomDescriptor, for identity: Identity, afterSeq: Int64?, upTo snapshot: Int64, resumePage: Int,
              joinPage: Int, now: Date) throws -> PageRead {
        try catalog.read { reader in
            try page(reader, room, for: identity, afterSeq: afterSeq, upTo: snapshot, resumePage: resumePage,
                     joinPage: joinPage, now: now)
        }
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
    /// The store's access version the descriptor was read at (a live room keeps the newest it was given).
    var accessVersion: Int64
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
