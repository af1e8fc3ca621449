import Synchronization

/// The bounded waiting room for requests that found no provider available.
///
/// A waiter sleeps until its wake-up time (when a breaker reopens or a limit refills), or until ``signal()`` says
/// something changed (a call ended, a provider came back), whichever is first, then looks again. At most
/// ``QueueConfiguration/maxLength`` requests wait at once; one more is refused.
final class WaitQueue: Sendable {
    private struct State {
        var waiting = 0
        var nextID = 0
        var continuations: [Int: CheckedContinuation<Void, Never>] = [:]
        var generation: UInt64 = 0
    }

    let maxLength: Int
    private let state = Mutex(State())

    init(maxLength: Int) {
        self.maxLength = maxLength
    }

    /// Requests waiting now.
    var length: Int { state.withLock { $0.waiting } }

    /// Takes a place, or returns `nil` when the queue is full. The returned length includes the caller.
    func enter() -> Int? {
        state.withLock { state in
            guard state.waiting < maxLength else { return nil }
            state.waiting += 1
            return state.waiting
        }
    }

    /// Gives the place back.
    func leave() {
        state.withLock { $0.waiting = max($0.waiting - 1, 0) }
    }

    /// The current generation; pass it to ``wait(afterGeneration:)`` so a signal between looking and waiting is
    /// not missed.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter. Cheap when nobody waits.
    func signal() {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard state.waiting > 0 || !state.continuations.isEmpty else { return [] }
            state.generation &+= 1
            defer { state.continuations.removeAll() }
            return Array(state.continuations.values)
        }
        woken.forEach { $0.resume() }
    }

    /// Suspends until a signal newer than `generation`, or cancellation.
    func wait(afterGeneration generation: UInt64) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.generation != generation || Task.isCancelled { return true }
                    state.continuations[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { $0.continuations.removeValue(forKey: id) }
            continuation?.resume()
        }
    }

    /// Waits until `deadline` on `clock` or a signal, whichever comes first.
    func wait<C: Clock>(until deadline: C.Instant, clock: C, afterGeneration generation: UInt64) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: deadline, tolerance: nil) }
            group.addTask { await self.wait(afterGeneration: generation) }
            await group.next()
            group.cancelAll()
        }
    }
}
