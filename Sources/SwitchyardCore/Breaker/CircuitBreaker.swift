/// A circuit breaker as a synchronous state machine driven by the caller's clock.
///
/// The owner (the router's per-provider state) keeps it under a lock and passes `now` into every call; each call
/// that changes state returns the ``Change`` so the owner can emit a ``BreakerTransition``.
///
/// - closed → open: ``CircuitBreakerConfiguration/consecutiveFailureThreshold`` consecutive failures, or a failure
///   rate at or over the threshold across the sliding window once it holds ``CircuitBreakerConfiguration/minimumCalls``.
/// - open → half-open: the recovery timeout elapsed (checked lazily on the next ``acquire(now:)``).
/// - half-open: up to ``CircuitBreakerConfiguration/halfOpenMaxProbes`` calls at once; enough successes close it,
///   any failure re-opens it with a longer recovery timeout.
struct CircuitBreaker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// A state change, with its reason.
    struct Change: Sendable, Hashable {
        var from: BreakerState
        var to: BreakerState
        var reason: String
        /// For a change to `open`: how long until probes are allowed.
        var openFor: Duration?
    }

    /// The answer to ``acquire(now:)``.
    enum Permission: Sendable, Hashable {
        /// Call it.
        case allowed
        /// Call it as a half-open probe.
        case probe
        /// Do not call it before `retryAt` (or until a probe slot frees up, when `retryAt` is `nil`).
        case rejected(retryAt: Instant?)
    }

    let configuration: CircuitBreakerConfiguration
    private(set) var state: BreakerState = .closed
    private var consecutiveFailures = 0
    /// Ring buffer of the last `windowSize` outcomes (`true` = failure).
    private var window: [Bool] = []
    private var windowNext = 0
    private var windowFailures = 0
    private var openUntil: Instant?
    private var currentRecovery: Duration
    private var probesInFlight = 0
    private var probeSuccesses = 0
    /// Counts the breaker's half-open periods, so a probe of an earlier one cannot free a slot of the current one.
    private(set) var probeGeneration = 0

    init(configuration: CircuitBreakerConfiguration) {
        self.configuration = configuration
        self.currentRecovery = configuration.recoveryTimeout
        self.window.reserveCapacity(max(configuration.windowSize, 1))
    }

    /// When an open breaker will let probes through.
    var reopensAt: Instant? { state == .open ? openUntil : nil }

    /// The state as seen at `now`: an open breaker whose timeout passed reads as half-open.
    func state(at now: Instant) -> BreakerState {
        if state == .open, let openUntil, now >= openUntil { return .halfOpen }
        return state
    }

    /// Asks to make a call. May move open → half-open (returned as the change).
    mutating func acquire(now: Instant) -> (Permission, Change?) {
        switch state {
        case .closed:
            return (.allowed, nil)
        case .open:
            guard let openUntil, now >= openUntil else { return (.rejected(retryAt: openUntil), nil) }
            let change = transition(to: .halfOpen, reason: "recovery timeout of \(currentRecovery) elapsed")
            probesInFlight = 1
            return (.probe, change)
        case .halfOpen:
            guard probesInFlight < configuration.halfOpenMaxProbes else { return (.rejected(retryAt: nil), nil) }
            probesInFlight += 1
            return (.probe, nil)
        }
    }

    /// Gives back a probe slot without a verdict on the provider: the call was never made, or it ended in a way
    /// that says nothing about the provider's health (a rate limit, a client error, a cancellation).
    ///
    /// - Parameter generation: the ``probeGeneration`` when the slot was acquired; a slot of an earlier half-open
    ///   period is already gone.
    mutating func cancelProbe(generation: Int) {
        if state == .halfOpen, generation == probeGeneration, probesInFlight > 0 { probesInFlight -= 1 }
    }

    /// Records a successful call.
    mutating func recordSuccess(now: Instant) -> Change? {
        switch state {
        case .closed:
            consecutiveFailures = 0
            push(failure: false)
            return nil
        case .halfOpen:
            probesInFlight = max(probesInFlight - 1, 0)
            probeSuccesses += 1
            guard probeSuccesses >= configuration.halfOpenSuccessesToClose else { return nil }
            currentRecovery = configuration.recoveryTimeout
            return transition(to: .closed, reason: "\(probeSuccesses) successful probe(s)")
        case .open:
            // A call admitted before the breaker opened finished late: it changes nothing.
            return nil
        }
    }

    /// Records a failed call (one that ``ProviderError/countsAsBreakerFailure``).
    mutating func recordFailure(now: Instant) -> Change? {
        switch state {
        case .closed:
            consecutiveFailures += 1
            push(failure: true)
            if consecutiveFailures >= configuration.consecutiveFailureThreshold {
                return open(now: now, reason: "\(consecutiveFailures) consecutive failures")
            }
            if window.count >= configuration.minimumCalls {
                let rate = Double(windowFailures) / Double(window.count)
                if rate >= configuration.failureRateThreshold {
                    let percent = Int((rate * 100).rounded())
                    return open(now: now, reason: "failure rate \(percent)% over the last \(window.count) calls")
                }
            }
            return nil
        case .halfOpen:
            probesInFlight = max(probesInFlight - 1, 0)
            let grown = currentRecovery * configuration.recoveryBackoffMultiplier
            currentRecovery = min(max(grown, configuration.recoveryTimeout), configuration.maxRecoveryTimeout)
            return open(now: now, reason: "probe failed")
        case .open:
            return nil
        }
    }

    /// Puts the breaker back into a state read from the ledger after a restart.
    ///
    /// - Parameters:
    ///   - state: the last recorded state. `halfOpen` is restored as open with no time left, so the next call
    ///     is a probe.
    ///   - remaining: for `open`, how much of the recovery timeout was left.
    mutating func restore(state: BreakerState, remaining: Duration, now: Instant) {
        switch state {
        case .closed:
            self = CircuitBreaker(configuration: configuration)
        case .open, .halfOpen:
            self.state = .open
            self.openUntil = now.advanced(by: max(remaining, .zero))
            self.probesInFlight = 0
            self.probeSuccesses = 0
        }
    }

    private mutating func open(now: Instant, reason: String) -> Change {
        openUntil = now.advanced(by: currentRecovery)
        var change = transition(to: .open, reason: reason)
        change.openFor = currentRecovery
        return change
    }

    private mutating func transition(to newState: BreakerState, reason: String) -> Change {
        let change = Change(from: state, to: newState, reason: reason, openFor: nil)
        state = newState
        if newState == .halfOpen { probeGeneration &+= 1 }
        consecutiveFailures = 0
        probesInFlight = 0
        probeSuccesses = 0
        if newState != .open { openUntil = nil }
        if newState == .closed || newState == .open {
            window.removeAll(keepingCapacity: true)
            windowNext = 0
            windowFailures = 0
        }
        return change
    }

    private mutating func push(failure: Bool) {
        let size = max(configuration.windowSize, 1)
        if window.count < size {
            window.append(failure)
        } else {
            if window[windowNext] { windowFailures -= 1 }
            window[windowNext] = failure
        }
        windowNext = (windowNext + 1) % size
        if failure { windowFailures += 1 }
    }
}
