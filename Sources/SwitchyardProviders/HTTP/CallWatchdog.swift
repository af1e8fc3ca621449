import SwitchyardCore
import Synchronization

/// Enforces one provider call's time-outs: first byte, idle between body pieces, and the overall deadline.
///
/// The watchdog holds the current deadline; ``guarding(_:)`` runs a piece of work next to a timer child task and
/// cancels the work with a ``ProviderError/Code/timeout`` when the deadline passes first. Re-arming (on every body
/// piece) only moves the deadline; the timer notices when it wakes. No background task outlives a call.
final class CallWatchdog: Sendable {
    /// What the call is waiting for, which also names the time-out in its error.
    enum Phase: Sendable {
        case responseHead(Duration)
        case bodyIdle(Duration)
    }

    private struct State {
        var deadline: ContinuousClock.Instant
        var phase: Phase
    }

    private let providerName: String
    private let budget: Duration
    private let overallDeadline: ContinuousClock.Instant
    private let state: Mutex<State>

    /// - Parameters:
    ///   - providerName: for messages.
    ///   - budget: the time the whole call may take, from now.
    ///   - headTimeout: the time the response head may take, from now.
    init(providerName: String, budget: Duration, headTimeout: Duration) {
        let now = ContinuousClock.now
        self.providerName = providerName
        self.budget = budget
        self.overallDeadline = now.advanced(by: budget)
        let phase = Phase.responseHead(headTimeout)
        self.state = Mutex(State(deadline: min(now.advanced(by: headTimeout), overallDeadline), phase: phase))
    }

    /// The overall deadline, for the HTTP client's own back-stop.
    var deadline: ContinuousClock.Instant { overallDeadline }

    /// Starts waiting for the next body piece: the call now fails after `idle` of silence.
    func bodyProgressed(idle: Duration) {
        let deadline = min(ContinuousClock.now.advanced(by: idle), overallDeadline)
        state.withLock { $0 = State(deadline: deadline, phase: .bodyIdle(idle)) }
    }

    /// Runs `work`, failing with a time-out error (and cancelling `work`) when the current deadline passes first.
    func guarding<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
                group.addTask { .value(try await work()) }
                group.addTask { try await self.expire() }
                defer { group.cancelAll() }
                guard case .value(let value)? = try await group.next() else {
                    throw ProviderError(.cancelled, "\(providerName): the call was cancelled")
                }
                return value
            }
        } catch is CancellationError {
            throw ProviderError(.cancelled, "\(providerName): the call was cancelled")
        }
    }

    private enum Outcome<T: Sendable>: Sendable {
        case value(T)
    }

    /// Sleeps until the current deadline and throws its time-out; returns early only when cancelled.
    private func expire<T>() async throws -> Outcome<T> {
        while true {
            let current = state.withLock { $0 }
            try await Task.sleep(until: current.deadline, clock: .continuous)
            let now = ContinuousClock.now
            let latest = state.withLock { $0 }
            guard latest.deadline <= now else { continue }
            throw timeoutError(latest)
        }
    }

    private func timeoutError(_ state: State) -> ProviderError {
        if state.deadline >= overallDeadline {
            return ProviderError(
                .timeout, "\(providerName): no complete answer within the call's deadline of \(budget.milliseconds) ms")
        }
        switch state.phase {
        case .responseHead(let span):
            return ProviderError(.timeout, "\(providerName): no response headers within \(span.milliseconds) ms")
        case .bodyIdle(let span):
            return ProviderError(
                .timeout, "\(providerName): the response stalled, no data for \(span.milliseconds) ms")
        }
    }
}
