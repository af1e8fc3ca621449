/// Switchyard's own limits on calls to one provider. `nil` means no such limit.
public struct RateLimitConfiguration: Sendable, Hashable {
    /// Token bucket refill rate, in calls per second (use `perMinute / 60` for per-minute limits).
    public var requestsPerSecond: Double?
    /// Token bucket size: calls that may go at once after a quiet spell. Defaults to `max(1, requestsPerSecond)`.
    public var burst: Int?
    /// Calls in flight at once.
    public var maxConcurrent: Int?
    /// Calls started in any rolling 60-second window.
    public var requestsPerMinute: Int?

    public init(
        requestsPerSecond: Double? = nil,
        burst: Int? = nil,
        maxConcurrent: Int? = nil,
        requestsPerMinute: Int? = nil
    ) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.maxConcurrent = maxConcurrent
        self.requestsPerMinute = requestsPerMinute
    }

    /// No limits.
    public static let unlimited = RateLimitConfiguration()
}
