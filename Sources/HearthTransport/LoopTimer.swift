import CLibWebSockets

/// A one-shot libwebsockets timer (`lws_sul`) that runs an action on the service thread. lws hands its callback
/// only the `sul` pointer, so the slot keeps the `sul` first and a reference to the timer after it.
/// Cancel it before the context is destroyed; schedule and cancel only on the service thread.
final class LoopTimer {
    fileprivate struct Slot {
        var sul = lws_sorted_usec_list_t()
        var timer: Unmanaged<LoopTimer>?
    }

    private let slot: UnsafeMutablePointer<Slot>
    private let action: () -> Void

    init(_ action: @escaping () -> Void) {
        precondition(MemoryLayout<Slot>.offset(of: \Slot.sul) == 0)
        self.action = action
        slot = .allocate(capacity: 1)
        slot.initialize(to: Slot())
        slot.pointee.timer = Unmanaged.passUnretained(self)
    }

    deinit { slot.deallocate() }

    /// Runs the action once, `microseconds` from now (0: after the events of the current loop turn).
    func schedule(on context: OpaquePointer, after microseconds: lws_usec_t) {
        lws_sul_schedule(context, 0, &slot.pointee.sul, loopTimerFired, microseconds)
    }

    func cancel() { lws_sul_cancel(&slot.pointee.sul) }

    fileprivate func fire() { action() }
}

private func loopTimerFired(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul else { return }
    UnsafeMutableRawPointer(sul).assumingMemoryBound(to: LoopTimer.Slot.self).pointee.timer?.takeUnretainedValue().fire()
}
