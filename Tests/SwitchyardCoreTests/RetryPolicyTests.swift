@testable import SwitchyardCore
import Testing

@Suite struct RetryPolicyTests {
    let serverError = ProviderError.http(status: 503, message: "busy")

    @Test func backoffGrowsExponentiallyUpToTheMaximum() {
        let policy = RetryPolicy(
            maxAttempts: 10, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1), multiplier: 2, jitter: .none)
        let delays = (1...6).map { policy.backoff(beforeRetry: $0) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }

    @Test func fullJitterStaysWithinTheBackoffAndRepeatsForASeed() {
        let policy = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(100), jitter: .full)
        var first = SeededRandom(seed: 7)
        var second = SeededRandom(seed: 7)
        for attempt in 1...4 {
            let a = policy.delay(after: serverError, attempt: attempt, remaining: nil, using: &first)
            let b = policy.delay(after: serverError, attempt: attempt, remaining: nil, using: &second)
            #expect(a == b)
            #expect(a! >= .zero && a! <= policy.backoff(beforeRetry: attempt))
        }
    }

    @Test func equalJitterKeepsAtLeastHalf() {
        let policy = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(100), jitter: .equal)
        var random = SeededRandom(seed: 1)
        for _ in 0..<50 {
            let delay = policy.delay(after: serverError, attempt: 1, remaining: nil, using: &random)!
            #expect(delay >= .milliseconds(50) && delay <= .milliseconds(100))
        }
    }

    @Test func honoursRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(100), maxBackoff: .seconds(5), jitter: .none)
        var random = SeededRandom(seed: 1)
        let limited = ProviderError.http(status: 429, message: "slow down", retryAfter: .seconds(2))
        #expect(policy.delay(after: limited, attempt: 1, remaining: nil, using: &random) == .seconds(2))
        // Longer than the policy is willing to wait: fail over instead.
        let tooLong = ProviderError.http(status: 429, message: "slow down", retryAfter: .seconds(30))
        #expect(policy.delay(after: tooLong, attempt: 1, remaining: nil, using: &random) == nil)
    }

    @Test func neverRetriesWhatIsNotRetryableOrPastTheLimits() {
        let policy = RetryPolicy(maxAttempts: 2, initialBackoff: .milliseconds(100), jitter: .none)
        var random = SeededRandom(seed: 1)
        for status in [400, 401, 403, 404] {
            #expect(policy.delay(after: .http(status: status, message: ""), attempt: 1, remaining: nil, using: &random) == nil)
        }
        #expect(policy.delay(after: serverError, attempt: 2, remaining: nil, using: &random) == nil)
        #expect(policy.delay(after: serverError, attempt: 1, remaining: .milliseconds(50), using: &random) == nil)
        #expect(policy.delay(after: serverError, attempt: 1, remaining: .seconds(1), using: &random) == .milliseconds(100))
    }

    @Test(arguments: [
        (500, true, true), (503, true, true), (429, true, false), (400, false, false), (401, false, true),
        (404, false, false),
    ])
    func classifiesHTTPStatuses(status: Int, retryable: Bool, breakerFailure: Bool) {
        let error = ProviderError.http(status: status, message: "")
        #expect(error.isRetryable == retryable)
        #expect(error.countsAsBreakerFailure == breakerFailure)
        #expect(error.stopsFailover == (status == 400))
    }
}
