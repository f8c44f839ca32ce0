import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
@testable import HearthTerminal

/// The input-side tests' states and helpers (keys, commands, completion, the screen model), over the shared fixtures.
/// Monday 2026-11-23 in Los Angeles: the evening group runs 18:00 to 21:00; "now" is 18:04.
extension Fixture {
    /// A counselor in the group room with Alex, Sam, Sara and Dana present, Tom waiting, Sam's hand up; the group,
    /// family, skills and tomorrow's rooms listed.
    static func inGroup() -> ClientState {
        var state = signedIn(rooms: roomsWithSkills)
        enter(&state, messages: (1...3).map { message($0) }, members: [alex, dana, sam, sara], waiting: [tom],
              hands: [sam])
        return state
    }

    static func parser(_ state: ClientState, room: RoomID? = group, arrivals: [PersonID] = []) -> CommandParser {
        CommandParser(state: state, currentRoom: room, now: now, arrivalOrder: arrivals)
    }

    /// The error a line gives, or nil when it parses.
    static func error(_ line: String, _ state: ClientState, room: RoomID? = group) -> CommandError? {
        do {
            _ = try parser(state, room: room).parse(line)
            return nil
        } catch {
            return error
        }
    }

    static func model(room: RoomID? = group) -> ScreenModel {
        ScreenModel(clientIDPrefix: "t", view: ViewState(currentRoom: room), webAddress: "http://127.0.0.1:8080/")
    }

    /// Types each character of `text`, then the keys.
    static func type(_ text: String, then keys: [Key] = [], into model: inout ScreenModel,
                     state: ClientState) -> [ScreenAction] {
        var actions: [ScreenAction] = []
        for character in text { actions += model.handle(.character(character), state: state, now: now) }
        for key in keys { actions += model.handle(key, state: state, now: now) }
        return actions
    }
}
