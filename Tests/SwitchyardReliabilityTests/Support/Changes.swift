import Synchronization

/// Wakes whoever waits on a condition when something it depends on may have changed (a pipe delivered output, a
/// process exited, an upstream received a call), so tests wait on events instead of sleeping and polling.
final class Changes: Sendable {
    private struct State {
        var version: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    /// Something changed: every waiter re-checks its condition.
    func signal() {
        let waiters = state.withLock { state in
            state.version &+= 1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once `condition` holds, checking it again after every ``signal()``.
    /// - Throws: ``TestFailure`` when it still does not hold after `timeout` (a deadline, never a pause).
    func wait(_ what: String, timeout: Duration, until condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        let alarm = Task {
            try? await Task.sleep(until: deadline)
            self.signal()
        }
        defer { alarm.cancel() }
        while true {
            let version = state.withLock { $0.version }
            if try condition() { return }
            guard ContinuousClock.now < deadline else {
                throw TestFailure("timed out after \(timeout) waiting for: \(what)")
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let changed = state.withLock { state in
                    if state.version != version { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if changed { continuation.resume() }
            }
        }
    }
}
