import Benchmark
import Foundation
import SwitchyardCore
import Synchronization

/// Answers at once: the benchmark measures the router, not a provider.
struct NoopProvider: LLMProvider {
    func chat(_ request: ChatRequest, options: ProviderCallOptions) async throws -> ChatResponse {
        ChatResponse(model: request.model, content: "ok", finishReason: .stop, usage: TokenUsage(promptTokens: 10, completionTokens: 2))
    }

    func streamChat(_ request: ChatRequest, options: ProviderCallOptions) async throws
        -> AsyncThrowingStream<ChatStreamChunk, any Error>
    {
        AsyncThrowingStream { continuation in
            continuation.yield(ChatStreamChunk(contentDelta: "ok", finishReason: .stop, usage: .zero))
            continuation.finish()
        }
    }
}

/// Counts events, so emission is paid for but nothing accumulates.
final class CountingSink: RouterEventSink {
    let count = Atomic<Int>(0)
    func emit(_ event: RouterEvent) { count.add(1, ordering: .relaxed) }
    func flush() async throws {}
}

func makeRouter(budget: (any BudgetStore)?) throws -> Router<ContinuousClock> {
    let pricing = ModelPricing(inputPerMillionTokens: 150_000, outputPerMillionTokens: 600_000)
    let names = ["local", "cheap-a", "cheap-b", "strong", "emergency"]
    let profiles = names.map { name in
        ProviderProfile(
            name: name, quality: 0.5, specialties: [.code], models: [ModelProfile(name: "m", pricing: pricing)],
            rateLimit: RateLimitConfiguration(requestsPerSecond: 1e9, burst: 1_000_000, maxConcurrent: 10_000))
    }
    let route = Route(
        name: "default",
        tiers: [
            Tier(name: "local", targets: [RouteTarget(provider: "local", model: "m")]),
            Tier(
                name: "cheap",
                targets: [RouteTarget(provider: "cheap-a", model: "m"), RouteTarget(provider: "cheap-b", model: "m")],
                balance: .cost),
            Tier(name: "strong", targets: [RouteTarget(provider: "strong", model: "m")]),
            Tier(name: "emergency", targets: [RouteTarget(provider: "emergency", model: "m")]),
        ],
        escalation: EscalationPolicy(targets: [RouteTarget(provider: "strong", model: "m")]))
    var providers: [String: any LLMProvider] = [:]
    for name in names { providers[name] = NoopProvider() }
    return try Router(
        configuration: RouterConfiguration(providers: profiles, routes: [route]),
        providers: providers, clock: ContinuousClock(), eventSink: CountingSink(), budget: budget,
        random: SeededRandom(seed: 1))
}

let request = RoutingRequest(
    id: "bench", userID: "bench", model: "default",
    chat: ChatRequest(model: "", messages: [.system("You are terse."), .user("Write a Swift function that adds two numbers.")]))

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        maxDuration: .seconds(3),
        maxIterations: 200_000)

    // Selection + breaker + limiter + event emission around a provider that answers at once.
    Benchmark("route: 4 tiers, no-op provider, no budget") { benchmark in
        let router = try makeRouter(budget: nil)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await router.route(request)) }
    }

    Benchmark("route: as above + in-memory budget reserve/settle") { benchmark in
        let router = try makeRouter(budget: InMemoryBudgetStore(defaultLimit: MicroDollars(Int64.max / 4)))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await router.route(request)) }
    }

    Benchmark("route: priority=cost over a 2-target tier") { benchmark in
        let router = try makeRouter(budget: nil)
        var prioritised = request
        prioritised.priority = .cost
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await router.route(prioritised)) }
    }
}
