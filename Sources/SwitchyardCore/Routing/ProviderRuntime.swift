public import struct Foundation.Date
import Synchronization

/// The live state of one provider inside a router: breaker, limits, health switches and figures, under one lock.
final class ProviderRuntime<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    struct State: Sendable {
        var breaker: CircuitBreaker<Instant>
        var limiter: ProviderRateLimiter<Instant>
        var forcedDown = false
        var healthy = true
        var stats = ProviderStats()
    }

    /// How a call ended, as the runtime needs to know it.
    enum CallResult: Sendable {
        case success(latency: Duration)
        case failure(ProviderError, latency: Duration)
        /// No verdict on the provider: the call was never made, was cancelled, or ran into the request's own
        /// deadline.
        case abandoned
    }

    /// A granted call: its limiter slot, and for a half-open breaker its probe slot.
    ///
    /// Not copyable, so it is handed back exactly once: ``finish(_:now:wallNow:)`` consumes it. A permit dropped
    /// on a path nobody foresaw (an unexpected error) is handed back as abandoned by its `deinit`, so a probe or a
    /// concurrency slot can never leak.
    struct Permit: ~Copyable, Sendable {
        let runtime: ProviderRuntime
        let isProbe: Bool
        /// The breaker's ``CircuitBreaker/probeGeneration`` when the permit was granted.
        let generation: Int
        private var isFinished = false

        fileprivate init(runtime: ProviderRuntime, isProbe: Bool, generation: Int) {
            self.runtime = runtime
            self.isProbe = isProbe
            self.generation = generation
        }

        /// Ends the call: frees its limits, feeds the breaker and the figures.
        /// - Returns: a breaker change to report.
        consuming func finish(_ result: CallResult, now: Instant, wallNow: Date) -> CircuitBreaker<Instant>.Change? {
            isFinished = true
            return runtime.finish(result, isProbe: isProbe, generation: generation, now: now, wallNow: wallNow)
        }

        deinit {
            if !isFinished { _ = runtime.finish(.abandoned, isProbe: isProbe, generation: generation, now: nil, wallNow: nil) }
        }
    }

    /// The answer to ``acquire(now:)``, with any breaker change to report.
    enum Acquisition: ~Copyable {
        case granted(Permit, change: CircuitBreaker<Instant>.Change?)
        case unavailable(TargetSkipped.Reason, retryAfter: Duration?, change: CircuitBreaker<Instant>.Change?)
    }

    let profile: ProviderProfile
    let provider: any LLMProvider
    let state: Mutex<State>
    private let ewmaWeight: Double

    init(profile: ProviderProfile, provider: any LLMProvider, ewmaWeight: Double) {
        self.profile = profile
        self.provider = provider
        self.ewmaWeight = ewmaWeight
        var stats = ProviderStats()
        stats.ewmaLatency = profile.expectedLatency
        self.state = Mutex(
            State(
                breaker: CircuitBreaker(configuration: profile.circuitBreaker),
                limiter: ProviderRateLimiter(configuration: profile.rateLimit),
                stats: stats))
    }

    /// Asks for one call: breaker, forced-down switch, health and limits all must agree.
    func acquire(now: Instant) -> Acquisition {
        state.withLock { state -> Acquisition in
            if state.forcedDown { return .unavailable(.down, retryAfter: nil, change: nil) }
            if !state.healthy { return .unavailable(.unhealthy, retryAfter: nil, change: nil) }
            let (permission, change) = state.breaker.acquire(now: now)
            let isProbe: Bool
            switch permission {
            case .allowed: isProbe = false
            case .probe: isProbe = true
            case .rejected(let retryAt):
                return .unavailable(.breakerOpen, retryAfter: retryAt.map { now.duration(to: $0) }, change: change)
            }
            let generation = state.breaker.probeGeneration
            if let denial = state.limiter.tryAcquire(now: now) {
                if isProbe { state.breaker.cancelProbe(generation: generation) }
                state.stats.rateLimited += 1
                switch denial {
                case .rate(let wait): return .unavailable(.rateLimited, retryAfter: wait, change: change)
                case .concurrency: return .unavailable(.concurrencyLimit, retryAfter: nil, change: change)
                }
            }
            return .granted(Permit(runtime: self, isProbe: isProbe, generation: generation), change: change)
        }
    }

    /// Ends a call granted by ``acquire(now:)``; called by its ``Permit`` only.
    ///
    /// A probe feeds the breaker only if its half-open period is still the current one; any other call only while
    /// the breaker is closed (a call admitted before the breaker opened says nothing about the probes). A probe
    /// that ends without a verdict (a rate limit, a client error, an abandoned call) gives its slot back.
    private func finish(
        _ result: CallResult, isProbe: Bool, generation: Int, now: Instant?, wallNow: Date?
    ) -> CircuitBreaker<Instant>.Change? {
        state.withLock { state in
            state.limiter.release()
            if let wallNow { state.stats.lastRequestAt = wallNow }
            let feedsBreaker =
                isProbe
                ? state.breaker.state == .halfOpen && generation == state.breaker.probeGeneration
                : state.breaker.state == .closed
            var change: CircuitBreaker<Instant>.Change?
            switch result {
            case .success(let latency):
                state.stats.record(success: true, latency: latency, ewmaWeight: ewmaWeight)
                if feedsBreaker, let now { change = state.breaker.recordSuccess(now: now) }
            case .failure(let error, let latency):
                state.stats.record(success: false, latency: latency, ewmaWeight: ewmaWeight)
                if let retryAfter = error.retryAfter, error.code == .rateLimited, let now {
                    state.limiter.coolDown(for: min(retryAfter, profile.retry.maxRetryAfter), now: now)
                }
                if error.countsAsBreakerFailure, feedsBreaker, let now {
                    change = state.breaker.recordFailure(now: now)
                } else if isProbe {
                    state.breaker.cancelProbe(generation: generation)
                }
            case .abandoned:
                if isProbe { state.breaker.cancelProbe(generation: generation) }
            }
            if change?.to == .open { state.stats.breakerTrips += 1 }
            return change
        }
    }

    /// How long until the provider could take a call on breaker and rate grounds (`nil`: unknown or now).
    func availableIn(now: Instant) -> Duration? {
        state.withLock { state in
            if state.forcedDown || !state.healthy { return nil }
            var wait = Duration.zero
            if let reopensAt = state.breaker.reopensAt, now < reopensAt { wait = now.duration(to: reopensAt) }
            if let rateWait = state.limiter.rateWait(now: now) { wait = max(wait, rateWait) }
            return wait
        }
    }

    var ewmaLatency: Duration { state.withLock { $0.stats.ewmaLatency } }
}

/// Running figures of one provider since the router started.
public struct ProviderStats: Sendable, Hashable {
    public var requests = 0
    public var successes = 0
    public var failures = 0
    /// Times the provider was skipped because a limit was reached.
    public var rateLimited = 0
    /// Times its breaker opened.
    public var breakerTrips = 0
    public var lastRequestAt: Date?
    /// Exponentially weighted moving average of call latency (starts at the profile's expected latency).
    public var ewmaLatency: Duration = .zero
    public var totalLatency: Duration = .zero

    init() {}

    /// Successes over finished calls; 1 when there were none.
    public var successRate: Double { requests == 0 ? 1 : Double(successes) / Double(requests) }

    /// Mean latency of finished calls; zero when there were none.
    public var averageLatency: Duration { requests == 0 ? .zero : totalLatency / requests }

    mutating func record(success: Bool, latency: Duration, ewmaWeight: Double) {
        requests += 1
        if success { successes += 1 } else { failures += 1 }
        totalLatency += latency
        ewmaLatency = requests == 1 ? latency : ewmaLatency * (1 - ewmaWeight) + latency * ewmaWeight
    }
}
