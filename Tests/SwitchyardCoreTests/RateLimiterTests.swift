@testable import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite struct RateLimiterTests {
    typealias Instant = ManualClock.Instant
    let t0 = Instant(offset: .zero)

    @Test func tokenBucketAllowsABurstThenRefills() {
        var bucket = TokenBucket<Instant>(ratePerSecond: 2, capacity: 3)
        #expect(bucket.tryTake(now: t0) == nil)
        #expect(bucket.tryTake(now: t0) == nil)
        #expect(bucket.tryTake(now: t0) == nil)
        #expect(bucket.tryTake(now: t0) == .milliseconds(500))
        #expect(bucket.tryTake(now: t0.advanced(by: .milliseconds(500))) == nil)
        #expect(bucket.tryTake(now: t0.advanced(by: .milliseconds(500))) != nil)
    }

    @Test func rollingWindowCapsCallsPerMinute() {
        var counter = RollingWindowCounter<Instant>(limit: 2)
        #expect(counter.tryRecord(now: t0) == nil)
        #expect(counter.tryRecord(now: t0.advanced(by: .seconds(10))) == nil)
        #expect(counter.tryRecord(now: t0.advanced(by: .seconds(20))) == .seconds(40))
        #expect(counter.tryRecord(now: t0.advanced(by: .seconds(60))) == nil)
        #expect(counter.tryRecord(now: t0.advanced(by: .seconds(61))) == .seconds(9))
    }

    @Test func concurrencyLimitFreesOnRelease() {
        var limiter = ProviderRateLimiter<Instant>(configuration: .init(maxConcurrent: 1))
        #expect(limiter.tryAcquire(now: t0) == nil)
        #expect(limiter.tryAcquire(now: t0) == .concurrency)
        limiter.release()
        #expect(limiter.tryAcquire(now: t0) == nil)
    }

    @Test func upstreamRetryAfterCoolsTheProviderDown() {
        var limiter = ProviderRateLimiter<Instant>(configuration: .unlimited)
        limiter.coolDown(for: .seconds(5), now: t0)
        #expect(limiter.tryAcquire(now: t0.advanced(by: .seconds(1))) == .rate(retryAfter: .seconds(4)))
        #expect(limiter.tryAcquire(now: t0.advanced(by: .seconds(5))) == nil)
    }

    @Test func combinedLimitsReportTheLongestWait() {
        var limiter = ProviderRateLimiter<Instant>(
            configuration: .init(requestsPerSecond: 1, burst: 1, requestsPerMinute: 1))
        #expect(limiter.tryAcquire(now: t0) == nil)
        limiter.release()
        #expect(limiter.tryAcquire(now: t0.advanced(by: .seconds(2))) == .rate(retryAfter: .seconds(58)))
        #expect(limiter.rateWait(now: t0.advanced(by: .seconds(2))) == .seconds(58))
    }
}
