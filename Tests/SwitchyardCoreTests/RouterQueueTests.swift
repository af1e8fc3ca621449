import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct RouterQueueTests {
    typealias H = RouterHarness

    @Test func waitsInTheQueueUntilAProviderComesBack() async throws {
        let h = try H(
            providers: [(H.profile("a"), [.reply("a")])], routes: [H.route(tiers: [["a"]])], autoAdvance: false)
        h.router.setForcedDown(true, provider: "a")
        async let answer = h.router.route(H.request())
        await h.clock.waitForSleepers(1)
        #expect(h.router.queueLength == 1)
        #expect(h.router.requestsInFlight == 1)
        h.router.setForcedDown(false, provider: "a")
        #expect(try await answer.provider == "a")
        #expect(h.router.queueLength == 0)
        #expect(h.router.requestsInFlight == 0)
        #expect(h.trace("r1") == ["received main", "skip a down", "queued", "start a", "finish a success", "done success"])
    }

    @Test func waitsForAnOpenBreakerToReachItsRecoveryTime() async throws {
        let h = try H(
            providers: [(H.profile("a", breaker: .init(consecutiveFailureThreshold: 1)), [.fail(.unavailable503), .reply("back")])],
            routes: [H.route(tiers: [["a"]])], queue: .init(maxLength: 5, maxWait: .seconds(60)), autoAdvance: false)
        await #expect(throws: RoutingError.self) { try await h.router.route(H.request("r1")) }
        async let answer = h.router.route(H.request("r2"))
        await h.clock.waitForSleepers(1)
        h.clock.advance(by: .seconds(30))
        #expect(try await answer.response.content == "back")
    }

    @Test func failsWithRetryAfterWhenTheWaitEnds() async throws {
        let h = try H(
            providers: [(H.profile("a"), [.reply("a")])], routes: [H.route(tiers: [["a"]])],
            queue: .init(maxLength: 5, maxWait: .seconds(10)), autoAdvance: false)
        h.router.setForcedDown(true, provider: "a")
        let answer = Task { try await h.router.route(H.request()) }
        await h.clock.waitForSleepers(1)
        h.clock.advance(by: .seconds(10))
        let error = await #expect(throws: RoutingError.self) { try await answer.value }
        #expect(error?.code == .unavailable)
        #expect(error?.retryAfter != nil)
        #expect(h.trace("r1").last == "done unavailable")
        #expect(h.router.requestsInFlight == 0, "a request that failed is no longer in flight")
    }

    @Test func overflowIsRejectedAtOnce() async throws {
        let h = try H(
            providers: [(H.profile("a"), [.reply("a")])], routes: [H.route(tiers: [["a"]])],
            queue: .init(maxLength: 1, maxWait: .seconds(10)), autoAdvance: false)
        h.router.setForcedDown(true, provider: "a")
        async let first = h.router.route(H.request("r1"))
        await h.clock.waitForSleepers(1)
        let error = await #expect(throws: RoutingError.self) { try await h.router.route(H.request("r2")) }
        #expect(error?.code == .queueFull)
        #expect(h.trace("r2").last == "done rejected_rate_limit")
        #expect(h.router.requestsInFlight == 1, "only the waiting request is in flight")
        h.router.setForcedDown(false, provider: "a")
        #expect(try await first.provider == "a")
    }

    @Test func theRequestDeadlineBoundsTheWait() async throws {
        let h = try H(
            providers: [(H.profile("a"), [.reply("a")])], routes: [H.route(tiers: [["a"]])],
            queue: .init(maxLength: 5, maxWait: .seconds(60)), autoAdvance: false)
        h.router.setForcedDown(true, provider: "a")
        let answer = Task { try await h.router.route(H.request(timeout: .seconds(2))) }
        await h.clock.waitForSleepers(1)
        h.clock.advance(by: .seconds(2))
        let error = await #expect(throws: RoutingError.self) { try await answer.value }
        #expect(error?.code == .deadlineExceeded)
    }
}
