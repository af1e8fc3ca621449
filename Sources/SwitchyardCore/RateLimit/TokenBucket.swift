/// A token bucket: `capacity` tokens, refilled continuously at `ratePerSecond`. Synchronous, clock-driven.
struct TokenBucket<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    let ratePerSecond: Double
    let capacity: Double
    private var tokens: Double
    private var lastRefill: Instant?

    init(ratePerSecond: Double, capacity: Int) {
        self.ratePerSecond = ratePerSecond
        self.capacity = Double(max(capacity, 1))
        self.tokens = self.capacity
    }

    /// Takes one token if there is one; otherwise returns how long until one is there.
    mutating func tryTake(now: Instant) -> Duration? {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return wait(now: now)
    }

    /// How long until a token is available (zero when one is).
    mutating func wait(now: Instant) -> Duration {
        refill(now: now)
        guard tokens < 1 else { return .zero }
        guard ratePerSecond > 0 else { return .seconds(3600) }
        return .seconds((1 - tokens) / ratePerSecond)
    }

    private mutating func refill(now: Instant) {
        if let lastRefill {
            let elapsed = lastRefill.duration(to: now)
            if elapsed > .zero {
                let seconds = elapsed.inSeconds
                tokens = min(capacity, tokens + seconds * ratePerSecond)
            }
        }
        lastRefill = now
    }
}
