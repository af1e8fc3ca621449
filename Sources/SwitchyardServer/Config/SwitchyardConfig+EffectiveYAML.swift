import SwitchyardProviders
import Foundation
import SwitchyardCore
import Yams

extension SwitchyardConfig {
    /// The configuration in effect, with every default written out, as YAML that ``init(yaml:)`` reads back to an
    /// equal value (what `switchyard config check` prints).
    ///
    /// The configuration never holds a secret's value, only the names of the environment variables that do
    /// (`api_key_env`, `admin_key_env`), and those names are shown. Credentials embedded in a `base_url` (user
    /// info, query parameters such as `?key=`) are replaced by `***`.
    public func effectiveYAML() -> String {
        let root = YAMLTree.mapping([
            ("server", server.yamlNode),
            ("database", database.yamlNode),
            ("budgets", YAMLTree.mapping([("default_limit_usd", YAMLTree.dollars(budgets.defaultLimit))])),
            ("keys", YAMLTree.mapping([("required", YAMLTree.bool(keys.required))])),
            ("default_route", defaultRoute.map(YAMLTree.string) ?? YAMLTree.null),
            ("specialty_boost", YAMLTree.number(specialtyBoost)),
            ("defaults", defaults.yamlNode),
            ("providers", YAMLTree.list(providers.map(\.yamlNode))),
            ("routes", YAMLTree.list(routes.map(\.yamlNode))),
            ("queue", queue.yamlNode),
            ("health_checks", healthChecks.yamlNode),
        ])
        return (try? Yams.serialize(node: root, indent: 2, width: -1, allowUnicode: true)) ?? ""
    }
}

/// Small constructors for the YAML tree that ``SwitchyardConfig/effectiveYAML()`` prints.
enum YAMLTree {
    static var null: Node { Node("null") }

    static func string(_ text: String) -> Node { .scalar(text.represented()) }
    static func int(_ number: some BinaryInteger) -> Node { Node(String(number)) }
    static func number(_ number: Double) -> Node {
        Node(number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : "\(number)")
    }
    static func bool(_ flag: Bool) -> Node { Node(flag ? "true" : "false") }
    static func milliseconds(_ duration: Duration) -> Node { Node(String(duration.wholeMilliseconds)) }
    static func optional<T>(_ value: T?, _ node: (T) -> Node) -> Node { value.map(node) ?? null }

    /// Dollars with at least two and at most six decimals: `1.00`, `0.15`, `0.000001`.
    static func dollars(_ amount: MicroDollars) -> Node {
        var text = amount.decimalString
        while text.hasSuffix("0"), text.split(separator: ".").last.map({ $0.count > 2 }) == true { text.removeLast() }
        return Node(text)
    }

    static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) })
    }

    static func list(_ items: [Node]) -> Node { Node(items) }

    /// A one-line `[a, b]` list.
    static func flowList(_ items: [Node]) -> Node { Node(items, Tag(.seq), .flow) }

    /// `base_url` with any user info and query values replaced by `***`.
    static func maskedURL(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return text }
        var masked = false
        if components.user != nil || components.password != nil {
            components.user = "***"
            components.password = nil
            masked = true
        }
        if let items = components.queryItems, !items.isEmpty {
            components.queryItems = items.map { URLQueryItem(name: $0.name, value: "***") }
            masked = true
        }
        return masked ? components.string ?? "***" : text
    }
}

extension ServerSettings {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("host", YAMLTree.string(host)),
            ("port", YAMLTree.int(port)),
            ("admin_key_env", YAMLTree.optional(adminKeyEnv, YAMLTree.string)),
            ("max_body_bytes", YAMLTree.int(maxBodyBytes)),
            ("stream_stall_timeout_ms", YAMLTree.milliseconds(streamStallTimeout)),
            ("sse_heartbeat_ms", YAMLTree.milliseconds(sseHeartbeat)),
        ])
    }
}

extension DatabaseSettings {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("path", YAMLTree.string(path)), ("busy_timeout_ms", YAMLTree.milliseconds(busyTimeout)),
            ("flush_timeout_ms", YAMLTree.milliseconds(flushTimeout)),
            ("max_pending_events", YAMLTree.int(maxPendingEvents)),
        ])
    }
}

extension QueueConfiguration {
    var yamlNode: Node {
        YAMLTree.mapping([("max_length", YAMLTree.int(maxLength)), ("max_wait_ms", YAMLTree.milliseconds(maxWait))])
    }
}

extension HealthCheckSettings {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("enabled", YAMLTree.bool(enabled)), ("interval_ms", YAMLTree.milliseconds(interval)),
            ("timeout_ms", YAMLTree.milliseconds(timeout)),
        ])
    }
}

extension ProviderDefaults {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("timeout_ms", YAMLTree.milliseconds(timeout)),
            ("retry", retry.yamlNode),
            ("circuit_breaker", circuitBreaker.yamlNode),
            ("rate_limit", rateLimit.yamlNode),
            ("timeout", httpTimeouts.yamlNode),
        ])
    }
}

extension RetryPolicy {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("max_attempts", YAMLTree.int(maxAttempts)),
            ("initial_backoff_ms", YAMLTree.milliseconds(initialBackoff)),
            ("max_backoff_ms", YAMLTree.milliseconds(maxBackoff)),
            ("multiplier", YAMLTree.number(multiplier)),
            ("jitter", YAMLTree.string(jitter.rawValue)),
            ("max_retry_after_ms", YAMLTree.milliseconds(maxRetryAfter)),
        ])
    }
}

extension CircuitBreakerConfiguration {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("failure_threshold", YAMLTree.int(consecutiveFailureThreshold)),
            ("failure_rate_threshold", YAMLTree.number(failureRateThreshold)),
            ("window_size", YAMLTree.int(windowSize)),
            ("minimum_calls", YAMLTree.int(minimumCalls)),
            ("recovery_timeout_ms", YAMLTree.milliseconds(recoveryTimeout)),
            ("recovery_backoff_multiplier", YAMLTree.number(recoveryBackoffMultiplier)),
            ("max_recovery_timeout_ms", YAMLTree.milliseconds(maxRecoveryTimeout)),
            ("half_open_max_probes", YAMLTree.int(halfOpenMaxProbes)),
            ("half_open_successes_to_close", YAMLTree.int(halfOpenSuccessesToClose)),
        ])
    }
}

extension RateLimitConfiguration {
    /// Absent limits are written as `null` (no limit).
    var yamlNode: Node {
        YAMLTree.mapping([
            ("requests_per_second", YAMLTree.optional(requestsPerSecond, YAMLTree.number)),
            ("burst", YAMLTree.optional(burst, YAMLTree.int)),
            ("requests_per_minute", YAMLTree.optional(requestsPerMinute, YAMLTree.int)),
            ("max_concurrent", YAMLTree.optional(maxConcurrent, YAMLTree.int)),
        ])
    }
}

extension ProviderTimeouts {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("connect_ms", YAMLTree.milliseconds(connect)),
            ("first_byte_ms", YAMLTree.milliseconds(firstByte)),
            ("idle_ms", YAMLTree.milliseconds(idle)),
            ("total_ms", YAMLTree.milliseconds(total)),
        ])
    }
}

extension ProviderSettings {
    var yamlNode: Node {
        var pairs: [(String, Node)] = [("name", YAMLTree.string(name)), ("kind", YAMLTree.string(kind.rawValue))]
        if kind.isHTTP {
            pairs.append(("base_url", YAMLTree.optional(baseURL.map(YAMLTree.maskedURL), YAMLTree.string)))
            pairs.append(("api_key_env", YAMLTree.optional(apiKeyEnv, YAMLTree.string)))
        }
        let specialties = PromptClass.allCases.filter(profile.specialties.contains)
        pairs += [
            ("quality", YAMLTree.number(profile.quality)),
            ("specialties", YAMLTree.flowList(specialties.map { YAMLTree.string($0.rawValue) })),
            ("expected_latency_ms", YAMLTree.milliseconds(profile.expectedLatency)),
            ("models", YAMLTree.list(profile.models.map(\.yamlNode))),
        ]
        if kind.isHTTP { pairs.append(("timeout", httpTimeouts.yamlNode)) }
        pairs += [
            ("retry", profile.retry.yamlNode),
            ("circuit_breaker", profile.circuitBreaker.yamlNode),
            ("rate_limit", profile.rateLimit.yamlNode),
        ]
        if !kind.isHTTP { pairs.append(("simulated", simulated.yamlNode)) }
        return YAMLTree.mapping(pairs)
    }
}

extension ModelProfile {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("name", YAMLTree.string(name)),
            ("input_usd_per_mtok", YAMLTree.dollars(pricing.inputPerMillionTokens)),
            ("output_usd_per_mtok", YAMLTree.dollars(pricing.outputPerMillionTokens)),
            ("max_output_tokens", YAMLTree.int(maxOutputTokens)),
        ])
    }
}

extension SimulatedProvider.Configuration {
    var yamlNode: Node {
        YAMLTree.mapping([
            ("latency_ms", YAMLTree.milliseconds(latency)),
            ("failure_rate", YAMLTree.number(failureRate)),
            ("escalation_rate", YAMLTree.number(escalationRate)),
            ("escalation_marker", YAMLTree.string(escalationMarker)),
            ("seed", YAMLTree.int(seed)),
            ("down", YAMLTree.bool(isDown)),
        ])
    }
}

extension Route {
    var yamlNode: Node {
        var pairs: [(String, Node)] = [
            ("name", YAMLTree.string(name)),
            ("tiers", YAMLTree.list(tiers.map(\.yamlNode))),
        ]
        if let escalation {
            pairs.append(
                (
                    "escalation",
                    YAMLTree.mapping([
                        ("marker", YAMLTree.string(escalation.marker)),
                        ("to", YAMLTree.flowList(escalation.targets.map { YAMLTree.string($0.description) })),
                    ])
                ))
        }
        return YAMLTree.mapping(pairs)
    }
}

extension Tier {
    var yamlNode: Node {
        let targets = targets.map { target in
            target.weight == 1
                ? YAMLTree.string(target.description)
                : Node(
                    [
                        (Node("target"), YAMLTree.string(target.description)),
                        (Node("weight"), YAMLTree.int(target.weight)),
                    ],
                    Tag(.map), .flow)
        }
        return YAMLTree.mapping([
            ("name", YAMLTree.string(name)),
            ("targets", YAMLTree.flowList(targets)),
            ("balance", YAMLTree.string(balance.rawValue)),
        ])
    }
}
