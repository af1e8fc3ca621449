public import SwitchyardCore
import Synchronization

/// Answers at once: the benchmark measures the router, not a provider.
public struct NoopProvider: LLMProvider {
    public init() {}

    public func chat(_ request: ChatRequest, options: ProviderCallOptions) async throws -> ChatResponse {
        ChatResponse(model: request.model, content: "ok", finishReason: .stop, usage: TokenUsage(promptTokens: 10, completionTokens: 2))
    }

    public func streamChat(_ request: ChatRequest, options: ProviderCallOptions) async throws
        -> AsyncThrowingStream<ChatStreamChunk, any Error>
    {
        AsyncThrowingStream { continuation in
            continuation.yield(ChatStreamChunk(contentDelta: "ok", finishReason: .stop, usage: .zero))
            continuation.finish()
        }
    }
}

/// Counts events, so emission is paid for but nothing accumulates.
public final class CountingSink: RouterEventSink {
    public init() {}
    private let counter = Atomic<Int>(0)
    /// Events received so far.
    public var count: Int { counter.load(ordering: .relaxed) }
    public func emit(_ event: RouterEvent) { counter.add(1, ordering: .relaxed) }
    public func flush() async throws {}
}

/// The router the benchmarks measure: five providers over four tiers with escalation, answering at once.
public enum RoutingFixture {
    public static func makeRouter(budget: (any BudgetStore)?) throws -> Router<ContinuousClock> {
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

    public static let request = RoutingRequest(
        id: "bench", userID: "bench", model: "default",
        chat: ChatRequest(model: "", messages: [.system("You are terse."), .user("Write a Swift function that adds two numbers.")]))
}
