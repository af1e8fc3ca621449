import Foundation
import SwitchyardCore
import SwitchyardTesting

/// Builds routers over scripted providers, a manual clock, in-memory events and budgets.
struct RouterHarness {
    let clock: ManualClock
    let sink = InMemoryEventSink()
    let budget: InMemoryBudgetStore
    let providers: [String: ScriptedProvider]
    let router: Router<ManualClock>

    init(
        providers: [(ProviderProfile, [ScriptedProvider.Step])],
        routes: [Route],
        queue: QueueConfiguration = QueueConfiguration(maxLength: 10, maxWait: .seconds(10)),
        autoAdvance: Bool = true,
        budgetLimit: MicroDollars = 1_000_000,
        useBudget: Bool = true
    ) throws {
        clock = ManualClock(autoAdvance: autoAdvance)
        budget = InMemoryBudgetStore(defaultLimit: budgetLimit)
        var scripted: [String: ScriptedProvider] = [:]
        for (profile, steps) in providers { scripted[profile.name] = ScriptedProvider(steps) }
        self.providers = scripted
        router = try Router(
            configuration: RouterConfiguration(
                providers: providers.map(\.0), routes: routes, queue: queue),
            providers: scripted,
            clock: clock,
            eventSink: sink,
            budget: useBudget ? budget : nil,
            random: SeededRandom(seed: 99),
            now: { Date(timeIntervalSince1970: 1_800_000_000) })
    }

    /// A profile with one model `m` at the given price per million tokens (input and output).
    static func profile(
        _ name: String,
        pricePerMTok: Int64 = 0,
        retry: RetryPolicy = .none,
        breaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        rateLimit: RateLimitConfiguration = .unlimited,
        latency: Duration = .seconds(1),
        maxOutputTokens: Int = 100
    ) -> ProviderProfile {
        ProviderProfile(
            name: name,
            models: [
                ModelProfile(
                    name: "m",
                    pricing: ModelPricing(
                        inputPerMillionTokens: MicroDollars(pricePerMTok),
                        outputPerMillionTokens: MicroDollars(pricePerMTok)),
                    maxOutputTokens: maxOutputTokens)
            ],
            expectedLatency: latency, retry: retry, circuitBreaker: breaker, rateLimit: rateLimit)
    }

    /// A route with one tier per group of provider names (model `m` each).
    static func route(_ name: String = "main", tiers: [[String]], balance: BalanceStrategy = .roundRobin, escalateTo: [String] = [])
        -> Route
    {
        Route(
            name: name,
            tiers: tiers.enumerated().map { index, names in
                Tier(name: "tier\(index)", targets: names.map { RouteTarget(provider: $0, model: "m") }, balance: balance)
            },
            escalation: escalateTo.isEmpty
                ? nil : EscalationPolicy(targets: escalateTo.map { RouteTarget(provider: $0, model: "m") }))
    }

    static func request(
        _ id: String = "r1", model: String = "main", user: String = "alice", prompt: String = "hello",
        priority: RoutingPriority? = nil, maxCost: MicroDollars? = nil, timeout: Duration? = nil
    ) -> RoutingRequest {
        RoutingRequest(
            id: id, userID: user, model: model, chat: ChatRequest(model: "", messages: [.user(prompt)]),
            priority: priority, maxCost: maxCost, timeout: timeout)
    }

    /// A short, comparable description of a request's events.
    func trace(_ requestID: String) -> [String] {
        sink.events(for: requestID).map { event in
            switch event {
            case .requestReceived(let e): "received \(e.route)"
            case .attemptStarted(let e): "start \(e.provider)\(e.isEscalation ? " (escalation)" : "")"
            case .attemptFinished(let e): "finish \(e.provider) \(e.outcome)"
            case .breakerTransition(let e): "breaker \(e.provider) \(e.to.rawValue)"
            case .escalated(let e): "escalate \(e.fromProvider)->\(e.toProvider)"
            case .targetSkipped(let e): "skip \(e.provider) \(e.reason.rawValue)"
            case .queued: "queued"
            case .downgraded(let e): "downgrade \(e.tier) \(e.reason.rawValue)"
            case .requestFinished(let e): "done \(e.status)"
            }
        }
    }

    var breakerTrace: [String] {
        sink.events.compactMap { event in
            guard case .breakerTransition(let e) = event else { return nil }
            return "\(e.provider) \(e.from.rawValue)->\(e.to.rawValue): \(e.reason)"
        }
    }
}

extension ProviderError {
    static let unavailable503 = ProviderError.http(status: 503, message: "unavailable")
}
