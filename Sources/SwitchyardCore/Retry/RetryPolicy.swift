/// How many times to call the same target and how long to wait between calls.
///
/// The delay before retry *n* (1-based) is `min(maxBackoff, initialBackoff * multiplier^(n-1))`, reduced by
/// jitter, and never shorter than the provider's `Retry-After`. A retry is skipped (the router fails over instead)
/// when the error is not retryable, when attempts are used up, when `Retry-After` asks for longer than
/// ``maxBackoff``, or when the wait would pass the request's deadline.
///
/// ```swift
/// let policy = RetryPolicy.exponentialJitter(maxAttempts: 3, initialBackoff: .milliseconds(100))
/// ```
public struct RetryPolicy: Sendable, Hashable {
    /// How the computed backoff is randomised.
    public enum Jitter: String, Sendable, Hashable, Codable {
        /// Exactly the computed backoff.
        case none
        /// Uniform in `0...backoff` ("full jitter").
        case full
        /// Uniform in `backoff/2...backoff` ("equal jitter").
        case equal
    }

    /// Calls of one target per request, the first included. Default 2 (one retry).
    public var maxAttempts: Int
    /// Backoff before the first retry. Default 100 ms.
    public var initialBackoff: Duration
    /// Longest backoff, and the longest `Retry-After` worth waiting for. Default 2 s.
    public var maxBackoff: Duration
    /// Growth of the backoff per retry. Default 2.
    public var multiplier: Double
    public var jitter: Jitter
    /// The longest cool-down a provider's `Retry-After` can impose on it (a 429 with `Retry-After: 86400` would
    /// otherwise take the provider out for a day, and an absurd one for years). Default 60 s.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 2,
        initialBackoff: Duration = .milliseconds(100),
        maxBackoff: Duration = .seconds(2),
        multiplier: Double = 2,
        jitter: Jitter = .full,
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
    }

    /// Exponential backoff with full jitter.
    public static func exponentialJitter(
        maxAttempts: Int = 2,
        initialBackoff: Duration = .milliseconds(100),
        maxBackoff: Duration = .seconds(2),
        multiplier: Double = 2
    ) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: maxAttempts, initialBackoff: initialBackoff, maxBackoff: maxBackoff,
            multiplier: multiplier, jitter: .full)
    }

    /// Never call a target twice.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The backoff before retry number `retry` (1 for the first retry), before jitter.
    func backoff(beforeRetry retry: Int) -> Duration {
        var delay = initialBackoff
        var step = 1
        while step < retry, delay < maxBackoff {
            delay = delay * multiplier
            step += 1
        }
        return min(delay, maxBackoff)
    }

    /// Decides whether to call the same target again after `error`.
    ///
    /// - Parameters:
    ///   - error: what the last call failed with.
    ///   - attempt: how many calls of this target were made so far (1 after the first).
    ///   - remaining: time left before the request's deadline, if it has one.
    ///   - random: the source of jitter.
    /// - Returns: how long to wait before the retry, or `nil` to stop retrying this target.
    func delay(
        after error: ProviderError,
        attempt: Int,
        remaining: Duration?,
        using random: inout some RandomNumberGenerator
    ) -> Duration? {
        guard error.isRetryable, attempt < maxAttempts else { return nil }
        if let retryAfter = error.retryAfter, retryAfter > maxBackoff { return nil }
        let base = backoff(beforeRetry: attempt)
        var delay: Duration
        switch jitter {
        case .none: delay = base
        case .full: delay = base * Double.random(in: 0...1, using: &random)
        case .equal: delay = base / 2 + (base / 2) * Double.random(in: 0...1, using: &random)
        }
        if let retryAfter = error.retryAfter { delay = max(delay, retryAfter) }
        if let remaining, delay >= remaining { return nil }
        return delay
    }
}
