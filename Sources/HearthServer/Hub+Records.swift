import Foundation
import HearthCore
import HearthStore
import HearthTransport

extension Hub {
    /// A room a staff member may read the records of (not necessarily one they are in).
    private func recordsRoom(_ identity: Identity, _ id: RoomID) throws(ProtocolError) -> RoomDescriptor {
        let descriptor = try liveRoom(id).descriptor
        guard AccessRule.mayAccess(identity, descriptor) else { throw .forbidden("You cannot read this session's records.") }
        return descriptor
    }

    /// Stores a counseling note on the occurrence, apart from its messages.
    func note(_ connection: Connection, _ identity: Identity, _ id: RoomID, body: String, ref: String?) {
        do throws(ProtocolError) { _ = try recordsRoom(identity, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        let moderation = self.moderation, author = identity.id, now = clock()
        replyLater(connection.id, ref: ref, missing: "There is no room \(id).", failure: "The server could not save the note. Try again.",
                   { try moderation.addNote(room: id, author: author, body: body, at: now) }, frame: { _ in .ok(.init(ref: ref)) })
    }

    /// The occurrence's counseling notes (the read is audited).
    func notes(_ connection: Connection, _ identity: Identity, _ id: RoomID, ref: String?) {
        do throws(ProtocolError) { _ = try recordsRoom(identity, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        let moderation = self.moderation, reader = identity.id, now = clock()
        replyLater(connection.id, ref: ref, missing: "There is no room \(id).", failure: "The server could not read the notes. Try again.",
                   { try moderation.notes(room: id, reader: reader, at: now) }) { notes in
            .notes(.init(room: id, notes: notes.map {
                ServerFrame.Note(id: $0.id, by: $0.author, body: $0.body, ts: WireTime.timestamp($0.at))
            }, ref: ref))
        }
    }

    /// Exports the room's transcript for a recipient and purpose, recorded in the accounting of disclosures.
    func transcript(_ connection: Connection, _ identity: Identity, _ id: RoomID, recipient: String, purpose: String, json: Bool,
                    ref: String?) {
        do throws(ProtocolError) { _ = try recordsRoom(identity, id) } catch { return reply(connection, .error(.init(error, ref: ref))) }
        let exporter = TranscriptExporter(database), staff = identity.id, now = clock(), window = configuration.window
        logger.notice("transcript export", metadata: ["hearth.room": "\(id)", "hearth.by": "\(staff)"])
        replyLater(connection.id, ref: ref, missing: "There is no room \(id).", failure: "The server could not export the transcript. Try again.",
                   { try exporter.export(room: id, recipient: recipient, purpose: purpose, format: json ? .json : .text,
                                         by: staff, defaultWindow: window, now: now) }) { export in
            .transcript(.init(room: id, format: json ? .json : .txt, disclosure: export.disclosure,
                              withheld: export.withheld, content: export.content, ref: ref))
        }
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
