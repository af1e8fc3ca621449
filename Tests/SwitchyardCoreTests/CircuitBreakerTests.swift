@testable import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite struct CircuitBreakerTests {
    typealias Breaker = CircuitBreaker<ManualClock.Instant>
    let t0 = ManualClock.Instant(offset: .zero)

    func at(_ seconds: Int) -> ManualClock.Instant { t0.advanced(by: .seconds(seconds)) }

    @Test func opensAfterConsecutiveFailures() {
        var breaker = Breaker(configuration: .init(consecutiveFailureThreshold: 3, minimumCalls: 100))
        #expect(breaker.recordFailure(now: t0) == nil)
        #expect(breaker.recordFailure(now: t0) == nil)
        let change = breaker.recordFailure(now: t0)
        #expect(change?.to == .open)
        #expect(change?.reason == "3 consecutive failures")
        #expect(change?.openFor == .seconds(30))
        #expect(breaker.acquire(now: at(29)).0 == .rejected(retryAt: at(30)))
    }

    @Test func successResetsTheConsecutiveCount() {
        var breaker = Breaker(configuration: .init(consecutiveFailureThreshold: 2, minimumCalls: 100))
        _ = breaker.recordFailure(now: t0)
        _ = breaker.recordSuccess(now: t0)
        #expect(breaker.recordFailure(now: t0) == nil)
        #expect(breaker.state == .closed)
    }

    @Test func opensOnFailureRateOnceTheWindowHasEnoughCalls() {
        var breaker = Breaker(
            configuration: .init(
                consecutiveFailureThreshold: 100, failureRateThreshold: 0.5, windowSize: 10, minimumCalls: 6))
        // success, failure alternating: 50% but only after 6 calls.
        var changes: [Breaker.Change] = []
        for index in 0..<6 {
            if let change = index.isMultiple(of: 2) ? breaker.recordSuccess(now: t0) : breaker.recordFailure(now: t0) {
                changes.append(change)
            }
        }
        #expect(changes.count == 1)
        #expect(changes.first?.reason == "failure rate 50% over the last 6 calls")
    }

    @Test func failureRateBelowThresholdStaysClosed() {
        var breaker = Breaker(
            configuration: .init(
                consecutiveFailureThreshold: 100, failureRateThreshold: 0.5, windowSize: 10, minimumCalls: 4))
        for index in 0..<40 {
            // one failure in four: 25%
            _ = index % 4 == 0 ? breaker.recordFailure(now: t0) : breaker.recordSuccess(now: t0)
        }
        #expect(breaker.state == .closed)
    }

    @Test func halfOpenLetsABoundedNumberOfProbesThrough() {
        var breaker = Breaker(configuration: .init(consecutiveFailureThreshold: 1, halfOpenMaxProbes: 2))
        _ = breaker.recordFailure(now: t0)
        let (first, change) = breaker.acquire(now: at(30))
        #expect(first == .probe)
        #expect(change?.from == .open)
        #expect(change?.to == .halfOpen)
        #expect(breaker.acquire(now: at(30)).0 == .probe)
        #expect(breaker.acquire(now: at(30)).0 == .rejected(retryAt: nil))
    }

    @Test func successfulProbeCloses() {
        var breaker = Breaker(configuration: .init(consecutiveFailureThreshold: 1))
        _ = breaker.recordFailure(now: t0)
        _ = breaker.acquire(now: at(30))
        let change = breaker.recordSuccess(now: at(31))
        #expect(change?.to == .closed)
        #expect(breaker.acquire(now: at(31)).0 == .allowed)
    }

    @Test func failedProbeReopensWithAGrowingRecoveryTimeout() {
        var breaker = Breaker(
            configuration: .init(
                consecutiveFailureThreshold: 1, recoveryTimeout: .seconds(10), recoveryBackoffMultiplier: 2,
                maxRecoveryTimeout: .seconds(25)))
        _ = breaker.recordFailure(now: t0)
        _ = breaker.acquire(now: at(10))
        #expect(breaker.recordFailure(now: at(10))?.openFor == .seconds(20))
        _ = breaker.acquire(now: at(30))
        #expect(breaker.recordFailure(now: at(30))?.openFor == .seconds(25))  // capped
        #expect(breaker.acquire(now: at(54)).0 == .rejected(retryAt: at(55)))
        _ = breaker.acquire(now: at(55))
        _ = breaker.recordSuccess(now: at(55))
        // Closing resets the timeout to its configured value.
        _ = breaker.recordFailure(now: at(60))
        #expect(breaker.reopensAt == at(70))
    }

    @Test func restoresAnOpenBreakerWithItsRemainingTime() {
        var breaker = Breaker(configuration: .init())
        breaker.restore(state: .open, remaining: .seconds(12), now: t0)
        #expect(breaker.state(at: at(11)) == .open)
        #expect(breaker.state(at: at(12)) == .halfOpen)
        #expect(breaker.acquire(now: at(12)).0 == .probe)
    }
}
