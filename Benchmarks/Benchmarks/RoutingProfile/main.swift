// Routes the same request many times with a no-op provider, for `perf record` and `valgrind --tool=callgrind`:
//   swift build -c release --product RoutingProfile && perf record -g .build/release/RoutingProfile 200000
import Foundation
import SwitchyardCore
import SwitchyardTesting

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100_000 : 100_000
/// Off the main actor, so the loop measures routing rather than executor hops.
nonisolated func routeLoop(_ router: Router<ContinuousClock>, iterations: Int) async throws -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<iterations { _ = try await router.route(RoutingFixture.request) }
    return start.duration(to: clock.now)
}

let router = try RoutingFixture.makeRouter(budget: nil)
_ = try await routeLoop(router, iterations: 1000)  // warm-up
let elapsed = try await routeLoop(router, iterations: iterations)
let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) * 1e-12
print("\(iterations) routed requests, \(String(format: "%.2f", micros / Double(iterations))) µs each")
