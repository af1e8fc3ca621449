import SwitchyardCore
import SwitchyardTesting
import Testing

/// Every way a request can end other than a clean answer: the client leaving, the request's own deadline, a probe
/// that ends without a verdict, an unknown upstream outcome, a cap, a failed escalation, a ledger that cannot write.
@Suite(.timeLimit(.minutes(1))) struct RouterExitPathTests {
    typealias H = RouterHarness
    static let oneFailureOpens = CircuitBreakerConfiguration(
        consecutiveFailureThreshold: 1, recoveryTimeout: .seconds(10))

    @Test func theRequestsOwnDeadlineNeverOpensTheBreaker() async throws {
        let deadline = ProviderError(.requestDeadline, "the request's deadline passed")
        let lateTimeout = ProviderError(.timeout, "no answer")
        let h = try H(
            providers: [(H.profile("a", breaker: Self.oneFailureOpens), [.fail(deadline), .fail(lateTimeout), .reply("ok")])],
            routes: [H.route(tiers: [["a"]])])
        for id in ["r1", "r2"] {
            let error = await #expect(throws: RoutingError.self) {
                // The provider's time-out is reported after the request's deadline (1 ms) has passed.
                try await h.router.route(H.request(id, timeout: .zero))
            }
            #expect(error?.code == .deadlineExceeded)
        }
        #expect(h.breakerTrace.isEmpty)
        #expect(h.router.providerSnapshots().first?.breakerState == .closed)
        #expect(try await h.router.route(H.request("r3")).provider == "a")
    }

    @Test(arguments: [
        ProviderError.http(status: 429, message: "slow down"),
        ProviderError.http(status: 400, message: "bad request"),
    ])
    func aProbeThatEndsWithoutAVerdictGivesItsSlotBack(_ probeError: ProviderError) async throws {
        let h = try H(
            providers: [
                (H.profile("a", breaker: Self.oneFailureOpens), [.fail(.unavailable503), .fail(probeError), .reply("ok")])
            ],
            routes: [H.route(tiers: [["a"]])],
            queue: QueueConfiguration(maxLength: 0, maxWait: .zero))
        _ = try? await h.router.route(H.request("r1"))
        #expect(h.router.providerSnapshots().first?.breakerState == .open)
        h.clock.advance(by: .seconds(11))
        _ = try? await h.router.route(H.request("r2"))  // the probe: 429 or 400
        #expect(h.providers["a"]!.callCount == 2)
        // The slot came back: the next request is let through as a probe, and closes the breaker.
        #expect(try await h.router.route(H.request("r3")).provider == "a")
        #expect(h.router.providerSnapshots().first?.breakerState == .closed)
    }

    @Test func aCancelledProbeGivesItsSlotBack() async throws {
        let h = try H(
            providers: [
                (H.profile("a", breaker: Self.oneFailureOpens),
                 [.fail(.unavailable503), .stream([ChatStreamChunk(contentDelta: "partial")]), .reply("ok")])
            ],
            routes: [H.route(tiers: [["a"]])],
            queue: QueueConfiguration(maxLength: 0, maxWait: .zero))
        _ = try? await h.router.route(H.request("r1"))
        h.clock.advance(by: .seconds(11))
        let error = await #expect(throws: RoutingError.self) {
            try await h.router.routeStream(H.request("r2")) { _ in throw CancellationError() }
        }
        #expect(error?.code == .cancelled)
        #expect(try await h.router.route(H.request("r3")).provider == "a")
    }

    @Test func aClientThatHangsUpMidStreamPaysForThePromptAndTheTextItGot() async throws {
        let chunks = [ChatStreamChunk(contentDelta: "one two "), ChatStreamChunk(contentDelta: "three four")]
        let h = try H(
            providers: [(H.profile("a", pricePerMTok: 1_000_000), [.stream(chunks)])],
            routes: [H.route(tiers: [["a"]])])
        var received = 0
        let error = await #expect(throws: RoutingError.self) {
            try await h.router.routeStream(H.request()) { _ in
                received += 1
                if received == 2 { throw CancellationError() }
            }
        }
        #expect(error?.code == .cancelled)
        let attempt = try #require(error?.attempts.first)
        #expect(attempt.outcome == .cancelled)
        #expect(attempt.usage?.isEstimated == true)
        // "hello": at most 21 prompt tokens; "one two three four" is 18 characters, about 5 tokens.
        #expect(attempt.usage == TokenUsage(promptTokens: 21, completionTokens: 5, isEstimated: true))
        #expect(attempt.cost == MicroDollars(26))
        let status = try await h.budget.status(userID: "alice")
        #expect(status.spent == MicroDollars(26))
        #expect(status.reserved == .zero)
        #expect(h.trace("r1").last == "done cancelled")
    }

    @Test func aCallWhoseOutcomeUpstreamIsUnknownIsBilledAtItsUpperBound() async throws {
        let h = try H(
            providers: [
                (H.profile("a", pricePerMTok: 1_000_000), [.fail(ProviderError(.timeout, "no response headers"))]),
                (H.profile("b", pricePerMTok: 1_000_000), [.fail(.unavailable503)]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])])
        let error = await #expect(throws: RoutingError.self) { try await h.router.route(H.request()) }
        #expect(error?.attempts.map(\.cost) == [MicroDollars(121), .zero])
        #expect(try await h.budget.status(userID: "alice").spent == MicroDollars(121))
    }

    @Test func maxCostBoundsTheWholeRequestAcrossFailover() async throws {
        let h = try H(
            providers: [
                (H.profile("a", pricePerMTok: 1_000_000), [.fail(ProviderError(.timeout, "no response headers"))]),
                (H.profile("b", pricePerMTok: 1_000_000), [.reply("from b")]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])])
        // Each candidate may cost 121 µ$; after a's time-out (billed 121) b no longer fits a cap of 200.
        let error = await #expect(throws: RoutingError.self) {
            try await h.router.route(H.request(maxCost: MicroDollars(200)))
        }
        #expect(error?.code == .allProvidersFailed)
        #expect(h.providers["b"]!.callCount == 0)
        #expect(h.trace("r1").contains("skip b cost_cap"))
        #expect(try await h.budget.status(userID: "alice").spent <= MicroDollars(200))
    }

    @Test func failoverExtendsTheReservationAndTheBudgetStillBinds() async throws {
        let timeout = ProviderError(.timeout, "no response headers")
        let h = try H(
            providers: [
                (H.profile("a", pricePerMTok: 1_000_000), [.fail(timeout), .fail(timeout)]),
                (H.profile("b", pricePerMTok: 1_000_000), [.reply("from b", usage: TokenUsage(promptTokens: 5, completionTokens: 5))]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])],
            budgetLimit: 300)
        // r1: a times out (121), b needs another 121: 242 fits 300, so the reservation grows and b answers.
        let answer = try await h.router.route(H.request("r1"))
        #expect(answer.provider == "b")
        #expect(answer.cost == MicroDollars(131))
        // r2: 169 left; a times out (121), b would need 121 more: refused, never called.
        let calls = h.providers["b"]!.callCount
        _ = try? await h.router.route(H.request("r2"))
        #expect(h.providers["b"]!.callCount == calls)
        #expect(h.trace("r2").contains("skip b budget"))
        let status = try await h.budget.status(userID: "alice")
        #expect(status.spent == MicroDollars(252))
        #expect(status.spent <= status.limit)
        #expect(status.reserved == .zero)
    }

    @Test func aStreamedEscalationWhoseTargetsAllFailIsAnError() async throws {
        let h = try H(
            providers: [
                (H.profile("a"), [.stream([ChatStreamChunk(contentDelta: "[ESCALATE] I cannot"), ChatStreamChunk(contentDelta: " do this", finishReason: .stop)])]),
                (H.profile("strong"), [.fail(.unavailable503)]),
            ],
            routes: [H.route(tiers: [["a"]], escalateTo: ["strong"])])
        var chunks = 0
        let error = await #expect(throws: RoutingError.self) {
            try await h.router.routeStream(H.request()) { _ in chunks += 1 }
        }
        #expect(error?.code == .escalationFailed)
        #expect(chunks == 0)
    }

    @Test func noProviderIsCalledWhileTheLedgerCannotRecord() async throws {
        let h = try H(providers: [(H.profile("a"), [.reply("ok")])], routes: [H.route(tiers: [["a"]])])
        h.sink.isAvailable = false
        let error = await #expect(throws: RoutingError.self) { try await h.router.route(H.request()) }
        #expect(error?.code == .ledgerUnavailable)
        #expect(error?.retryAfter != nil)
        #expect(h.providers["a"]!.callCount == 0)
        h.sink.isAvailable = true
        #expect(try await h.router.route(H.request("r2")).provider == "a")
    }

    @Test func anAbsurdRetryAfterCoolsTheProviderDownOnlyUpToTheCap() async throws {
        let absurd = ProviderError.http(status: 429, message: "slow down", retryAfter: .seconds(Int64.max / 4))
        var retry = RetryPolicy.none
        retry.maxRetryAfter = .seconds(5)
        let h = try H(
            providers: [(H.profile("a", retry: retry), [.fail(absurd), .reply("ok")])],
            routes: [H.route(tiers: [["a"]])],
            queue: QueueConfiguration(maxLength: 0, maxWait: .zero))
        _ = try? await h.router.route(H.request("r1"))
        _ = try? await h.router.route(H.request("r2"))
        #expect(h.providers["a"]!.callCount == 1)
        h.clock.advance(by: .seconds(6))
        #expect(try await h.router.route(H.request("r3")).provider == "a")
    }
}
