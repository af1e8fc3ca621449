public import SwitchyardCore

/// `defaults:`: resilience settings every provider gets unless its entry overrides them key by key.
public struct ProviderDefaults: Sendable, Hashable {
    /// Deadline of a request that sets none (`timeout_ms`): every attempt, failover, queue wait and streaming
    /// together. Default 10 minutes (longer than a call's own `total_ms`, 5 minutes).
    public var timeout: Duration
    public var retry: RetryPolicy
    public var circuitBreaker: CircuitBreakerConfiguration
    public var rateLimit: RateLimitConfiguration
    /// Time-outs of HTTP providers (`timeout:`); see ``ProviderTimeouts`` for the defaults.
    public var httpTimeouts: ProviderTimeouts

    public init(
        timeout: Duration = .seconds(600),
        retry: RetryPolicy = RetryPolicy(),
        circuitBreaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        rateLimit: RateLimitConfiguration = .unlimited,
        httpTimeouts: ProviderTimeouts = ProviderTimeouts()
    ) {
        self.timeout = timeout
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.rateLimit = rateLimit
        self.httpTimeouts = httpTimeouts
    }
}
