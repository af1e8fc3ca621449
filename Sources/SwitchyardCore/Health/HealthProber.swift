/// Probes every provider at a fixed interval and tells the router which ones answer.
///
/// A provider whose probe throws is marked unhealthy (skipped by routing) until a later probe succeeds; a provider
/// without a probe (``LLMProvider/probe(options:)`` returns `false`) is left as it is. Time comes from the injected
/// clock, so tests drive it with ``probeAll()`` or a manual clock.
public struct HealthProber<C: Clock>: Sendable where C.Duration == Duration {
    /// Results of one round, by provider name: `true` healthy, `false` unhealthy; providers without a probe are
    /// absent.
    public typealias Round = [String: Bool]

    let router: Router<C>
    let providers: [String: any LLMProvider]
    /// Time between rounds. Default 30 s.
    public let interval: Duration
    /// Time one probe may take. Default 5 s.
    public let timeout: Duration

    public init(
        router: Router<C>,
        providers: [String: any LLMProvider],
        interval: Duration = .seconds(30),
        timeout: Duration = .seconds(5)
    ) {
        self.router = router
        self.providers = providers
        self.interval = interval
        self.timeout = timeout
    }

    /// Probes every provider once, concurrently, and updates the router.
    @discardableResult
    public func probeAll() async -> Round {
        await withTaskGroup(of: (String, Bool?).self) { group in
            for (name, provider) in providers {
                group.addTask {
                    do {
                        let probed = try await provider.probe(options: ProviderCallOptions(timeout: timeout))
                        return (name, probed ? true : nil)
                    } catch {
                        return (name, false)
                    }
                }
            }
            var round: Round = [:]
            for await (name, healthy) in group {
                guard let healthy else { continue }
                round[name] = healthy
                router.setHealthy(healthy, provider: name)
            }
            return round
        }
    }

    /// Probes every `interval` until cancelled.
    public func run() async throws {
        while !Task.isCancelled {
            await probeAll()
            try await router.clock.sleep(for: interval)
        }
    }
}
