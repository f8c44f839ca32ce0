import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// A records request (`note`, `notes`, `transcript`, `attendance`, `summary`): the room is live already (read
    /// before, off the service thread), `RecordsDesk` decides, and its work runs on the records queue.
    func records(_ request: RecordsDesk.Request, _ connection: Connection, _ identity: Identity, room id: RoomID?,
                 ref: String?) {
        let now = clock()
        var descriptor: RoomDescriptor?
        if let id {
            do throws(ProtocolError) { descriptor = try liveRoom(id).descriptor } catch {
                return reply(connection, .error(.init(error, ref: ref)))
            }
        }
        let job: RecordsDesk.Job
        switch recordsDesk.decide(request, room: descriptor, by: identity, ref: ref, now: now) {
        case .success(let decided): job = decided
        case .failure(let error): return reply(connection, .error(.init(error, ref: ref)))
        }
        if let entry = job.audit { audit(entry.action, by: identity.id, room: id, target: nil, now: now, detail: entry.detail) }
        if job.logged {
            logger.notice("transcript export", metadata: ["hearth.room": "\(id.map(\.rawValue) ?? "-")", "hearth.by": "\(identity.id)"])
        }
        replyLater(connection.id, ref: ref, missing: job.missing, failure: job.failure, job.work, frame: { $0 })
    }

    /// An admin opens any room read-only in an emergency. Allowed, and loud: a warning in the log, an audit row
    /// (`hearthd audit break-glass` lists them), and a notice to staff in the room. The audit row is stored before
    /// the access is granted and `ok` answered (no unrecorded emergency access); the access lasts for the rest of
    /// that connection, through the access re-checks, and stays read-only.
    func breakGlass(_ connection: Connection, _ identity: Identity, _ id: RoomID, reason: String, ref: String?) {
        guard identity.role == .admin else {
            recordRefusal(identity, "break_glass", room: id)
            return reply(connection, .error(.init(.forbidden("Only an administrator can use break-glass access."), ref: ref)))
        }
        do throws(ProtocolError) { _ = try liveRoom(id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        let log = audit, admin = identity.id, now = clock()
        recordThenReply(connection, ref: ref, "break-glass audit", failure: "The server could not record the break-glass access, so it was not granted. Try again.", {
            try log.append(.breakGlass, actor: admin, room: id, target: nil, detail: "reason: \(reason)", at: now)
        }, stored: { [self] in
            connection.breakGlass.insert(id)
            logger.warning("BREAK-GLASS access to a room", metadata: ["hearth.room": "\(id)", "hearth.by": "\(admin)"])
            if let room = rooms[id] {
                announce(room, .init(room: id, action: .breakGlass, by: identity.member, reason: reason), to: .staffOnly)
            }
        })
    }
}
