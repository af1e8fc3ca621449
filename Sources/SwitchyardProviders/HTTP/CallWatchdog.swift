import SwitchyardCore
import Synchronization

/// Enforces one provider call's time-outs: first byte, idle while a body piece is awaited, and the overall deadline.
///
/// The watchdog holds the current deadline; ``guarding(_:)`` runs a piece of work next to a timer child task and
/// cancels the work with a time-out error when the deadline passes first. Re-arming (``bodyProgressed(idle:)``) only
/// moves the deadline; the timer notices when it wakes. No background task outlives a call.
///
/// The error names the time-out that passed: ``SwitchyardCore/ProviderError/Code/requestDeadline`` when the overall
/// deadline was the request's own (``SwitchyardCore/ProviderCallOptions/timeout``, shorter than the provider's
/// `total`), otherwise ``SwitchyardCore/ProviderError/Code/timeout`` with the provider's first-byte, idle or total
/// time-out in its message. A cancelled call stays ``SwitchyardCore/ProviderError/Code/cancelled``.
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
    /// The overall deadline is the request's own, not the provider's `total`.
    private let budgetIsTheRequests: Bool
    private let overallDeadline: ContinuousClock.Instant
    private let state: Mutex<State>

    /// - Parameters:
    ///   - providerName: for messages.
    ///   - total: the provider's own limit on the whole call, from now.
    ///   - requestTimeout: the time left before the request's deadline, if it has one.
    ///   - headTimeout: the time the response head may take, from now.
    init(providerName: String, total: Duration, requestTimeout: Duration?, headTimeout: Duration) {
        let now = ContinuousClock.now
        let requestTimeout = requestTimeout.map { max($0, .zero) }
        self.providerName = providerName
        if let requestTimeout, requestTimeout < total {
            budget = requestTimeout
            budgetIsTheRequests = true
        } else {
            budget = total
            budgetIsTheRequests = false
        }
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
            if budgetIsTheRequests {
                return ProviderError(
                    .requestDeadline,
                    "\(providerName): the request's deadline passed (\(budget.milliseconds) ms left for this call)")
            }
            return ProviderError(
                .timeout, "\(providerName): no complete answer within total_ms (\(budget.milliseconds) ms)")
        }
        switch state.phase {
        case .responseHead(let span):
            return ProviderError(
                .timeout, "\(providerName): no response headers within first_byte_ms (\(span.milliseconds) ms)")
        case .bodyIdle(let span):
            return ProviderError(
                .timeout, "\(providerName): the response stalled, no data for idle_ms (\(span.milliseconds) ms)")
        }
    }
}
