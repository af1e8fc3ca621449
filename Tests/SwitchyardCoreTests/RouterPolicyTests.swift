import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct RouterPolicyTests {
    typealias H = RouterHarness

    @Test func roundRobinSpreadsRequestsOverATier() async throws {
        let h = try H(
            providers: [(H.profile("a"), [.reply("a")]), (H.profile("b"), [.reply("b")]), (H.profile("c"), [.reply("c")])],
            routes: [H.route(tiers: [["a", "b", "c"]])])
        var answered: [String] = []
        for index in 0..<6 { answered.append(try await h.router.route(H.request("r\(index)")).provider) }
        #expect(answered == ["a", "b", "c", "a", "b", "c"])
    }

    @Test func costBalancingPrefersTheCheapestTarget() async throws {
        let h = try H(
            providers: [
                (H.profile("pricey", pricePerMTok: 10_000_000), [.reply("pricey")]),
                (H.profile("cheap", pricePerMTok: 100_000), [.reply("cheap")]),
            ],
            routes: [H.route(tiers: [["pricey", "cheap"]], balance: .cost)])
        for index in 0..<3 { #expect(try await h.router.route(H.request("r\(index)")).provider == "cheap") }
    }

    @Test func latencyBalancingPrefersTheFastestObservedTarget() async throws {
        let h = try H(
            providers: [
                (H.profile("slow", latency: .milliseconds(900)), [.reply("slow")]),
                (H.profile("quick", latency: .milliseconds(50)), [.reply("quick")]),
            ],
            routes: [H.route(tiers: [["slow", "quick"]], balance: .latency)])
        #expect(try await h.router.route(H.request()).provider == "quick")
    }

    @Test func priorityOverridesTheTierStrategy() async throws {
        var smart = H.profile("smart", pricePerMTok: 5_000_000)
        smart.quality = 0.95
        var cheap = H.profile("cheap", pricePerMTok: 100_000)
        cheap.quality = 0.3
        let h = try H(
            providers: [(smart, [.reply("smart")]), (cheap, [.reply("cheap")])],
            routes: [H.route(tiers: [["smart", "cheap"]], balance: .roundRobin)])
        #expect(try await h.router.route(H.request("q", priority: .quality)).provider == "smart")
        #expect(try await h.router.route(H.request("c", priority: .cost)).provider == "cheap")
        #expect(try await h.router.route(H.request("c2", priority: .cost)).provider == "cheap")
    }

    @Test func escalatesOnceAndNeverShowsTheMarker() async throws {
        let h = try H(
            providers: [
                (H.profile("small"), [.reply("[ESCALATE] I am not sure")]),
                (H.profile("big"), [.reply("The real answer [ESCALATE]")]),
            ],
            routes: [H.route(tiers: [["small"]], escalateTo: ["big"])])
        let answer = try await h.router.route(H.request())
        #expect(answer.provider == "big")
        #expect(answer.escalated)
        #expect(answer.response.content == "The real answer ")
        #expect(h.providers["big"]!.callCount == 1)
        #expect(answer.attempts.map(\.outcome) == [.escalated, .success])
        #expect(answer.attempts.map(\.isEscalation) == [false, true])
        #expect(
            h.trace("r1") == [
                "received main", "start small", "finish small escalated", "escalate small->big",
                "start big (escalation)", "finish big success", "done success",
            ])
    }

    @Test func escalationWithNowhereToGoKeepsTheAnswerWithoutTheMarker() async throws {
        let h = try H(
            providers: [(H.profile("small"), [.reply("[ESCALATE] best effort")]), (H.profile("big"), [.fail(.unavailable503)])],
            routes: [H.route(tiers: [["small"]], escalateTo: ["big"])])
        let answer = try await h.router.route(H.request())
        #expect(answer.provider == "small")
        #expect(answer.response.content == "best effort")
    }

    @Test func costCapFiltersCandidatesAndRejectsWhenNoneFit() async throws {
        let h = try H(
            providers: [
                (H.profile("pricey", pricePerMTok: 100_000_000, maxOutputTokens: 1000), [.reply("pricey")]),
                (H.profile("cheap", pricePerMTok: 1_000_000, maxOutputTokens: 1000), [.reply("cheap")]),
            ],
            routes: [H.route(tiers: [["pricey"], ["cheap"]])])
        // pricey's upper bound is ~ $0.10 (1000+ tokens at $100/MTok); cheap's ~ $0.001.
        let answer = try await h.router.route(H.request("r1", maxCost: MicroDollars(10_000)))
        #expect(answer.provider == "cheap")
        #expect(h.trace("r1").contains("skip pricey cost_cap"))

        let error = await #expect(throws: RoutingError.self) {
            try await h.router.route(H.request("r2", maxCost: MicroDollars(10)))
        }
        #expect(error?.code == .costCapExceeded)
        #expect(h.providers["cheap"]!.callCount == 1)
        #expect(h.trace("r2").last == "done rejected_cost_cap")
    }

    @Test func budgetIsReservedThenSettledAtTheActualCost() async throws {
        let h = try H(
            providers: [
                (H.profile("a", pricePerMTok: 1_000_000), [.reply("ok", usage: TokenUsage(promptTokens: 10, completionTokens: 50))])
            ],
            routes: [H.route(tiers: [["a"]])])
        let answer = try await h.router.route(H.request())
        #expect(answer.cost == MicroDollars(60))
        let status = try await h.budget.status(userID: "alice")
        #expect(status.spent == MicroDollars(60))
        #expect(status.reserved == .zero)
    }

    @Test func reportedUsageAboveTheUpperBoundIsBilledAtTheBound() async throws {
        // "hello" is at most 5 + 2 × 8 = 21 prompt tokens, and max_tokens is 100: the bound is 121 tokens.
        let absurd = TokenUsage(promptTokens: Int.max, completionTokens: Int.max)
        let h = try H(
            providers: [(H.profile("a", pricePerMTok: 1_000_000), [.reply("ok", usage: absurd)])],
            routes: [H.route(tiers: [["a"]])],
            budgetLimit: 200)
        let answer = try await h.router.route(H.request())
        #expect(answer.cost == MicroDollars(121))
        #expect(answer.attempts.first?.errorMessage?.contains("upper bound") == true)
        let status = try await h.budget.status(userID: "alice")
        #expect(status.spent == MicroDollars(121))
        #expect(status.spent <= status.limit)
    }

    @Test func aUserOverBudgetIsRejectedWithoutCallingAProvider() async throws {
        let h = try H(
            providers: [(H.profile("a", pricePerMTok: 1_000_000), [.reply("ok")])],
            routes: [H.route(tiers: [["a"]])],
            budgetLimit: MicroDollars(50))
        let error = await #expect(throws: RoutingError.self) { try await h.router.route(H.request()) }
        #expect(error?.code == .budgetExceeded)
        #expect(error?.budget?.status.limit == MicroDollars(50))
        #expect(h.providers["a"]!.callCount == 0)
        #expect(h.trace("r1") == ["received main", "done rejected_budget"])
    }

    @Test func resolvesRoutesProviderModelsAndBareModels() throws {
        let h = try H(
            providers: [(H.profile("a"), [.reply("a")]), (H.profile("b"), [.reply("b")])],
            routes: [H.route(tiers: [["a"]])])
        #expect(try h.router.resolve(model: "main").name == "main")
        #expect(try h.router.resolve(model: "").name == "main")
        #expect(try h.router.resolve(model: "b/m").tiers[0].targets == [RouteTarget(provider: "b", model: "m")])
        #expect(try h.router.resolve(model: "m").tiers[0].targets.count == 2)
        #expect(throws: RoutingError.self) { try h.router.resolve(model: "nope") }
    }

    @Test func rejectsConfigurationsThatCannotWork() {
        #expect(throws: RouterConfigurationError.self) {
            try H(providers: [(H.profile("a"), [.reply("a")])], routes: [H.route(tiers: [["ghost"]])])
        }
        #expect(throws: RouterConfigurationError.self) {
            try H(providers: [(H.profile("a"), [.reply("a")])], routes: [H.route(tiers: [[]])])
        }
    }

    @Test func healthProbesMarkProvidersUnhealthyAndBack() async throws {
        let h = try H(
            providers: [(H.profile("a"), [.reply("a")]), (H.profile("b"), [.reply("b")])],
            routes: [H.route(tiers: [["a"], ["b"]])])
        let prober = HealthProber(router: h.router, providers: h.providers)
        h.providers["a"]!.setProbeHealthy(false)
        #expect(await prober.probeAll() == ["a": false, "b": true])
        #expect(try await h.router.route(H.request("r1")).provider == "b")
        #expect(h.trace("r1").contains("skip a unhealthy"))
        h.providers["a"]!.setProbeHealthy(true)
        await prober.probeAll()
        #expect(try await h.router.route(H.request("r2")).provider == "a")
    }

    @Test func restoresBreakersFromTheLedger() async throws {
        let h = try H(
            providers: [(H.profile("a"), [.reply("a")]), (H.profile("b"), [.reply("b")])],
            routes: [H.route(tiers: [["a"], ["b"]])])
        let at = Date(timeIntervalSince1970: 1_800_000_000 - 10)
        h.router.restoreBreakers(from: [
            BreakerTransition(provider: "a", from: .closed, to: .open, reason: "x", at: at, openUntil: at.addingTimeInterval(30))
        ])
        #expect(try await h.router.route(H.request("r1")).provider == "b")
        h.clock.advance(by: .seconds(20))
        #expect(try await h.router.route(H.request("r2")).provider == "a")
    }
}

import struct Foundation.Date
