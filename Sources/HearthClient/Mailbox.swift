import Foundation
import Synchronization

/// Events for one connection, in order, buffered until someone awaits them: one reader at a time. Safe from any
/// thread.
final class Mailbox<Event: Sendable>: Sendable {
    private struct State {
        var events: [Event] = []
        var head = 0
        var waiter: (token: UInt64, continuation: CheckedContinuation<Event?, Never>)?
        var nextToken: UInt64 = 0
    }

    private let state = Mutex(State())

    func push(_ event: Event) {
        let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// The next event, waiting as long as it takes (no timer). One waiter at a time.
    func next() async -> Event {
        await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
            state.withLock { state in
                if state.head < state.events.count {
                    let event = state.events[state.head]
                    state.head += 1
                    if state.head == state.events.count { state.events.removeAll(); state.head = 0 }
                    continuation.resume(returning: event)
                    return
                }
                state.nextToken += 1
                state.waiter = (state.nextToken, continuation)
            }
        }!
    }

    /// The next event, or nil after `timeout`. One waiter at a time.
    func next(timeout: Duration) async -> Event? {
        await withCheckedContinuation { continuation in
            let token = state.withLock { state -> UInt64? in
                if state.head < state.events.count {
                    let event = state.events[state.head]
                    state.head += 1
                    if state.head == state.events.count { state.events.removeAll(); state.head = 0 }
                    continuation.resume(returning: event)
                    return nil
                }
                state.nextToken += 1
                state.waiter = (state.nextToken, continuation)
                return state.nextToken
            }
            guard let token else { return }
            Task {
                try? await Task.sleep(for: timeout)
                let expired = self.state.withLock { state -> CheckedContinuation<Event?, Never>? in
                    guard let waiter = state.waiter, waiter.token == token else { return nil }
                    state.waiter = nil
                    return waiter.continuation
                }
                expired?.resume(returning: nil)
            }
        }
    }
}
