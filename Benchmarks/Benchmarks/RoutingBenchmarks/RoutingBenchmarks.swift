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
}
