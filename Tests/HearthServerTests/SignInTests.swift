import Foundation
@testable import HearthServer
import Testing

/// A connection's way to being signed in, without a server: what it may send before `hello` succeeds, and when the
/// hello deadline closes it. The monotonic clock is passed in.
@Suite struct SignInTests {
    static let opened = ContinuousClock.now

    @Test func atMostFourFramesAndEightKiBBeforeHello() {
        var frames = SignIn(openedAt: Self.opened)
        for _ in 0..<SignIn.maxFrames { #expect(frames.received(bytes: 100) == true) }
        #expect(frames.received(bytes: 1) == false)

        var bytes = SignIn(openedAt: Self.opened)
        #expect(bytes.received(bytes: 8 * 1024 - 1) == true)
        #expect(bytes.received(bytes: 1) == true)
        #expect(bytes.received(bytes: 1) == false)
        #expect(SignIn.tooMuch == "Too much before hello: at most 4 frames and 8 KiB.")
    }

    @Test func theDeadlineCountsFromTheOpeningAndSkipsAHelloBeingChecked() {
        var signIn = SignIn(openedAt: Self.opened)
        #expect(!signIn.isOverdue(deadline: Self.opened))
        #expect(signIn.isOverdue(deadline: Self.opened + .milliseconds(1)))
        signIn.checking()
        #expect(signIn.isChecking)
        #expect(!signIn.isOverdue(deadline: Self.opened + .seconds(3600)))
    }

    @Test func aHelloAnsweredInternalMayBeSentAgainAndTheDeadlineCountsFromThen() {
        var signIn = SignIn(openedAt: Self.opened)
        signIn.checking()
        let failed = Self.opened + .seconds(8)
        signIn.failed(at: failed)
        #expect(!signIn.isChecking)
        #expect(!signIn.isOverdue(deadline: Self.opened + .seconds(5)))
        #expect(signIn.isOverdue(deadline: failed + .seconds(1)))
    }

    @Test func aSucceededHelloIsNoLongerBeingChecked() {
        var signIn = SignIn(openedAt: Self.opened)
        signIn.checking()
        signIn.succeeded()
        #expect(!signIn.isChecking)
    }
}
