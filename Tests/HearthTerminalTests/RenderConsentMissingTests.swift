import Foundation
import HearthClient
import HearthClientFixtures
import HearthCore
import Testing
@testable import HearthTerminal

/// Staff see, under the people present, who on a multi-family room's roster lacks the multi-family group consent.
struct RenderConsentMissingTests {
    typealias F = Fixture

    @Test func theMembersPaneListsWhoLacksTheMultiFamilyConsent() {
        var state = F.signedIn()
        F.enter(&state, seq: 0, messages: [], members: [F.dana])
        _ = state.apply(.focused(room: F.group), now: F.now)
        F.feed(&state, .roomState(.init(room: F.group, paused: false,
                                        consentMissing: [MissingConsent(member: F.sam, consent: .multiFamily)])))
        let pane = RenderMembersPaneTests.pane(F.render(state, F.view(), width: 120, height: 30))
        #expect(Array(pane.prefix(4)) == ["│Present 1", "│ Dana M. [counselor]", "│No consent 1 — can't join",
                                          "│ Sam T. multi-family"])
    }

    @Test func aConsentThisBuildDoesNotKnowIsShownByItsWireName() {
        var state = F.signedIn()
        F.enter(&state, seq: 0, messages: [], members: [F.dana])
        _ = state.apply(.focused(room: F.group), now: F.now)
        F.feed(&state, .roomState(.init(room: F.group, paused: false,
                                        consentMissing: [MissingConsent(member: F.sam, consent: .unknown("telehealth"))])))
        let pane = RenderMembersPaneTests.pane(F.render(state, F.view(), width: 120, height: 30))
        #expect(Array(pane.prefix(4)) == ["│Present 1", "│ Dana M. [counselor]", "│No consent 1 — can't join",
                                          "│ Sam T. telehealth"])
    }
}
