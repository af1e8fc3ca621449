/// How long the ledger waits before retrying a write that failed for a passing reason (see `LedgerFault`):
/// ``initial`` after the first failure, doubling after each further one, never more than ``maximum``.
///
/// ```swift
/// let backoff = LedgerBackoff(initial: .milliseconds(50), maximum: .seconds(2))
/// backoff.delay(afterFailures: 1)   // 50 ms
/// backoff.delay(afterFailures: 3)   // 200 ms
/// backoff.delay(afterFailures: 9)   // 2 s
/// ```
///
/// There is no jitter: each process has one writer, so its retries cannot synchronize with its own.
public struct LedgerBackoff: Sendable, Hashable {
    /// The wait after the first failure. Default 50 ms.
    public var initial: Duration
    /// The longest wait. Default 2 s.
    public var maximum: Duration

    /// - Parameters:
    ///   - initial: the wait after the first failure; 50 ms unless given.
    ///   - maximum: the longest wait; 2 s unless given (raised to `initial` if smaller).
    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = max(.zero, initial)
        self.maximum = max(self.initial, maximum)
    }

    /// The wait after `failures` consecutive failures (1 for the first): `initial × 2^(failures − 1)`, at most
    /// ``maximum``. Never overflows, whatever `failures` is.
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        var doublings = max(0, failures - 1)
        while doublings > 0 && delay > .zero && delay < maximum {
            delay = delay * 2
            doublings -= 1
        }
        return min(delay, maximum)
    }
}
