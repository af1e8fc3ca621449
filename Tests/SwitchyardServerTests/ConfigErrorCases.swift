import Foundation
import SwitchyardProviders
import SwitchyardServer
import Testing

/// A configuration that must be rejected, with where and why.
struct ConfigErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var path: String
    var code: ConfigError.Code
    /// A part of the expected message.
    var message: String

    var testDescription: String { name }

    init(_ name: String, _ yaml: String, path: String, _ code: ConfigError.Code, _ message: String) {
        self.name = name
        self.yaml = yaml
        self.path = path
        self.code = code
        self.message = message
    }

    /// Expects reading ``yaml`` to fail at ``path`` with ``code``, a message containing ``message``, and a line.
    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let config = try SwitchyardConfig(yaml: yaml)
            Issue.record(
                "expected an error at \(path), got a configuration: \(config.providers.map(\.name))",
                sourceLocation: sourceLocation)
        } catch let error as ConfigError {
            #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
            #expect(error.line != nil, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Two providers: `a` (simulated, model `m`) and `b` (openai, models `x`, `y`).
    static let providers = """
        providers:
          - {name: a, kind: simulated, models: [m]}
          - {name: b, kind: openai, models: [{name: x}, {name: y}]}

        """

    /// ``providers`` plus one route whose first tier's targets are `targets`.
    static func route(_ targets: String, tier extra: String = "", route routeExtra: String = "") -> String {
        var yaml = providers + "routes:\n  - name: r\n    tiers:\n      - name: first\n        targets: \(targets)\n"
        if !extra.isEmpty { yaml += "        \(extra)\n" }
        if !routeExtra.isEmpty { yaml += "    \(routeExtra)\n" }
        return yaml
    }

    static let all: [ConfigErrorCase] = unknownKeys + wrongTypes + badValues + references + duplicates + kinds

    static let unknownKeys: [ConfigErrorCase] = [
        .init("top-level key", "colour: red\n" + providers, path: "", .unknownKey, "unknown key 'colour'"),
        .init(
            "server key with suggestion", "server: {prot: 80}\n" + providers, path: "server", .unknownKey,
            "unknown key 'prot' (did you mean 'port'?) (expected one of: host, port, admin_key_env, max_body_bytes, stream_stall_timeout_ms, sse_heartbeat_ms)"),
        .init(
            "tier key", route("[a/m]", tier: "balanse: cost"), path: "routes[0].tiers[0]", .unknownKey,
            "unknown key 'balanse' (did you mean 'balance'?) (expected one of: name, targets, balance)"),
        .init(
            "model key", "providers: [{name: p, kind: simulated, models: [{name: m, price: 1}]}]",
            path: "providers[0].models[0]", .unknownKey, "unknown key 'price'"),
        .init(
            "provider retry key", "providers: [{name: p, kind: simulated, models: [m], retry: {attempts: 3}}]",
            path: "providers[0].retry", .unknownKey, "unknown key 'attempts'"),
        .init(
            "defaults rate limit key", "defaults: {rate_limit: {rps: 3}}\n" + providers, path: "defaults.rate_limit",
            .unknownKey, "unknown key 'rps'"),
        .init(
            "weighted target key", route("[{target: a/m, wieght: 2}]"), path: "routes[0].tiers[0].targets[0]",
            .unknownKey, "unknown key 'wieght' (did you mean 'weight'?)"),
        .init(
            "simulated key", "providers: [{name: p, kind: simulated, models: [m], simulated: {latency: 3}}]",
            path: "providers[0].simulated", .unknownKey, "unknown key 'latency' (did you mean 'latency_ms'?)"),
    ]

    static let wrongTypes: [ConfigErrorCase] = [
        .init(
            "port text", "server: {port: abc}\n" + providers, path: "server.port", .wrongType,
            "expected a port number in 0...65535, got \"abc\""),
        .init("section as list", "server: [1]\n" + providers, path: "server", .wrongType, "expected a mapping"),
        .init(
            "providers as mapping", "providers: {name: a}", path: "providers", .wrongType,
            "expected a list of providers, got a mapping"),
        .init(
            "money text", providers.replacingOccurrences(of: "{name: x}", with: "{name: x, input_usd_per_mtok: abc}"),
            path: "providers[1].models[0].input_usd_per_mtok", .wrongType,
            "expected a non-negative dollar amount, got \"abc\""),
        .init(
            "bool text", "health_checks: {enabled: maybe}\n" + providers, path: "health_checks.enabled", .wrongType,
            "expected true or false, got \"maybe\""),
        .init(
            "milliseconds as text", "queue: {max_wait_ms: 10s}\n" + providers, path: "queue.max_wait_ms", .wrongType,
            "expected a whole number of milliseconds"),
        .init(
            "fractional integer", "server: {max_body_bytes: 1.5}\n" + providers, path: "server.max_body_bytes",
            .wrongType, "expected a number of bytes of at least 1"),
        .init(
            "target as list", route("[[a, m]]"), path: "routes[0].tiers[0].targets[0]", .wrongType,
            "expected 'provider/model' or {target: 'provider/model', weight: N}, got a list"),
    ]

    static let badValues: [ConfigErrorCase] = [
        .init(
            "postgres url with a password", "database: {url: 'postgresql://app:secret@db/ledger'}\n" + providers,
            path: "database.url", .invalidValue, "it contains a password"),
        .init(
            "postgres url without a database", "database: {url: 'postgresql://app@db'}\n" + providers,
            path: "database.url", .invalidValue, "names no database"),
        .init(
            "postgres url with an unknown sslmode", "database: {url: 'postgresql://app@db/l?sslmode=maybe'}\n" + providers,
            path: "database.url", .invalidValue, "sslmode must be disable, prefer or require"),
        .init(
            "lease too short", "database: {lease_heartbeat_ms: 10}\n" + providers, path: "database.lease_heartbeat_ms",
            .invalidValue, "at least 100"),
        .init(
            "port range", "server: {port: 70000}\n" + providers, path: "server.port", .invalidValue,
            "expected a port number in 0...65535, got \"70000\""),
        .init(
            "negative money", "budgets: {default_limit_usd: -1}\n" + providers, path: "budgets.default_limit_usd",
            .invalidValue, "expected a non-negative dollar amount"),
        .init(
            "sub-micro-dollar money", "budgets: {default_limit_usd: 0.0000001}\n" + providers,
            path: "budgets.default_limit_usd", .invalidValue, "at most six decimal places"),
        .init(
            "negative count", "queue: {max_length: -1}\n" + providers, path: "queue.max_length", .invalidValue,
            "expected a number of requests of at least 0, got \"-1\""),
        .init(
            "negative milliseconds", "defaults: {retry: {initial_backoff_ms: -5}}\n" + providers,
            path: "defaults.retry.initial_backoff_ms", .invalidValue, "of at least 0"),
        .init(
            "quality above 1", "providers: [{name: p, kind: simulated, quality: 1.5, models: [m]}]",
            path: "providers[0].quality", .invalidValue, "expected a quality score in 0...1, got \"1.5\""),
        .init(
            "failure rate above 1",
            "providers: [{name: p, kind: simulated, models: [m], simulated: {failure_rate: 2}}]",
            path: "providers[0].simulated.failure_rate", .invalidValue, "in 0...1"),
        .init(
            "negative specialty boost", "specialty_boost: -1\n" + providers, path: "specialty_boost", .invalidValue,
            "of at least 0"),
        .init(
            "zero weight", route("[{target: a/m, weight: 0}]"), path: "routes[0].tiers[0].targets[0].weight",
            .invalidValue, "expected a weight in 1...1000000"),
        .init(
            "bad provider kind", "providers: [{name: p, kind: openia, models: [m]}]", path: "providers[0].kind",
            .invalidValue,
            "expected one of: openai, anthropic, gemini, simulated, got \"openia\" (did you mean 'openai'?)"),
        .init(
            "bad balance", route("[a/m]", tier: "balance: fastest"), path: "routes[0].tiers[0].balance", .invalidValue,
            "expected one of: round_robin, cost, latency, weighted"),
        .init(
            "bad jitter", "defaults: {retry: {jitter: some}}\n" + providers, path: "defaults.retry.jitter",
            .invalidValue, "expected one of: none, full, equal"),
        .init(
            "bad specialty", "providers: [{name: p, kind: simulated, specialties: [code, poetry], models: [m]}]",
            path: "providers[0].specialties[1]", .invalidValue, "expected one of: code, writing, analysis, general"),
        .init(
            "minimum calls above window",
            "defaults: {circuit_breaker: {window_size: 5, minimum_calls: 6}}\n" + providers,
            path: "defaults.circuit_breaker.minimum_calls", .invalidValue, "must not exceed window_size (5)"),
        .init(
            "max backoff below initial",
            "defaults: {retry: {initial_backoff_ms: 500, max_backoff_ms: 100}}\n" + providers,
            path: "defaults.retry.max_backoff_ms", .invalidValue, "must be at least initial_backoff_ms (500 ms)"),
        .init(
            "target without model", route("[a]"), path: "routes[0].tiers[0].targets[0]", .invalidValue,
            "expected 'provider/model'"),
        .init(
            "route name with slash", providers + "routes: [{name: a/b, tiers: [{targets: [a/m]}]}]",
            path: "routes[0].name", .invalidValue, "expected a route name made of"),
        .init(
            "http URL", "providers: [{name: p, kind: openai, base_url: 'localhost:11434', models: [m]}]",
            path: "providers[0].base_url", .invalidValue, "expected an http:// or https:// URL"),
        .init(
            "no providers", "server: {port: 1}", path: "providers", .missingKey, "expected a list of providers"),
        .init("empty providers", "providers: []", path: "providers", .invalidValue, "expected at least one provider"),
        .init("empty routes", providers + "routes: []", path: "routes", .invalidValue, "expected at least one route"),
        .init(
            "empty tiers", providers + "routes: [{name: r, tiers: []}]", path: "routes[0].tiers", .invalidValue,
            "expected at least one tier"),
        .init(
            "empty targets", route("[]"), path: "routes[0].tiers[0].targets", .invalidValue,
            "expected at least one 'provider/model' target"),
        .init(
            "no models", "providers: [{name: p, kind: simulated, models: []}]", path: "providers[0].models",
            .invalidValue, "expected at least one model"),
        .init(
            "missing name", "providers: [{kind: simulated, models: [m]}]", path: "providers[0].name", .missingKey,
            "required key missing"),
        .init(
            "missing kind", "providers: [{name: p, models: [m]}]", path: "providers[0].kind", .missingKey,
            "required key missing (expected one of: openai, anthropic, gemini, simulated)"),
        .init(
            "missing models", "providers: [{name: p, kind: simulated}]", path: "providers[0].models", .missingKey,
            "required key missing"),
        .init(
            "missing tiers", providers + "routes: [{name: r}]", path: "routes[0].tiers", .missingKey,
            "required key missing"),
    ]

    static let references: [ConfigErrorCase] = [
        .init(
            "unknown provider", route("[a/m, c/m]"), path: "routes[0].tiers[0].targets[1]", .unknownReference,
            "unknown provider 'c' in 'c/m' (providers: a, b)"),
        .init(
            "unknown model", route("[b/z]"), path: "routes[0].tiers[0].targets[0]", .unknownReference,
            "provider 'b' has no model 'z' (its models: x, y)"),
        .init(
            "unknown escalation target", route("[a/m]", route: "escalation: {to: [b/q]}"),
            path: "routes[0].escalation.to[0]",
            .unknownReference, "provider 'b' has no model 'q'"),
        .init(
            "unknown escalation tier", route("[a/m]", route: "escalation: {to: frist}"),
            path: "routes[0].escalation.to",
            .unknownReference, "the name of a tier of this route (tiers: first), got \"frist\" (did you mean 'first'?)"),
        .init(
            "bad default route", providers + "default_route: nope", path: "default_route", .unknownReference,
            "no route named 'nope' (routes: default)"),
    ]

    static let duplicates: [ConfigErrorCase] = [
        .init(
            "duplicate provider",
            "providers: [{name: p, kind: simulated, models: [m]}, {name: p, kind: simulated, models: [m]}]",
            path: "providers[1].name", .duplicate, "provider name 'p' is already used by providers[0]"),
        .init(
            "duplicate route",
            providers + "routes: [{name: r, tiers: [{targets: [a/m]}]}, {name: r, tiers: [{targets: [a/m]}]}]",
            path: "routes[1].name", .duplicate, "route name 'r' is already used by routes[0]"),
        .init(
            "duplicate model", "providers: [{name: p, kind: simulated, models: [m, m]}]",
            path: "providers[0].models[1]",
            .duplicate, "model 'm' is already listed as models[0]"),
        .init(
            "duplicate tier",
            providers + "routes: [{name: r, tiers: [{name: t, targets: [a/m]}, {name: t, targets: [b/x]}]}]",
            path: "routes[0].tiers[1].name", .duplicate, "tier name 't' is already used by tiers[0]"),
        .init(
            "duplicate target", route("[a/m, a/m]"), path: "routes[0].tiers[0].targets[1]", .duplicate,
            "target 'a/m' is already listed as targets[0]"),
    ]

    static let kinds: [ConfigErrorCase] = [
        .init(
            "simulated settings on openai",
            "providers: [{name: p, kind: openai, models: [m], simulated: {failure_rate: 0.1}}]",
            path: "providers[0].simulated", .unknownKey, "only for kind simulated; this provider is kind openai"),
        .init(
            "base_url on simulated", "providers: [{name: p, kind: simulated, base_url: 'http://x', models: [m]}]",
            path: "providers[0].base_url", .unknownKey, "only for HTTP providers"),
        .init(
            "api_key_env on simulated", "providers: [{name: p, kind: simulated, api_key_env: KEY, models: [m]}]",
            path: "providers[0].api_key_env", .unknownKey, "only for HTTP providers"),
        .init(
            "key in api_key_env", "providers: [{name: p, kind: openai, api_key_env: sk-abc123, models: [m]}]",
            path: "providers[0].api_key_env", .invalidValue, "looks like a key itself (not shown)"),
        .init(
            "long api_key_env",
            "providers: [{name: p, kind: anthropic, api_key_env: \(String(repeating: "A", count: 101)), models: [m]}]",
            path: "providers[0].api_key_env", .invalidValue, "put the key in an environment variable"),
        .init(
            "api_key_env not a name", "providers: [{name: p, kind: gemini, api_key_env: 'my key', models: [m]}]",
            path: "providers[0].api_key_env", .invalidValue, "expected the name of an environment variable"),
        .init(
            "key in admin_key_env", "server: {admin_key_env: AIzaSyA1b2C3d4E5f6G7h8I9j0}\n" + providers,
            path: "server.admin_key_env", .invalidValue, "looks like a key itself"),
        .init(
            "openai key on anthropic", "providers: [{name: a, kind: anthropic, max_tokens_field: max_tokens, models: [m]}]",
            path: "providers[0].max_tokens_field", .unknownKey, "only for kind openai; this provider is kind anthropic"),
        .init(
            "api_version on openai", "providers: [{name: o, kind: openai, api_version: v1, models: [m]}]",
            path: "providers[0].api_version", .unknownKey, "only for kind anthropic or gemini"),
        .init(
            "extra_headers on simulated", "providers: [{name: s, kind: simulated, extra_headers: {a: b}, models: [m]}]",
            path: "providers[0].extra_headers", .unknownKey, "only for HTTP providers"),
        .init(
            "a key in extra_headers",
            "providers: [{name: o, kind: openai, extra_headers: {Authorization: Bearer sk-1}, models: [m]}]",
            path: "providers[0].extra_headers.Authorization", .invalidValue, "name its variable in api_key_env"),
        .init(
            "Azure's key header in extra_headers",
            "providers: [{name: o, kind: openai, extra_headers: {api-key: abc}, models: [m]}]",
            path: "providers[0].extra_headers.api-key", .invalidValue, "carries the API key"),
        .init(
            "a header value on two lines",
            "providers: [{name: o, kind: openai, extra_headers: {X-A: \"a\\r\\nX-B: b\"}, models: [m]}]",
            path: "providers[0].extra_headers.X-A", .invalidValue, "on one line"),
        .init(
            "bad max_tokens_field", "providers: [{name: o, kind: openai, max_tokens_field: max_token, models: [m]}]",
            path: "providers[0].max_tokens_field", .invalidValue, "(did you mean 'max_tokens'?)"),
        .init(
            "bad durability", "database: {durability: fsync}\nproviders: [{name: s, kind: simulated, models: [m]}]",
            path: "database.durability", .invalidValue, "expected one of: process_crash, power_loss"),
    ]
}
