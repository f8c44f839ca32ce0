import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing

/// Staff learn who on a multi-family room's roster lacks the multi-family group consent: from `joined`, then from
/// `room_state` whenever it changes. The wire names are pinned here.
struct ClientStateConsentTests {
    typealias F = Fixture

    static let missing = [MissingConsent(member: F.alex, consent: .multiFamily),
                          MissingConsent(member: F.sam, consent: .multiFamily)]

    @Test func theWireFormatIsConsentMissingWithMemberAndConsent() throws {
        let codec = FrameCodec()
        let frame = ServerFrame.roomState(.init(room: F.family, paused: false, consentMissing: [Self.missing[1]]))
        let text = String(decoding: codec.encode(frame), as: UTF8.self)
        #expect(text == #"{"consent_missing":[{"consent":"multi_family","member":{"id":"p_sam","name":"Sam T.","role":"participant"}}],"paused":false,"room":"r_family","type":"room_state"}"#)
        #expect(try codec.decodeServerFrame(codec.encode(frame)) == frame)
        // Absent unless set: a room_state about pausing is unchanged on the wire.
        let plain = String(decoding: codec.encode(.roomState(.init(room: F.family, paused: true))), as: UTF8.self)
        #expect(plain == #"{"paused":true,"room":"r_family","type":"room_state"}"#)
        let joined = ServerFrame.joined(.init(room: F.family, role: .counselor, open: true, members: [], messages: [],
                                              seq: 0, more: false, consentMissing: Self.missing, ref: "j1"))
        #expect(String(decoding: codec.encode(joined), as: UTF8.self).contains(#""consent_missing":[{"consent":"multi_family""#))
        #expect(try codec.decodeServerFrame(codec.encode(joined)) == joined)
    }

    @Test func staffKeepTheListFromJoinedAndEveryRoomStateThatCarriesIt() {
        var state = ClientState()
        state.signIn()
        let ref = state.on(.join(room: F.family)).requests.first!.ref
        _ = state.feed(.joined(.init(room: F.family, role: .counselor, open: true, members: [F.dana], messages: [],
                                     seq: 0, more: false, waiting: [], consentMissing: Self.missing, ref: ref)))
        #expect(state.consentMissing(in: F.family) == Self.missing)

        _ = state.feed(.roomState(.init(room: F.family, paused: false, consentMissing: [Self.missing[1]])))
        #expect(state.consentMissing(in: F.family) == [Self.missing[1]])
        // A room_state about pausing alone leaves the list as it was.
        _ = state.feed(.roomState(.init(room: F.family, paused: true)))
        #expect(state.consentMissing(in: F.family) == [Self.missing[1]])
        #expect(state.roomStates[F.family]?.paused == true)
        _ = state.feed(.roomState(.init(room: F.family, paused: true, consentMissing: [])))
        #expect(state.consentMissing(in: F.family).isEmpty)
    }
}
