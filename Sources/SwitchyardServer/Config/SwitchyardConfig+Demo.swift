import SwitchyardProviders
import SwitchyardCore

extension SwitchyardConfig {
    /// The built-in demo that runs when no config file is given: four simulated providers, no network, no keys.
    ///
    /// - `local` (free, 30 ms, fails 20% of calls, answers `[ESCALATE]` 15% of the time, quality 0.4),
    /// - `cheap-cloud` ($0.15/$0.60 per MTok, 80 ms, fails 5%, quality 0.6, good at writing),
    /// - `strong-cloud` ($3/$15 per MTok, 250 ms, quality 0.95, good at code and analysis),
    /// - `emergency` ($1/$2 per MTok, 150 ms, quality 0.5).
    ///
    /// Route `default` (the default route) walks `local` → `cloud` (cheap-cloud and strong-cloud, cheapest
    /// first) → `emergency`, and escalates to `strong-cloud`. Route `auto` has one tier with every model, for
    /// requests that ask for a priority (cost, speed, quality). `examples/demo.yaml` is the same configuration
    /// as YAML (a test keeps them equal).
    public static let demo = SwitchyardConfig(
        providers: [
            .demoSimulated(
                name: "local", model: ModelProfile(name: "local-small"), quality: 0.4, latencyMs: 30,
                failureRate: 0.2, escalationRate: 0.15, seed: 1),
            .demoSimulated(
                name: "cheap-cloud",
                model: ModelProfile(
                    name: "cheap-mini",
                    pricing: ModelPricing(inputPerMillionTokens: 150_000, outputPerMillionTokens: 600_000)),
                quality: 0.6, specialties: [.writing], latencyMs: 80, failureRate: 0.05, seed: 2),
            .demoSimulated(
                name: "strong-cloud",
                model: ModelProfile(
                    name: "strong-large",
                    pricing: ModelPricing(inputPerMillionTokens: 3_000_000, outputPerMillionTokens: 15_000_000),
                    maxOutputTokens: 4096),
                quality: 0.95, specialties: [.code, .analysis], latencyMs: 250, seed: 3),
            .demoSimulated(
                name: "emergency",
                model: ModelProfile(
                    name: "emergency-basic",
                    pricing: ModelPricing(inputPerMillionTokens: 1_000_000, outputPerMillionTokens: 2_000_000)),
                quality: 0.5, latencyMs: 150, seed: 4),
        ],
        routes: [
            Route(
                name: "default",
                tiers: [
                    Tier(name: "local", targets: [RouteTarget(provider: "local", model: "local-small")]),
                    Tier(
                        name: "cloud",
                        targets: [
                            RouteTarget(provider: "cheap-cloud", model: "cheap-mini"),
                            RouteTarget(provider: "strong-cloud", model: "strong-large"),
                        ],
                        balance: .cost),
                    Tier(name: "emergency", targets: [RouteTarget(provider: "emergency", model: "emergency-basic")]),
                ],
                escalation: EscalationPolicy(targets: [RouteTarget(provider: "strong-cloud", model: "strong-large")])),
            Route(
                name: "auto",
                tiers: [
                    Tier(
                        name: "all",
                        targets: [
                            RouteTarget(provider: "local", model: "local-small"),
                            RouteTarget(provider: "cheap-cloud", model: "cheap-mini"),
                            RouteTarget(provider: "strong-cloud", model: "strong-large"),
                            RouteTarget(provider: "emergency", model: "emergency-basic"),
                        ],
                        balance: .cost)
                ]),
        ],
        defaultRoute: "default"
    )
}

extension ProviderSettings {
    /// A simulated provider as the YAML loader builds it: the expected latency is the simulated one.
    fileprivate static func demoSimulated(
        name: String,
        model: ModelProfile,
        quality: Double,
        specialties: Set<PromptClass> = [],
        latencyMs: Int,
        failureRate: Double = 0,
        escalationRate: Double = 0,
        seed: UInt64
    ) -> ProviderSettings {
        ProviderSettings(
            profile: ProviderProfile(
                name: name, quality: quality, specialties: specialties, models: [model],
                expectedLatency: .milliseconds(latencyMs)),
            options: SimulatedProvider.Configuration(
                latency: .milliseconds(latencyMs), failureRate: failureRate, escalationRate: escalationRate,
                seed: seed))
    }
}
