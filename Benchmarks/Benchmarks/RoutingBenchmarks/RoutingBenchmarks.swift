import Benchmark
import Foundation
import SwitchyardCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        maxDuration: .seconds(3),
        maxIterations: 200_000)

    // Selection + breaker + limiter + event emission around a provider that answers at once.
    Benchmark("route: 4 tiers, no-op provider, no budget") { benchmark in
        let router = try RoutingFixture.makeRouter(budget: nil)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await router.route(RoutingFixture.request)) }
    }

    Benchmark("route: as above + in-memory budget reserve/settle") { benchmark in
        let router = try RoutingFixture.makeRouter(budget: InMemoryBudgetStore(defaultLimit: MicroDollars(Int64.max / 4)))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await router.route(RoutingFixture.request)) }
    }

    Benchmark("route: priority=cost over a 2-target tier") { benchmark in
        let router = try RoutingFixture.makeRouter(budget: nil)
        var prioritised = RoutingFixture.request
        prioritised.priority = .cost
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await router.route(prioritised)) }
    }
}
