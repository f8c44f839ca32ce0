import HearthClient
import HearthClientFixtures
import HearthCore

/// The client states the terminal tests start from, over the shared fixtures: Dana (a counselor) signed in, and in a
/// room.
extension Fixture {
    /// The rooms the rendering tests list: the group, the family session, this morning's (ended) and tomorrow's.
    static let roomsWithMorning = [groupRoom, familyRoom, morningRoom, tomorrowRoom]
    /// The rooms the input tests list: the group, the family session, the group skills (two titles start "Group")
    /// and tomorrow's.
    static let roomsWithSkills = [groupRoom, familyRoom, skillsRoom, tomorrowRoom]

    /// Connected and welcomed as `user` (Dana), `rooms` listed; in none yet.
    static func signedIn(as user: MemberInfo = dana, limit: Int = 5000,
                         rooms: [RoomSummary] = roomsWithMorning) -> ClientState {
        var state = ClientState(messageLimit: limit)
        state.signIn(as: user, rooms: rooms)
        return state
    }

    /// Joins `room` as a counselor and answers with a snapshot of `seq` (by default the last of `messages`).
    static func enter(_ state: inout ClientState, _ room: RoomID = group, seq: Int64? = nil,
                      messages: [ChatMessage] = [], more: Bool = false, members: [MemberInfo] = [alex, dana, sam],
                      waiting: [MemberInfo] = [], hands: [MemberInfo] = [], pinned: [ChatMessage] = [],
                      controls: ServerFrame.Controls = .init()) {
        state.enter(room, seq: seq ?? messages.last?.seq ?? 0, messages: messages, more: more, members: members,
                    waiting: waiting, hands: hands, pinned: pinned, controls: controls)
    }
}
