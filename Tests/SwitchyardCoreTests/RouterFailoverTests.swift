import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct RouterFailoverTests {
    typealias H = RouterHarness

    @Test func walksTiersInOrderAndReportsEveryAttempt() async throws {
        let h = try H(
            providers: [
                (H.profile("local"), [.fail(.unavailable503)]),
                (H.profile("cloud"), [.reply("from cloud")]),
                (H.profile("emergency"), [.reply("never")]),
            ],
            routes: [H.route(tiers: [["local"], ["cloud"], ["emergency"]])])
        let answer = try await h.router.route(H.request())
        #expect(answer.provider == "cloud")
        #expect(answer.tier == "tier1")
        #expect(answer.response.content == "from cloud")
        #expect(answer.attempts.map(\.outcome) == [.error, .success])
        #expect(h.providers["emergency"]!.callCount == 0)
        #expect(
            h.trace("r1") == [
                "received main", "start local", "finish local error", "start cloud", "finish cloud success",
                "done success",
            ])
        let failed = answer.attempts[0]
        #expect(failed.httpStatus == 503)
        #expect(failed.errorCode == "server_error")
    }

    @Test func retriesTheSameTargetWithExponentialBackoff() async throws {
        let retry = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(100), jitter: .none)
        let h = try H(
            providers: [(H.profile("a", retry: retry), [.fail(.unavailable503), .fail(.unavailable503), .reply("ok")])],
            routes: [H.route(tiers: [["a"]])])
        let answer = try await h.router.route(H.request())
        #expect(answer.attempts.count == 3)
        #expect(h.clock.sleeps == [.milliseconds(100), .milliseconds(200)])
    }

    @Test func honoursRetryAfterFromTheProvider() async throws {
        let retry = RetryPolicy(maxAttempts: 2, initialBackoff: .milliseconds(100), maxBackoff: .seconds(5), jitter: .none)
        let h = try H(
            providers: [
                (H.profile("a", retry: retry), [.fail(.http(status: 429, message: "slow", retryAfter: .seconds(3))), .reply("ok")])
            ],
            routes: [H.route(tiers: [["a"]])])
        let answer = try await h.router.route(H.request())
        #expect(answer.attempts.map(\.outcome) == [.rateLimited, .success])
        #expect(h.clock.sleeps == [.seconds(3)])
    }

    @Test func aBadRequestStopsTheWalk() async throws {
        let h = try H(
            providers: [
                (H.profile("a"), [.fail(.http(status: 400, message: "messages[0] is invalid"))]),
                (H.profile("b"), [.reply("never")]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])])
        let error = await #expect(throws: RoutingError.self) { try await h.router.route(H.request()) }
        #expect(error?.code == .badRequest)
        #expect(h.providers["b"]!.callCount == 0)
        #expect(h.trace("r1").last == "done bad_request")
    }

    @Test func everyProviderFailingIsA502WithTheAttempts() async throws {
        let h = try H(
            providers: [
                (H.profile("a"), [.fail(.unavailable503)]),
                (H.profile("b"), [.fail(ProviderError(.timeout, "no answer"))]),
            ],
            routes: [H.route(tiers: [["a", "b"]])])
        let error = await #expect(throws: RoutingError.self) { try await h.router.route(H.request()) }
        #expect(error?.code == .allProvidersFailed)
        #expect(error?.attempts.map(\.outcome) == [.error, .timeout])
        #expect(h.trace("r1").last == "done failed")
    }

    @Test func breakerOpensThenSkipsThenProbesAndCloses() async throws {
        let breaker = CircuitBreakerConfiguration(consecutiveFailureThreshold: 2, recoveryTimeout: .seconds(30))
        let h = try H(
            providers: [
                (H.profile("a", breaker: breaker), [.fail(.unavailable503), .fail(.unavailable503), .reply("a is back")]),
                (H.profile("b"), [.reply("b")]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])])
        _ = try await h.router.route(H.request("r1"))
        _ = try await h.router.route(H.request("r2"))
        #expect(h.breakerTrace == ["a closed->open: 2 consecutive failures"])
        let third = try await h.router.route(H.request("r3"))
        #expect(third.provider == "b")
        #expect(h.trace("r3").contains("skip a breaker_open"))
        #expect(h.providers["a"]!.callCount == 2)

        h.clock.advance(by: .seconds(30))
        let fourth = try await h.router.route(H.request("r4"))
        #expect(fourth.provider == "a")
        #expect(
            h.breakerTrace == [
                "a closed->open: 2 consecutive failures",
                "a open->half_open: recovery timeout of 30.0 seconds elapsed",
                "a half_open->closed: 1 successful probe(s)",
            ])
        #expect(h.router.providerSnapshots().first { $0.name == "a" }?.stats.breakerTrips == 1)
    }

    @Test func aProviderAtItsRateLimitIsSkippedNotFailed() async throws {
        let h = try H(
            providers: [
                (H.profile("a", rateLimit: .init(requestsPerMinute: 1)), [.reply("a")]),
                (H.profile("b"), [.reply("b")]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])])
        #expect(try await h.router.route(H.request("r1")).provider == "a")
        let second = try await h.router.route(H.request("r2"))
        #expect(second.provider == "b")
        #expect(second.attempts.count == 1)
        #expect(h.trace("r2").contains("skip a rate_limited"))
    }

    @Test func failedOverRequestEventSequence() async throws {
        let h = try H(
            providers: [
                (H.profile("a", breaker: .init(consecutiveFailureThreshold: 1)), [.fail(.unavailable503)]),
                (H.profile("b"), [.reply("b")]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])])
        _ = try await h.router.route(H.request())
        let kinds = h.sink.events.map { event -> String in
            switch event {
            case .requestReceived: "received"
            case .attemptStarted(let e): "started:\(e.provider)"
            case .attemptFinished(let e): "finished:\(e.provider):\(e.outcome)"
            case .breakerTransition(let e): "breaker:\(e.provider):\(e.to)"
            case .requestFinished(let e): "finished:\(e.status):cost=\(e.cost.rawValue):attempts=\(e.attempts)"
            default: "other"
            }
        }
        #expect(
            kinds == [
                "received", "started:a", "breaker:a:open", "finished:a:error", "started:b", "finished:b:success",
                "finished:success:cost=0:attempts=2",
            ])
    }
}
