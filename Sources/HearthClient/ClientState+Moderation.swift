import Foundation
import HearthCore

// How `moderation` frames (docs/PROTOCOL.md section 10.8) change a room.
extension ClientState {
    mutating func moderated(_ frame: ServerFrame.Moderation, into effects: inout [ClientEffect]) {
        // Taken out of the table while it changes, so its messages are changed in place rather than copied.
        guard var room = roomStates.removeValue(forKey: frame.room) else { return }
        let isStaff = user?.role.isStaff == true
        let aboutMe = frame.target != nil && frame.target?.id == user?.id
        var refetch: Int64?
        switch frame.action {
        case .mute:
            if let target = frame.target {
                room.muted[target.id] = RoomState.Mute(member: target, until: frame.until.flatMap(WireTime.parse))
            }
            if aboutMe { room.controls.muted = true; room.controls.mutedUntil = frame.until }
        case .unmute:
            if let target = frame.target { room.muted.removeValue(forKey: target.id) }
            if aboutMe { room.controls.muted = nil; room.controls.mutedUntil = nil }
        case .remove, .ban:
            if let target = frame.target {
                room.waiting.removeAll { $0.id == target.id }
                room.hands.removeAll { $0.id == target.id }
            }
            if aboutMe {
                room.membership = .left(reason: nil)
                room.isLive = false
            }
        case .hide:
            guard let seq = frame.seq else { break }
            change(seq, in: &room) { message in
                message.hidden = true
                if isStaff { message.hiddenReason = frame.reason } else { message.body = "" }
            }
        case .unhide:
            guard let seq = frame.seq else { break }
            change(seq, in: &room) { message in message.hidden = nil; message.hiddenReason = nil }
            // A participant was sent the hidden message without its text: ask for it again.
            if !isStaff, room.messages.message(seq: seq)?.body.isEmpty ?? true { refetch = seq }
        case .pin:
            guard let seq = frame.seq else { break }
            change(seq, in: &room) { message in message.pinned = true }
            if !room.pinned.contains(where: { $0.seq == seq }) {
                if let message = room.messages.message(seq: seq) {
                    room.pinned.append(message)
                    room.pinned.sort { $0.seq < $1.seq }
                } else {
                    refetch = seq
                }
            }
        case .unpin:
            guard let seq = frame.seq else { break }
            change(seq, in: &room) { message in message.pinned = nil }
            room.pinned.removeAll { $0.seq == seq }
        case .release:
            guard let seq = frame.seq else { break }
            change(seq, in: &room) { message in message.held = nil }
        case .lock, .unlock:
            room.controls.locked = frame.action == .lock
        case .slow:
            room.controls.slowSeconds = frame.seconds ?? 0
        case .review:
            room.controls.review = frame.on ?? false
        case .lowerHand:
            if let target = frame.target { room.hands.removeAll { $0.id == target.id } }
            if aboutMe { room.controls.handRaised = false }
        case .roundStart, .pass:
            room.controls.round = frame.round
        case .roundEnd:
            room.controls.round = nil
        case .unban, .breakGlass, .end, .unknown:
            // `end` comes as `ended`; `unban`, `break_glass` and actions this build does not know (a newer
            // server's, decoded as `unknown`) change nothing the state keeps.
            break
        }
        roomStates[frame.room] = room
        if let refetch { enqueuePage(.refetch(frame.room, seq: refetch), into: &effects) }
    }

    /// Changes a message wherever it is held: in the buffer and among the pinned.
    private func change(_ seq: Int64, in room: inout RoomState, _ update: (inout ChatMessage) -> Void) {
        room.messages.update(seq: seq, update)
        if let index = room.pinned.firstIndex(where: { $0.seq == seq }) { update(&room.pinned[index]) }
    }
}
