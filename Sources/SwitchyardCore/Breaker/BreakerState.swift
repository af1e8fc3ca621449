/// The state of a provider's circuit breaker.
public enum BreakerState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Calls flow; failures are counted.
    case closed
    /// Calls are refused until the recovery timeout passes.
    case open
    /// A bounded number of probe calls are let through; success closes, failure re-opens.
    case halfOpen = "half_open"
}
