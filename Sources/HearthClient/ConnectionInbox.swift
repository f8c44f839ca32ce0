import Foundation
import HearthCore
import Synchronization

/// How a request's wait for its reply ended.
enum ReplyOutcome: Sendable {
    case frame(ServerFrame)
    case closed(code: UInt16, reason: String)
    case timedOut
}

/// Where one connection's incoming frames go, decided on the client thread as each arrives: the reply to a request
/// that waits for it (matched by `ref`) to that request, everything else in order to the connection's stream. A
/// reply whose request gave up waiting goes to the stream too, so nothing is dropped. Safe from any thread.
final class ConnectionInbox: Sendable {
    /// The outcome of the WebSocket handshake (read once by `HearthClient.connect`).
    let handshake = Mailbox<HandshakeResult>()
    /// Every frame no request waits for, then `.closed`.
    let stream = Mailbox<HearthConnection.Event>()

    private enum Slot {
        case expected
        case arrived(ServerFrame)
        case waiting(CheckedContinuation<ReplyOutcome, Never>)
    }

    private struct Waiters {
        var slots: [String: Slot] = [:]
        var ended: (code: UInt16, reason: String)?
    }

    private let waiters = Mutex(Waiters())

    func opened() { handshake.push(.opened) }

    func received(_ bytes: [UInt8]) {
        guard let frame = try? FrameCodec().decodeServerFrame(bytes) else {
            stream.push(.unknown(String(decoding: bytes, as: UTF8.self)))
            return
        }
        if let ref = frame.ref, deliverReply(frame, ref: ref) { return }
        stream.push(.frame(frame))
    }

    func ended(code: UInt16, reason: String) {
        handshake.push(.closed(code: code, reason: reason))
        finish(code: code, reason: reason)
    }

    func failed(_ reason: String) {
        handshake.push(.failed(reason))
        finish(code: 1006, reason: reason)
    }

    /// Registers a request's `ref` before it is sent, so a reply that comes back at once is not missed.
    func expect(_ ref: String) {
        waiters.withLock { $0.slots[ref] = .expected }
    }

    /// Waits for the reply to `ref` (registered with `expect`).
    func reply(to ref: String, timeout: Duration) async -> ReplyOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<ReplyOutcome, Never>) in
            let ready = waiters.withLock { waiters -> ReplyOutcome? in
                switch waiters.slots[ref] {
                case .arrived(let frame)?:
                    waiters.slots[ref] = nil
                    return .frame(frame)
                case .expected?:
                    if let ended = waiters.ended {
                        waiters.slots[ref] = nil
                        return .closed(code: ended.code, reason: ended.reason)
                    }
                    waiters.slots[ref] = .waiting(continuation)
                    return nil
                case .waiting?, nil:
                    return .timedOut
                }
            }
            if let ready {
                continuation.resume(returning: ready)
                return
            }
            Task { [self] in
                try? await Task.sleep(for: timeout)
                let expired = waiters.withLock { waiters -> CheckedContinuation<ReplyOutcome, Never>? in
                    guard case .waiting(let continuation)? = waiters.slots[ref] else { return nil }
                    waiters.slots[ref] = nil
                    return continuation
                }
                expired?.resume(returning: .timedOut)
            }
        }
    }

    /// Hands `frame` to the request waiting for `ref`; false when no request expects it.
    private func deliverReply(_ frame: ServerFrame, ref: String) -> Bool {
        let (taken, waiting) = waiters.withLock { waiters -> (Bool, CheckedContinuation<ReplyOutcome, Never>?) in
            switch waiters.slots[ref] {
            case .expected?:
                waiters.slots[ref] = .arrived(frame)
                return (true, nil)
            case .waiting(let continuation)?:
                waiters.slots[ref] = nil
                return (true, continuation)
            case .arrived?, nil:
                return (false, nil)
            }
        }
        waiting?.resume(returning: .frame(frame))
        return taken
    }

    private func finish(code: UInt16, reason: String) {
        let pending = waiters.withLock { waiters -> [CheckedContinuation<ReplyOutcome, Never>] in
            waiters.ended = (code, reason)
            var pending: [CheckedContinuation<ReplyOutcome, Never>] = []
            for (ref, slot) in waiters.slots {
                if case .waiting(let continuation) = slot {
                    pending.append(continuation)
                    waiters.slots[ref] = nil
                }
            }
            return pending
        }
        for continuation in pending { continuation.resume(returning: .closed(code: code, reason: reason)) }
        stream.push(.closed(code: code, reason: reason))
    }
}
