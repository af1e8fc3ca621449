import SwitchyardProviders
import Foundation
import SwitchyardCore
import SwitchyardServer
import Testing

@Suite struct ConfigTests {
    static let minimal = """
        providers:
          - name: local
            kind: simulated
            models: [small]
        """

    @Test func minimalConfigGetsEveryDefaultAndASynthesizedRoute() throws {
        let config = try SwitchyardConfig(yaml: Self.minimal)
        #expect(config.server == ServerSettings())
        #expect(config.database == DatabaseSettings())
        #expect(config.budgets.defaultLimit == 1_000_000)
        #expect(config.defaults == ProviderDefaults())
        #expect(config.queue == QueueConfiguration())
        #expect(config.healthChecks == HealthCheckSettings())
        #expect(config.specialtyBoost == 0.25)
        #expect(
            config.providers == [
                ProviderSettings(
                    profile: ProviderProfile(
                        name: "local", models: [ModelProfile(name: "small")], expectedLatency: .milliseconds(20)),
                    options: SimulatedProvider.Configuration())
            ])
        #expect(
            config.routes == [
                Route(
                    name: "default",
                    tiers: [Tier(name: "local", targets: [RouteTarget(provider: "local", model: "small")])])
            ])
        #expect(config.defaultRoute == "default")
    }

    /// Each default time-out acts: a call's first byte before its total, and a call's total before the request's
    /// deadline (with the old 60 s deadline, `first_byte_ms` and `total_ms` never fired).
    @Test func defaultTimeOutsAreOrderedSoThatEachActs() throws {
        let config = try testConfig(Self.minimal)
        let call = config.defaults.httpTimeouts
        #expect(call.firstByte < call.total)
        #expect(call.total < config.defaults.timeout)
        #expect(config.routerConfiguration.defaultTimeout == config.defaults.timeout)
    }

    @Test func synthesizedRouteHasATierPerProviderInOrder() throws {
        let config = try SwitchyardConfig(
            yaml: """
                providers:
                  - {name: b, kind: simulated, models: [b1, b2]}
                  - {name: a, kind: openai, base_url: "http://localhost:11434/v1", models: [a1]}
                """)
        #expect(config.routes.count == 1)
        #expect(config.routes[0].tiers.map(\.name) == ["b", "a"])
        #expect(config.routes[0].tiers[0].targets.map(\.description) == ["b/b1", "b/b2"])
        #expect(config.routes[0].tiers[1].targets.map(\.description) == ["a/a1"])
    }

    @Test func everySectionIsRead() throws {
        let config = try SwitchyardConfig(yaml: ConfigFixtures.everyKey)
        #expect(config == ConfigFixtures.everyKeyExpected)
    }

    @Test func providerSectionsOverrideDefaultsKeyByKey() throws {
        let config = try SwitchyardConfig(
            yaml: """
                defaults:
                  retry: {max_attempts: 4, initial_backoff_ms: 50}
                  circuit_breaker: {failure_threshold: 3, window_size: 40}
                  rate_limit: {requests_per_second: 5, max_concurrent: 8}
                  timeout: {connect_ms: 1000, total_ms: 9000}
                providers:
                  - name: inherits
                    kind: openai
                    models: [m]
                  - name: overrides
                    kind: openai
                    models: [m]
                    retry: {initial_backoff_ms: 10}
                    circuit_breaker: {window_size: 10}
                    rate_limit: {max_concurrent: 2, requests_per_second: null}
                    timeout: {total_ms: 1000}
                """)
        let inherits = config.providers[0]
        #expect(inherits.profile.retry == RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(50)))
        #expect(
            inherits.profile.circuitBreaker
                == CircuitBreakerConfiguration(consecutiveFailureThreshold: 3, windowSize: 40))
        #expect(inherits.profile.rateLimit == RateLimitConfiguration(requestsPerSecond: 5, maxConcurrent: 8))
        #expect(inherits.httpTimeouts == ProviderTimeouts(connect: .seconds(1), total: .seconds(9)))
        #expect(inherits.baseURL == "https://api.openai.com/v1")
        #expect(inherits.apiKeyEnv == nil)

        let overrides = config.providers[1]
        #expect(overrides.profile.retry == RetryPolicy(maxAttempts: 4, initialBackoff: .milliseconds(10)))
        #expect(
            overrides.profile.circuitBreaker
                == CircuitBreakerConfiguration(consecutiveFailureThreshold: 3, windowSize: 10))
        #expect(overrides.profile.rateLimit == RateLimitConfiguration(requestsPerSecond: nil, maxConcurrent: 2))
        #expect(overrides.httpTimeouts == ProviderTimeouts(connect: .seconds(1), total: .seconds(1)))
    }

    @Test func defaultBaseURLsPerKind() throws {
        let config = try SwitchyardConfig(
            yaml: """
                providers:
                  - {name: o, kind: openai, models: [m]}
                  - {name: a, kind: anthropic, models: [m]}
                  - {name: g, kind: gemini, models: [m]}
                  - {name: s, kind: simulated, models: [m]}
                """)
        #expect(
            config.providers.map(\.baseURL) == [
                "https://api.openai.com/v1", "https://api.anthropic.com", "https://generativelanguage.googleapis.com",
                nil,
            ])
    }

    @Test(
        arguments: [
            ("0", 0), ("0.15", 150_000), ("1.00", 1_000_000), ("'3'", 3_000_000), ("0.000001", 1),
            ("1234.567891", 1_234_567_891), ("\"0.1\"", 100_000), ("$2.50", 2_500_000),
        ] as [(String, Int64)])
    func moneyIsConvertedExactly(text: String, micros: Int64) throws {
        let config = try SwitchyardConfig(
            yaml: """
                budgets: {default_limit_usd: \(text)}
                providers: [{name: p, kind: simulated, models: [{name: m, input_usd_per_mtok: \(text)}]}]
                """)
        #expect(config.budgets.defaultLimit == MicroDollars(micros))
        #expect(config.providers[0].profile.models[0].pricing.inputPerMillionTokens == MicroDollars(micros))
    }

    @Test func escalationToATierNameMeansThatTiersTargets() throws {
        let config = try SwitchyardConfig(
            yaml: """
                providers:
                  - {name: a, kind: simulated, models: [m]}
                  - {name: b, kind: simulated, models: [m, n]}
                routes:
                  - name: r
                    tiers:
                      - {name: first, targets: [a/m]}
                      - name: strong
                        targets: [{target: b/m, weight: 3}, b/n]
                        balance: weighted
                    escalation: {to: strong}
                  - name: single
                    tiers: [{targets: [a/m]}]
                    escalation: {to: b/n, marker: "<<UP>>"}
                  - name: marker-only
                    tiers: [{targets: [a/m]}]
                    escalation: {marker: "[HELP]"}
                """)
        #expect(
            config.routes[0].escalation
                == EscalationPolicy(targets: [.init(provider: "b", model: "m"), .init(provider: "b", model: "n")]))
        #expect(config.routes[0].tiers[1].targets[0].weight == 3)
        #expect(config.routes[1].tiers[0].name == "tier1")
        #expect(
            config.routes[1].escalation
                == EscalationPolicy(marker: "<<UP>>", targets: [.init(provider: "b", model: "n")]))
        #expect(config.routes[2].escalation == EscalationPolicy(marker: "[HELP]", targets: []))
        #expect(config.defaultRoute == "r")
    }

    @Test func anchorsMergeKeysAndExtensionKeysWork() throws {
        let config = try SwitchyardConfig(
            yaml: """
                x-common: &common
                  kind: simulated
                  quality: 0.7
                providers:
                  - {<<: *common, name: a, models: [m]}
                  - <<: *common
                    name: b
                    quality: 0.9
                    models: [m]
                """)
        #expect(config.providers.map(\.kind) == [.simulated, .simulated])
        #expect(config.providers.map(\.profile.quality) == [0.7, 0.9])
    }

    @Test func nullSectionsAndValuesMeanDefaults() throws {
        let config = try SwitchyardConfig(
            yaml: """
                server:
                database: ~
                queue: {max_length: null}
                \(Self.minimal)
                """)
        #expect(config.server == ServerSettings())
        #expect(config.queue == QueueConfiguration())
    }

    // MARK: Errors

    @Test(arguments: ConfigErrorCase.all)
    func rejectsWithThePath(_ example: ConfigErrorCase) {
        example.check()
    }

    @Test func aKeyLookingAPIKeyEnvIsNotEchoed() {
        let secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
        let yaml = "providers: [{name: p, kind: openai, api_key_env: \(secret), models: [m]}]"
        #expect {
            try SwitchyardConfig(yaml: yaml)
        } throws: { error in
            let error = error as? ConfigError
            return error?.path == "providers[0].api_key_env" && error?.description.contains("sk-") == false
                && error?.message.contains("environment variable") == true
        }
    }

    @Test func errorDescriptionNamesFileLineAndPath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID()).yaml")
        try "providers:\n  - name: p\n    kind: simulated\n    models: [m]\n    qualty: 1\n".write(
            to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect {
            try SwitchyardConfig.load(path: url.path)
        } throws: { error in
            (error as? ConfigError)?.description
                == "\(url.path):5: providers[0]: unknown key 'qualty' (did you mean 'quality'?) (expected one of: "
                + "name, kind, simulated, quality, specialties, expected_latency_ms, models, retry, circuit_breaker, "
                + "rate_limit)"
        }
    }

    @Test func yamlSyntaxErrorsHaveALine() {
        #expect {
            try SwitchyardConfig(yaml: "providers:\n  - name: [unclosed\n")
        } throws: { error in
            let error = error as? ConfigError
            return error?.code == .syntax && error?.line != nil
        }
        #expect {
            try SwitchyardConfig(yaml: "server: {port: 1}\nserver: {port: 2}\n")
        } throws: { error in
            (error as? ConfigError)?.code == .duplicate
        }
    }

    @Test func missingFileIsUnreadable() {
        #expect {
            try SwitchyardConfig.load(path: "/nonexistent/switchyard.yaml")
        } throws: { error in
            let error = error as? ConfigError
            return error?.code == .unreadable && error?.file == "/nonexistent/switchyard.yaml"
        }
    }

    // MARK: Demo and examples

    @Test func demoYAMLIsExactlyTheBuiltInDemo() throws {
        let demo = try SwitchyardConfig.load(path: ConfigFixtures.repositoryFile("examples/demo.yaml"))
        #expect(demo == SwitchyardConfig.demo)
    }

    @Test func demoHasTheAdvertisedShape() {
        let demo = SwitchyardConfig.demo
        #expect(demo.providers.map(\.name) == ["local", "cheap-cloud", "strong-cloud", "emergency"])
        #expect(demo.providers.allSatisfy { $0.kind == .simulated })
        #expect(demo.providers[0].simulated.failureRate > 0 && demo.providers[0].simulated.escalationRate > 0)
        #expect(demo.routes.map(\.name) == ["default", "auto"])
        #expect(demo.routes[0].tiers.map(\.name) == ["local", "cloud", "emergency"])
        #expect(demo.routes[1].tiers[0].targets.count == 4)
        #expect(demo.defaultRoute == "default")
    }

    @Test(arguments: ["examples/demo.yaml", "examples/providers.yaml"])
    func theRouterAcceptsWhatTheLoaderAccepts(_ file: String) throws {
        let config = try SwitchyardConfig.load(path: ConfigFixtures.repositoryFile(file))
        let providers = Dictionary(
            uniqueKeysWithValues: config.providers.map {
                ($0.name, SimulatedProvider(name: $0.name) as any LLMProvider)
            })
        #expect(throws: Never.self) {
            try Router(configuration: config.routerConfiguration, providers: providers, clock: ContinuousClock())
        }
    }

    @Test func providersExampleParses() throws {
        let config = try SwitchyardConfig.load(path: ConfigFixtures.repositoryFile("examples/providers.yaml"))
        #expect(config.providers.map(\.kind) == [.openAI, .openAI, .openAI, .anthropic, .gemini])
        #expect(
            config.providers.map(\.apiKeyEnv) == [nil, nil, "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"])
        #expect(config.routes[0].escalation?.targets.count == 2)
        #expect(config.server.adminKeyEnv == "SWITCHYARD_ADMIN_KEY")
    }

    @Test func everyYAMLExampleInTheReferenceParses() throws {
        let text = try String(
            contentsOfFile: ConfigFixtures.repositoryFile("docs/configuration.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count >= 2)
        for block in blocks {
            #expect(throws: Never.self, "\(block)") { try SwitchyardConfig(yaml: block) }
        }
    }

    // MARK: Effective YAML

    @Test(arguments: ["demo", "every key", "providers example"])
    func effectiveYAMLReadsBackToAnEqualConfig(_ name: String) throws {
        let config =
            switch name {
            case "demo": SwitchyardConfig.demo
            case "every key": ConfigFixtures.everyKeyExpected
            default: try SwitchyardConfig.load(path: ConfigFixtures.repositoryFile("examples/providers.yaml"))
            }
        let yaml = config.effectiveYAML()
        let reread = try SwitchyardConfig(yaml: yaml)
        #expect(reread == config, "\(yaml)")
        #expect(reread.effectiveYAML() == yaml)
    }

    @Test func effectiveYAMLShowsDefaultsAndMasksURLCredentials() throws {
        let config = try SwitchyardConfig(
            yaml: """
                server: {admin_key_env: ADMIN_KEY}
                providers:
                  - name: proxy
                    kind: gemini
                    base_url: "https://user:hunter2@proxy.example.com/v1?key=AIzaSECRET"
                    api_key_env: GEMINI_API_KEY
                    models: [gemini-2.0-flash]
                """)
        let yaml = config.effectiveYAML()
        #expect(!yaml.contains("hunter2"))
        #expect(!yaml.contains("AIzaSECRET"))
        #expect(yaml.contains("***"))
        #expect(yaml.contains("admin_key_env: ADMIN_KEY"))
        #expect(yaml.contains("api_key_env: GEMINI_API_KEY"))
        #expect(yaml.contains("max_attempts: 2"))
        #expect(yaml.contains("default_limit_usd: 1.00"))
    }

    @Test func effectiveYAMLQuotesAmbiguousNames() throws {
        let config = try SwitchyardConfig(
            yaml: """
                providers:
                  - name: "true"
                    kind: openai
                    base_url: http://localhost:11434/v1
                    models: ["123", "null", "qwen2.5-coder:7b", "org/model:v2", "#hash"]
                """)
        let reread = try SwitchyardConfig(yaml: config.effectiveYAML())
        #expect(reread == config)
        #expect(
            reread.providers[0].profile.models.map(\.name) == [
                "123", "null", "qwen2.5-coder:7b", "org/model:v2", "#hash",
            ])
    }

    // MARK: Environment

    @Test func resolveUsesTheDemoWithoutAFile() throws {
        let (config, source) = try SwitchyardConfig.resolve(configPath: nil, environment: [:])
        #expect(config == SwitchyardConfig.demo)
        #expect(source == "built-in demo")
    }

    @Test func resolveHonoursTheEnvironmentAndTheFlag() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID()).yaml")
        try "\(Self.minimal)\nserver: {port: 9999}\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }

        let fromEnvironment = try SwitchyardConfig.resolve(
            configPath: nil, environment: ["SWITCHYARD_CONFIG": url.path, "SWITCHYARD_DB": "/tmp/other.sqlite"])
        #expect(fromEnvironment.config.server.port == 9999)
        #expect(fromEnvironment.config.database.path == "/tmp/other.sqlite")
        #expect(fromEnvironment.source == "\(url.path) (from SWITCHYARD_CONFIG)")

        let fromFlag = try SwitchyardConfig.resolve(
            configPath: url.path, environment: ["SWITCHYARD_CONFIG": "/nonexistent.yaml", "SWITCHYARD_DB": ""])
        #expect(fromFlag.source == url.path)
        #expect(fromFlag.config.database.path == "./switchyard.sqlite")

        let demoWithDatabase = try SwitchyardConfig.resolve(configPath: nil, environment: ["SWITCHYARD_DB": "x.db"])
        #expect(demoWithDatabase.config.database.path == "x.db")
        #expect(throws: ConfigError.self) {
            try SwitchyardConfig.resolve(configPath: nil, environment: ["SWITCHYARD_CONFIG": "/nonexistent.yaml"])
        }
    }
}
