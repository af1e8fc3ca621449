/// When a provider's circuit breaker opens and how it recovers.
public struct CircuitBreakerConfiguration: Sendable, Hashable {
    /// Consecutive failures that open the breaker. Default 5.
    public var consecutiveFailureThreshold: Int
    /// Failure share (0...1) over the last ``windowSize`` calls that opens the breaker. Default 0.5.
    public var failureRateThreshold: Double
    /// Calls in the sliding window used for the failure rate. Default 20.
    public var windowSize: Int
    /// Calls the window must hold before the failure rate is trusted. Default 10.
    public var minimumCalls: Int
    /// How long the breaker stays open before letting probes through. Default 30 s.
    public var recoveryTimeout: Duration
    /// Each time a half-open probe fails, the next recovery timeout is multiplied by this (1 keeps it fixed).
    /// Default 2.
    public var recoveryBackoffMultiplier: Double
    /// The longest recovery timeout the growth may reach. Default 5 minutes.
    public var maxRecoveryTimeout: Duration
    /// Probe calls let through at once while half-open. Default 1.
    public var halfOpenMaxProbes: Int
    /// Successful probes needed to close. Default 1.
    public var halfOpenSuccessesToClose: Int

    public init(
        consecutiveFailureThreshold: Int = 5,
        failureRateThreshold: Double = 0.5,
        windowSize: Int = 20,
        minimumCalls: Int = 10,
        recoveryTimeout: Duration = .seconds(30),
        recoveryBackoffMultiplier: Double = 2,
        maxRecoveryTimeout: Duration = .seconds(300),
        halfOpenMaxProbes: Int = 1,
        halfOpenSuccessesToClose: Int = 1
    ) {
        self.consecutiveFailureThreshold = consecutiveFailureThreshold
        self.failureRateThreshold = failureRateThreshold
        self.windowSize = windowSize
        self.minimumCalls = minimumCalls
        self.recoveryTimeout = recoveryTimeout
        self.recoveryBackoffMultiplier = recoveryBackoffMultiplier
        self.maxRecoveryTimeout = maxRecoveryTimeout
        self.halfOpenMaxProbes = halfOpenMaxProbes
        self.halfOpenSuccessesToClose = halfOpenSuccessesToClose
    }
}
