/// All of one provider's limits together: token bucket, concurrency, rolling per-minute cap, and a cool-down set by
/// the provider's own `429 Retry-After`.
///
/// ``tryAcquire(now:)`` either admits a call (which must later be ended with ``release()``) or says why not and
/// for how long, so the router can skip the provider rather than fail the request.
struct ProviderRateLimiter<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Why a call was refused.
    enum Denial: Sendable, Hashable {
        /// Token bucket, per-minute cap or upstream cool-down; try again after the given wait.
        case rate(retryAfter: Duration)
        /// Too many calls in flight; try again when one ends.
        case concurrency
    }

    private var bucket: TokenBucket<Instant>?
    private var perMinute: RollingWindowCounter<Instant>?
    private let maxConcurrent: Int?
    private(set) var inFlight = 0
    private var coolDownUntil: Instant?

    init(configuration: RateLimitConfiguration) {
        if let rate = configuration.requestsPerSecond, rate > 0 {
            bucket = TokenBucket(ratePerSecond: rate, capacity: configuration.burst ?? max(1, Int(rate)))
        }
        if let perMinute = configuration.requestsPerMinute { self.perMinute = RollingWindowCounter(limit: perMinute) }
        maxConcurrent = configuration.maxConcurrent
    }

    /// Admits one call, or says why not.
    mutating func tryAcquire(now: Instant) -> Denial? {
        if let coolDownUntil, now < coolDownUntil { return .rate(retryAfter: now.duration(to: coolDownUntil)) }
        if let maxConcurrent, inFlight >= maxConcurrent { return .concurrency }
        if let wait = perMinute?.wait(now: now), wait > .zero { return .rate(retryAfter: wait) }
        if bucket != nil, let wait = bucket!.tryTake(now: now) { return .rate(retryAfter: wait) }
        _ = perMinute?.tryRecord(now: now)
        inFlight += 1
        return nil
    }

    /// Ends a call admitted by ``tryAcquire(now:)``.
    mutating func release() {
        inFlight = max(inFlight - 1, 0)
    }

    /// Honours an upstream `Retry-After`: no calls before `now + duration`.
    mutating func coolDown(for duration: Duration, now: Instant) {
        let until = now.advanced(by: duration)
        if coolDownUntil.map({ until > $0 }) ?? true { coolDownUntil = until }
    }

    /// How long until a call could be admitted on rate grounds (ignores concurrency), or `nil` if it could now.
    mutating func rateWait(now: Instant) -> Duration? {
        var wait = Duration.zero
        if let coolDownUntil, now < coolDownUntil { wait = max(wait, now.duration(to: coolDownUntil)) }
        if let perMinuteWait = perMinute?.wait(now: now) { wait = max(wait, perMinuteWait) }
        if bucket != nil { wait = max(wait, bucket!.wait(now: now)) }
        return wait > .zero ? wait : nil
    }
}
