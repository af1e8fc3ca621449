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

    /// Why a call may not be made now.
    enum Unavailable: Error {
        case skipped(TargetSkipped.Reason, retryAfter: Duration?)
    }

    /// A granted call: it must end with ``ProviderRuntime/finish(_:now:wallNow:)``.
    struct Permit: Sendable {
        var isProbe: Bool
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
    /// - Returns: the permit, or why not; plus a breaker change to report.
    func acquire(now: Instant) -> (Result<Permit, Unavailable>, CircuitBreaker<Instant>.Change?) {
        state.withLock { state in
            if state.forcedDown { return (.failure(.skipped(.down, retryAfter: nil)), nil) }
            if !state.healthy { return (.failure(.skipped(.unhealthy, retryAfter: nil)), nil) }
            let (permission, change) = state.breaker.acquire(now: now)
            let isProbe: Bool
            switch permission {
            case .allowed: isProbe = false
            case .probe: isProbe = true
            case .rejected(let retryAt):
                let wait = retryAt.map { now.duration(to: $0) }
                return (.failure(.skipped(.breakerOpen, retryAfter: wait)), change)
            }
            if let denial = state.limiter.tryAcquire(now: now) {
                if isProbe { state.breaker.cancelProbe() }
                state.stats.rateLimited += 1
                switch denial {
                case .rate(let wait): return (.failure(.skipped(.rateLimited, retryAfter: wait)), change)
                case .concurrency: return (.failure(.skipped(.concurrencyLimit, retryAfter: nil)), change)
                }
            }
            return (.success(Permit(isProbe: isProbe)), change)
        }
    }

    /// How a call ended, as the runtime needs to know it.
    enum CallResult: Sendable {
        case success(latency: Duration)
        case failure(ProviderError, latency: Duration)
        /// The call was abandoned (cancelled, or stopped by the router): no verdict on the provider.
        case abandoned
    }

    /// Ends a call granted by ``acquire(now:)``: frees its limits, feeds the breaker and the figures.
    func finish(_ result: CallResult, now: Instant, wallNow: Date) -> CircuitBreaker<Instant>.Change? {
        state.withLock { state in
            state.limiter.release()
            state.stats.lastRequestAt = wallNow
            var change: CircuitBreaker<Instant>.Change?
            switch result {
            case .success(let latency):
                state.stats.record(success: true, latency: latency, ewmaWeight: ewmaWeight)
                change = state.breaker.recordSuccess(now: now)
            case .failure(let error, let latency):
                state.stats.record(success: false, latency: latency, ewmaWeight: ewmaWeight)
                if let retryAfter = error.retryAfter, error.code == .rateLimited {
                    state.limiter.coolDown(for: retryAfter, now: now)
                }
                if error.countsAsBreakerFailure { change = state.breaker.recordFailure(now: now) }
            case .abandoned:
                state.breaker.cancelProbe()
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

    public init() {}

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
