import SwitchyardProviders
import Foundation
import SwitchyardCore
import SwitchyardServer

/// Configurations shared by the config tests.
enum ConfigFixtures {
    /// A file of this repository, found from this source file's path.
    static func repositoryFile(_ relativePath: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // SwitchyardServerTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent(relativePath).path
    }

    /// Every key of every section, each set to something other than its default.
    static let everyKey = """
        server:
          host: 0.0.0.0
          port: 9090
          admin_key_env: SWITCHYARD_ADMIN_KEY
          max_body_bytes: 2_097_152
        database:
          path: /var/lib/switchyard/ledger.sqlite
          busy_timeout_ms: 2500
        budgets:
          default_limit_usd: 2.50
        keys:
          required: true
        default_route: fast
        specialty_boost: 0.5
        defaults:
          timeout_ms: 30000
          retry:
            max_attempts: 3
            initial_backoff_ms: 250
            max_backoff_ms: 4000
            multiplier: 1.5
            jitter: equal
          circuit_breaker:
            failure_threshold: 7
            failure_rate_threshold: 0.6
            window_size: 30
            minimum_calls: 12
            recovery_timeout_ms: 15000
            recovery_backoff_multiplier: 3
            max_recovery_timeout_ms: 600000
            half_open_max_probes: 2
            half_open_successes_to_close: 2
          rate_limit:
            requests_per_second: 2.5
            burst: 5
            requests_per_minute: 120
            max_concurrent: 10
          timeout:
            connect_ms: 2000
            first_byte_ms: 10000
            idle_ms: 15000
            total_ms: 60000
        providers:
          - name: openai
            kind: openai
            base_url: https://proxy.example.com/v1
            api_key_env: OPENAI_API_KEY
            quality: 0.8
            specialties: [writing, general]
            expected_latency_ms: 700
            models:
              - name: gpt-4o-mini
                input_usd_per_mtok: 0.15
                output_usd_per_mtok: 0.60
                cached_input_usd_per_mtok: 0.075
                cache_write_usd_per_mtok: 0.20
                cache_write_1h_usd_per_mtok: 0.30
                reasoning_usd_per_mtok: 0.80
                long_context:
                  above_prompt_tokens: 128000
                  input_usd_per_mtok: 0.30
                  output_usd_per_mtok: 1.20
                  cached_input_usd_per_mtok: 0.15
                  cache_write_usd_per_mtok: 0.40
                  cache_write_1h_usd_per_mtok: 0.60
                  reasoning_usd_per_mtok: 1.60
                max_output_tokens: 4096
              - gpt-4o
            timeout:
              total_ms: 90000
            retry:
              jitter: none
            circuit_breaker:
              failure_threshold: 2
            rate_limit:
              burst: null
              max_concurrent: 4
          - name: sim
            kind: simulated
            quality: 0.3
            specialties: [code]
            expected_latency_ms: 5
            models: [{name: tiny, output_usd_per_mtok: 0.000001}]
            simulated:
              latency_ms: 10
              failure_rate: 0.5
              escalation_rate: 0.25
              escalation_marker: "[UP]"
              seed: 99
              down: true
        routes:
          - name: main
            tiers:
              - name: local
                targets: [sim/tiny]
                balance: latency
              - name: cloud
                targets:
                  - {target: openai/gpt-4o-mini, weight: 2}
                  - openai/gpt-4o
                balance: weighted
            escalation:
              marker: "[UP]"
              to: [openai/gpt-4o]
          - name: fast
            tiers:
              - targets: [sim/tiny, openai/gpt-4o-mini]
                balance: round_robin
        queue:
          max_length: 7
          max_wait_ms: 2000
        health_checks:
          enabled: false
          interval_ms: 60000
          timeout_ms: 3000
        """

    static var everyKeyExpected: SwitchyardConfig {
        let defaults = ProviderDefaults(
            timeout: .seconds(30),
            retry: RetryPolicy(
                maxAttempts: 3, initialBackoff: .milliseconds(250), maxBackoff: .seconds(4), multiplier: 1.5,
                jitter: .equal),
            circuitBreaker: CircuitBreakerConfiguration(
                consecutiveFailureThreshold: 7, failureRateThreshold: 0.6, windowSize: 30, minimumCalls: 12,
                recoveryTimeout: .seconds(15), recoveryBackoffMultiplier: 3, maxRecoveryTimeout: .seconds(600),
                halfOpenMaxProbes: 2, halfOpenSuccessesToClose: 2),
            rateLimit: RateLimitConfiguration(
                requestsPerSecond: 2.5, burst: 5, maxConcurrent: 10, requestsPerMinute: 120),
            httpTimeouts: ProviderTimeouts(
                connect: .seconds(2), firstByte: .seconds(10), idle: .seconds(15), total: .seconds(60)))

        var openAIRetry = defaults.retry
        openAIRetry.jitter = .none
        var openAIBreaker = defaults.circuitBreaker
        openAIBreaker.consecutiveFailureThreshold = 2
        var openAITimeouts = defaults.httpTimeouts
        openAITimeouts.total = .seconds(90)
        let openAI = ProviderSettings(
            profile: ProviderProfile(
                name: "openai", quality: 0.8, specialties: [.writing, .general],
                models: [
                    ModelProfile(
                        name: "gpt-4o-mini",
                        pricing: ModelPricing(
                            TokenPrices(
                                inputPerMillionTokens: 150_000, outputPerMillionTokens: 600_000,
                                cachedInputPerMillionTokens: 75_000, cacheWritePerMillionTokens: 200_000,
                                cacheWrite1hPerMillionTokens: 300_000, reasoningPerMillionTokens: 800_000),
                            longContext: LongContextPricing(
                                abovePromptTokens: 128_000,
                                prices: TokenPrices(
                                    inputPerMillionTokens: 300_000, outputPerMillionTokens: 1_200_000,
                                    cachedInputPerMillionTokens: 150_000, cacheWritePerMillionTokens: 400_000,
                                    cacheWrite1hPerMillionTokens: 600_000, reasoningPerMillionTokens: 1_600_000))),
                        maxOutputTokens: 4096),
                    ModelProfile(name: "gpt-4o"),
                ],
                expectedLatency: .milliseconds(700), retry: openAIRetry, circuitBreaker: openAIBreaker,
                rateLimit: RateLimitConfiguration(requestsPerSecond: 2.5, maxConcurrent: 4, requestsPerMinute: 120)),
            options: HTTPProviderOptions<OpenAICompatibleProvider>(
                configuration: .init(baseURL: "https://proxy.example.com/v1", timeouts: openAITimeouts),
                apiKeyEnv: "OPENAI_API_KEY"))

        let simulated = ProviderSettings(
            profile: ProviderProfile(
                name: "sim", quality: 0.3, specialties: [.code],
                models: [
                    ModelProfile(
                        name: "tiny", pricing: ModelPricing(inputPerMillionTokens: 0, outputPerMillionTokens: 1))
                ],
                expectedLatency: .milliseconds(5), retry: defaults.retry, circuitBreaker: defaults.circuitBreaker,
                rateLimit: defaults.rateLimit),
            options: SimulatedProvider.Configuration(
                latency: .milliseconds(10), failureRate: 0.5, escalationRate: 0.25, escalationMarker: "[UP]",
                isDown: true, seed: 99))

        return SwitchyardConfig(
            server: ServerSettings(
                host: "0.0.0.0", port: 9090, adminKeyEnv: "SWITCHYARD_ADMIN_KEY", maxBodyBytes: 2_097_152),
            database: DatabaseSettings(path: "/var/lib/switchyard/ledger.sqlite", busyTimeout: .milliseconds(2500)),
            budgets: BudgetSettings(defaultLimit: 2_500_000),
            keys: KeySettings(required: true),
            defaults: defaults,
            providers: [openAI, simulated],
            routes: [
                Route(
                    name: "main",
                    tiers: [
                        Tier(name: "local", targets: [RouteTarget(provider: "sim", model: "tiny")], balance: .latency),
                        Tier(
                            name: "cloud",
                            targets: [
                                RouteTarget(provider: "openai", model: "gpt-4o-mini", weight: 2),
                                RouteTarget(provider: "openai", model: "gpt-4o"),
                            ],
                            balance: .weighted),
                    ],
                    escalation: EscalationPolicy(
                        marker: "[UP]", targets: [RouteTarget(provider: "openai", model: "gpt-4o")])),
                Route(
                    name: "fast",
                    tiers: [
                        Tier(
                            name: "tier1",
                            targets: [
                                RouteTarget(provider: "sim", model: "tiny"),
                                RouteTarget(provider: "openai", model: "gpt-4o-mini"),
                            ])
                    ]),
            ],
            defaultRoute: "fast",
            queue: QueueConfiguration(maxLength: 7, maxWait: .seconds(2)),
            healthChecks: HealthCheckSettings(enabled: false, interval: .seconds(60), timeout: .seconds(3)),
            specialtyBoost: 0.5)
    }
}
