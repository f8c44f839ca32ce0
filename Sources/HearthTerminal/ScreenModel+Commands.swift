import Foundation
import HearthClient
import HearthCore

// What each command does: an event for the state, a request of the model's own, or a change of the view.
extension ScreenModel {
    mutating func run(_ command: SlashCommand, line: String, state: ClientState,
                      now: Date) throws(CommandError) -> [ScreenAction] {
        let room = view.currentRoom
        func title(_ id: RoomID) -> String { state.rooms[id]?.summary.title ?? id.rawValue }
        func moderate(_ action: ModerationRequest, done: String) -> [ScreenAction] {
            guard let room else { return [] }
            return [request(.moderate(room: room, action: action), .action(done: done), line: line)]
        }
        func send(_ body: String, to: Recipient? = nil, announce: Bool = false) throws(CommandError) -> [ScreenAction] {
            guard let room else { throw .noRoomInFront(command: nil) }
            // The client never joins by itself: writing to a room not joined would wait forever.
            guard state.roomStates[room]?.membership.wantsIn == true else { throw .notJoined(room: title(room)) }
            return [.apply(.queuedSend(room: room, body: body, clientID: newClientID(), to: to, announce: announce))]
        }
        func seconds(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s")" }

        switch command {
        case .message(let text):
            return try send(text)
        case .announce(let text):
            return try send(text, announce: true)
        case .whisper(let member, let text):
            return try send(text, to: .member(member.id))
        case .join(let id):
            var actions: [ScreenAction] = []
            if state.roomStates[id]?.membership.wantsIn == true {
                view.status = .init(.info, "Already in \(title(id)).")
            } else {
                actions.append(.apply(.join(room: id)))
                view.status = .init(.info, "Joining \(title(id))…")
            }
            return actions + show(id)
        case .leave:
            guard let room else { return [] }
            guard state.roomStates[room]?.membership.wantsIn == true else {
                view.status = .init(.info, "You are not in \(title(room)).")
                return []
            }
            view.status = .init(.info, "Left \(title(room)).")
            return [.apply(.leave(room: room))]
        case .go(let id):
            view.status = nil
            return show(id)
        case .admit(let member?):
            guard let room else { return [] }
            return [request(.admit(room: room, member: member.id), .action(done: sentence("Admitted \(member.label)")), line: line)]
        case .admit(nil):
            guard let room else { return [] }
            return [request(.admit(room: room, member: nil), .action(done: "Admitted everyone waiting."), line: line)]
        case .deny(let member, let message):
            guard let room else { return [] }
            return [request(.deny(room: room, member: member.id, message: message),
                            .action(done: "Turned \(member.label) away."), line: line)]
        case .mute(let member, let minutes):
            return moderate(.mute(member: member.id, minutes: minutes, reason: nil),
                            done: minutes.map { "Muted \(member.label) for \(seconds($0, "minute"))." } ?? sentence("Muted \(member.label)"))
        case .unmute(let member):
            return moderate(.unmute(member: member.id), done: sentence("Unmuted \(member.label)"))
        case .remove(let member):
            return moderate(.remove(member: member.id, reason: nil), done: "Removed \(member.label) from this session.")
        case .ban(let member):
            return moderate(.ban(member: member.id, reason: nil), done: "Banned \(member.label) from this series.")
        case .unban(let member):
            return moderate(.unban(member: member.id), done: sentence("Lifted the ban on \(member.label)"))
        case .hide(let seq, let reason):
            return moderate(.hide(seq: seq, reason: reason), done: "Hid message \(seq).")
        case .unhide(let seq):
            return moderate(.unhide(seq: seq), done: "Message \(seq) is shown again.")
        case .pin(let seq):
            return moderate(.pin(seq: seq), done: "Pinned message \(seq).")
        case .unpin(let seq):
            return moderate(.unpin(seq: seq), done: "Unpinned message \(seq).")
        case .lock:
            return moderate(.lock, done: "Locked: newcomers wait to be admitted.")
        case .unlock:
            return moderate(.unlock, done: "Unlocked.")
        case .slow(let value):
            return moderate(.slow(seconds: value),
                            done: value == 0 ? "Slow mode is off." : "Slow mode: one message per \(seconds(value, "second")).")
        case .review(let on):
            return moderate(.review(on: on), done: on ? "Review mode is on: participant messages wait for /release."
                                                      : "Review mode is off.")
        case .release(let seq):
            return moderate(.release(seq: seq), done: "Released message \(seq).")
        case .roundStart(let order):
            return moderate(.roundStart(order: order.map(\.id)),
                            done: sentence("Round started: " + order.map(\.label).joined(separator: ", ")))
        case .roundNext:
            guard let room else { return [] }
            return [request(.pass(room: room), .action(done: "Passed the talking piece on."), line: line)]
        case .roundEnd:
            return moderate(.roundEnd, done: "Round ended.")
        case .lower(let member):
            return moderate(.lowerHand(member: member.id), done: "Lowered \(member.label)'s hand.")
        case .end:
            return moderate(.end, done: "Session ended.")
        case .hands:
            guard let room else { return [] }
            let hands = state.hands(in: room)
            if hands.isEmpty {
                view.status = .init(.info, "No hands raised.")
            } else {
                view.overlay = .init(title: "Hands: \(title(room))",
                                     lines: hands.enumerated().map { "\($0.offset + 1). \($0.element.name)" }
                                         + ["", "/lower NAME takes a hand down."])
            }
            return []
        case .reports:
            let reports = state.openReports()
            if reports.isEmpty {
                view.status = .init(.info, "No open reports.")
            } else {
                view.overlay = .init(title: "Open reports", lines: reports.map { report in
                    "#\(report.id) \(title(report.room)), message \(report.seq), by \(report.by.name): \(report.reason)"
                } + ["", "/resolve ID [outcome] resolves one."])
            }
            return []
        case .invite(let member):
            guard let room else { return [] }
            return [request(.invite(room: room, member: member.id), .invitation, line: line)]
        case .resolve(let report, let outcome):
            return [request(.reportAck(report: report, outcome: outcome), .action(done: "Resolved report \(report)."),
                            line: line)]
        case .schedule(let days):
            let to = days.map { now.addingTimeInterval(Double($0) * 86_400) }
            return [request(.schedule(from: days == nil ? nil : now, to: to), .schedule, line: line)]
        case .attendance(let week):
            return [request(.attendance(room: nil, week: week), .attendance, line: line)]
        case .summary:
            guard let room else { return [] }
            return [request(.summary(room: room), .summary, line: line)]
        case .note(let text):
            guard let room else { return [] }
            return [request(.note(room: room, body: text), .action(done: "Note saved."), line: line)]
        case .notes:
            guard let room else { return [] }
            return [request(.notes(room: room), .notes, line: line)]
        case .ack(let id, let outcome):
            // Without an id: the oldest open alert, the first the banner shows.
            guard let alert = id.flatMap({ state.alerts[$0] }) ?? (id == nil ? state.openAlerts.first : nil) else {
                guard let id else { throw .noOpenAlert }
                return [request(.alertAck(alert: id, outcome: outcome), .action(done: "Acknowledged alert \(id)."),
                                line: line)]
            }
            return [request(.alertAck(alert: alert.id, outcome: outcome),
                            .action(done: "Acknowledged alert \(alert.id) (\(alert.member.name), \(alert.category))."),
                            line: line)]
        case .ackAll(let outcome):
            // Every open alert this client holds (the banner's, and the `alerts` list's after `welcome`), in
            // requests of at most 100 ids.
            let open = state.openAlerts.map(\.id)
            guard !open.isEmpty else { throw .noOpenAlert }
            return stride(from: 0, to: open.count, by: ClientRequest.maxBulkAlerts).map { start in
                let ids = Array(open[start..<min(start + ClientRequest.maxBulkAlerts, open.count)])
                let done = ids.count == 1 ? "Acknowledged alert \(ids[0])." : "Acknowledged \(ids.count) alerts."
                return request(.alertAckMany(alerts: ids, outcome: outcome), .action(done: done), line: line)
            }
        case .breakGlass(let id, let reason):
            return [request(.breakGlass(room: id, reason: reason),
                            .action(done: "Break-glass access to \(title(id)) recorded: /join it to read."), line: line)]
        case .help(let name?):
            view.status = .init(.info, CommandHelp.explanation(name))
            return []
        case .help(nil):
            view.overlay = .init(title: "Commands", lines: CommandHelp.overview)
            return []
        case .quit:
            return [.quit]
        }
    }
}

/// A status line ending in one full stop, also when it ends with a name that has one ("Admitted Tom T.").
func sentence(_ text: String) -> String { text.hasSuffix(".") ? text : text + "." }
