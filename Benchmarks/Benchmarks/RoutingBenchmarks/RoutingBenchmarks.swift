import Benchmark
import Foundation
import SwitchyardCore
import SwitchyardTesting

/// Routes `count` requests. Nonisolated, so the loop stays on the concurrency pool instead of hopping executors
/// for every call (which would measure thread hand-offs, not routing).
nonisolated func route(_ router: Router<ContinuousClock>, _ request: RoutingRequest, count: Int) async throws {
    for _ in 0..<count { blackHole(try await router.route(request)) }
}

let benchmarks: @Sendable () -> Void = {
    // Each sample routes 1,000 requests; figures are per request.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 2_000)

    // Selection + breaker + limiter + event emission around a provider that answers at once.
    Benchmark("route: 4 tiers, no-op provider, no budget") { benchmark in
        let router = try RoutingFixture.makeRouter(budget: nil)
        benchmark.startMeasurement()
        try await route(router, RoutingFixture.request, count: benchmark.scaledIterations.count)
    }

    Benchmark("route: as above + in-memory budget reserve/settle") { benchmark in
        let router = try RoutingFixture.makeRouter(budget: InMemoryBudgetStore(defaultLimit: MicroDollars(Int64.max / 4)))
        benchmark.startMeasurement()
        try await route(router, RoutingFixture.request, count: benchmark.scaledIterations.count)
    }

    Benchmark("route: priority=cost over a 2-target tier") { benchmark in
        let router = try RoutingFixture.makeRouter(budget: nil)
        var prioritised = RoutingFixture.request
        prioritised.priority = .cost
        benchmark.startMeasurement()
        try await route(router, prioritised, count: benchmark.scaledIterations.count)
    }

    // The billing arithmetic alone: a usage with every priced part, in the long-context tier, and a reservation's
    // bound. Figures are per 1,000 calls of each (the scaling factor).
    Benchmark("price: cost of a usage with cached, cache-write and reasoning tokens + upper bound") { benchmark in
        let pricing = ModelPricing(
            TokenPrices(
                inputPerMillionTokens: 3_000_000, outputPerMillionTokens: 15_000_000,
                cachedInputPerMillionTokens: 300_000, cacheWritePerMillionTokens: 3_750_000),
            longContext: LongContextPricing(
                abovePromptTokens: 200_000,
                prices: TokenPrices(inputPerMillionTokens: 6_000_000, outputPerMillionTokens: 22_500_000)))
        let usage = TokenUsage(
            promptTokens: 250_000, completionTokens: 1_000, cachedPromptTokens: 100_000, cacheWriteTokens: 20_000,
            reasoningTokens: 300)
        benchmark.startMeasurement()
        for _ in 0..<benchmark.scaledIterations.count {
            blackHole(pricing.cost(of: identity(usage)))
            blackHole(pricing.upperBoundCost(promptTokens: identity(300_000), completionTokens: 4_096))
        }
    }
}
