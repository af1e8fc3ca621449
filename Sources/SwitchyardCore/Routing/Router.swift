public import struct Foundation.Date
import Synchronization

/// Decides which provider answers each request, survives the ones that fail, and reports everything it does.
///
/// A router holds the live state of every provider (circuit breaker, rate limits, health, figures) and walks a
/// request's route tier by tier: candidates of a tier are ordered by the request's priority or the tier's balance
/// strategy, unavailable ones are skipped, each call is retried with backoff while the error is retryable, and the
/// next candidate takes over when it is not. Before the first call the request's upper-bound cost is checked against
/// its cost cap and reserved from the user's budget; afterwards the actual cost is settled and every event is
/// flushed to the sink before the answer is returned.
///
/// ```swift
/// let router = try Router(
///     configuration: configuration,
///     providers: ["local": SimulatedProvider(name: "local")],
///     clock: ContinuousClock(),
///     eventSink: ledger,
///     budget: budgets)
/// let answer = try await router.route(RoutingRequest(id: "r1", model: "default", chat: chat))
/// ```
public final class Router<C: Clock>: Sendable where C.Duration == Duration {
    public let configuration: RouterConfiguration
    let clock: C
    let eventSink: any RouterEventSink
    let budget: (any BudgetStore)?
    let now: @Sendable () -> Date
    /// Where the router's timeline starts on `clock`; see ``RouterInstant``.
    let origin: C.Instant
    let runtimes: [String: ProviderRuntime<RouterInstant>]
    let routes: [String: Route]
    /// Configured routes with their targets resolved, by name.
    let resolvedRoutes: [String: ResolvedRoute]
    /// Every `provider/model`, resolved.
    let targets: [String: ResolvedTarget]
    /// Model name → the targets that serve it, for requests that name a bare model.
    let modelIndex: [String: [RouteTarget]]
    let queue: WaitQueue
    let random: Mutex<any RandomNumberGenerator & Sendable>
    /// Ticks once per call, to order round-robin targets by last use.
    let useCounter = Atomic<UInt64>(0)
    /// Requests inside ``route(_:)`` or ``routeStream(_:onChunk:)`` now.
    let inFlight = Atomic<Int>(0)

    /// Creates a router and checks that its configuration can work.
    ///
    /// - Parameters:
    ///   - configuration: providers' profiles, routes, queue and policy settings.
    ///   - providers: the implementation of every provider named in the configuration, by name.
    ///   - clock: drives timeouts, backoff, breakers and limits (a manual clock in tests).
    ///   - eventSink: receives every ``RouterEvent``.
    ///   - budget: per-user budgets; `nil` routes without budget checks.
    ///   - random: the source of jitter and weighted balancing.
    ///   - now: the wall clock for event timestamps.
    /// - Throws: ``RouterConfigurationError`` naming the first problem found (see ``RouterTopology``), or a provider
    ///   of the configuration missing from `providers`.
    public init(
        configuration: RouterConfiguration,
        providers: [String: any LLMProvider],
        clock: C,
        eventSink: any RouterEventSink = DiscardingEventSink(),
        budget: (any BudgetStore)? = nil,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.configuration = configuration
        self.clock = clock
        self.eventSink = eventSink
        self.budget = budget
        self.now = now
        self.queue = WaitQueue(maxLength: max(configuration.queue.maxLength, 0))
        self.random = Mutex(random)
        self.origin = clock.now

        let topology = try RouterTopology(configuration)
        var runtimes: [String: ProviderRuntime<RouterInstant>] = [:]
        for (index, profile) in configuration.providers.enumerated() {
            guard let provider = providers[profile.name] else {
                throw RouterConfigurationError(
                    .missingProvider, path: "providers[\(index)]",
                    message: "no implementation for provider '\(profile.name)'")
            }
            runtimes[profile.name] = ProviderRuntime(
                profile: profile, provider: provider, ewmaWeight: configuration.latencyEWMAWeight)
        }
        let targets = topology.models.mapValues { entry in
            let target = RouteTarget(provider: entry.provider.name, model: entry.model.name)
            return ResolvedTarget(
                target: target, runtime: runtimes[entry.provider.name]!, model: entry.model, usage: TargetUsage())
        }
        let modelIndex = topology.modelIndex
        let routes = Dictionary(uniqueKeysWithValues: configuration.routes.map { ($0.name, $0) })
        self.runtimes = runtimes
        self.routes = routes
        self.modelIndex = modelIndex
        self.targets = targets
        self.resolvedRoutes = routes.mapValues { Self.bind($0, to: targets) }
    }

    /// Binds a route's targets to runtimes and models (weights come from the route).
    static func bind(_ route: Route, to targets: [String: ResolvedTarget]) -> ResolvedRoute {
        func bind(_ target: RouteTarget) -> ResolvedTarget? {
            guard var resolved = targets[target.description] else { return nil }
            resolved.target = target
            return resolved
        }
        return ResolvedRoute(
            route: route,
            tiers: route.tiers.map { ($0, $0.targets.compactMap(bind)) },
            escalation: (route.escalation?.targets ?? []).compactMap(bind))
    }

    /// The router's monotonic now.
    func instant() -> RouterInstant {
        RouterInstant(offset: origin.duration(to: clock.now))
    }

    /// A router instant on the injected clock (to sleep until it).
    func clockInstant(_ instant: RouterInstant) -> C.Instant {
        origin.advanced(by: instant.offset)
    }

    /// Routes one request and returns the complete answer.
    ///
    /// - Throws: ``RoutingError`` when no answer can be given (budget, cost cap, all providers failed or
    ///   unavailable, deadline). The request is recorded either way.
    public func route(_ request: RoutingRequest) async throws -> RoutedResponse {
        try await execute(request, onChunk: nil)
    }

    /// Routes one request and streams its answer through `onChunk`.
    ///
    /// Failover happens only before the first chunk is handed over; a stream that breaks after that ends with a
    /// ``RoutingError/Code/streamInterrupted`` error. The escalation marker is removed from the text; an answer
    /// that *starts* with it is escalated before anything is sent. The last chunk carries the finish reason and
    /// usage; the returned ``RoutedResponse`` sums it all up after the ledger has it.
    public func routeStream(
        _ request: RoutingRequest,
        onChunk: (RoutedChunk) async throws -> Void
    ) async throws -> RoutedResponse {
        try await withoutActuallyEscaping(onChunk) { onChunk in
            try await execute(request, onChunk: onChunk)
        }
    }

    /// Finds the route that serves a requested model name.
    ///
    /// A route's name; `provider/model`; a model name served by providers (each becomes a target of one
    /// round-robin tier); or an empty name for the default route.
    public func resolve(model: String) throws -> Route {
        try resolved(model: model).route
    }

    func resolved(model: String) throws -> ResolvedRoute {
        if model.isEmpty {
            if let name = configuration.defaultRoute ?? configuration.routes.first?.name, let route = resolvedRoutes[name] {
                return route
            }
        } else if let route = resolvedRoutes[model] {
            return route
        } else if targets[model] != nil, let target = RouteTarget(parsing: model) {
            return Self.bind(Route(name: model, tiers: [Tier(name: "direct", targets: [target])]), to: targets)
        } else if let served = modelIndex[model] {
            return Self.bind(Route(name: model, tiers: [Tier(name: "direct", targets: served)]), to: targets)
        }
        let known = configuration.routes.map(\.name).joined(separator: ", ")
        throw RoutingError(
            .unknownModel,
            "unknown model '\(model)': use a route (\(known)), 'provider/model', or a model a provider serves")
    }

    // MARK: Operator controls

    /// Forces a provider down (drained: never called) or back up.
    /// - Returns: `false` when no provider has that name.
    @discardableResult
    public func setForcedDown(_ down: Bool, provider: String) -> Bool {
        guard let runtime = runtimes[provider] else { return false }
        runtime.state.withLock { $0.forcedDown = down }
        if !down { queue.signal() }
        return true
    }

    /// Marks a provider healthy or not (the health prober's verdict).
    @discardableResult
    public func setHealthy(_ healthy: Bool, provider: String) -> Bool {
        guard let runtime = runtimes[provider] else { return false }
        runtime.state.withLock { $0.healthy = healthy }
        if healthy { queue.signal() }
        return true
    }

    /// Puts breakers back as the ledger last recorded them (after a restart).
    ///
    /// An `open` breaker stays open until its recorded `openUntil`; a `half_open` one lets its next call through as
    /// a probe; a `closed` one starts fresh.
    public func restoreBreakers(from transitions: [BreakerTransition]) {
        let wallNow = now()
        let instant = instant()
        for transition in transitions {
            guard let runtime = runtimes[transition.provider] else { continue }
            let until = transition.openUntil ?? transition.at.addingTimeInterval(
                runtime.profile.circuitBreaker.recoveryTimeout.inSeconds)
            let remaining = transition.to == .open ? Duration.seconds(until.timeIntervalSince(wallNow)) : .zero
            runtime.state.withLock { $0.breaker.restore(state: transition.to, remaining: remaining, now: instant) }
        }
    }

    /// The live figures of every provider, in configuration order.
    public func providerSnapshots() -> [ProviderSnapshot] {
        let instant = instant()
        return configuration.providers.compactMap { profile in
            guard let runtime = runtimes[profile.name] else { return nil }
            return runtime.state.withLock { state in
                ProviderSnapshot(
                    profile: profile,
                    breakerState: state.breaker.state(at: instant),
                    isForcedDown: state.forcedDown,
                    isHealthy: state.healthy,
                    inFlight: state.limiter.inFlight,
                    stats: state.stats)
            }
        }
    }

    /// Requests waiting for a provider now.
    public var queueLength: Int { queue.length }

    /// Requests being routed now: from the moment ``route(_:)`` or ``routeStream(_:onChunk:)`` is called until it
    /// returns or throws (admission, queue wait, attempts, streaming and the ledger flush included). The requests
    /// of ``queueLength`` are among them.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }
}
