import SwitchyardProviders
import Foundation
import SwitchyardCore
import Yams

extension ProviderSettings {
    static let keys = [
        "name", "kind", "base_url", "api_key_env", "quality", "specialties", "expected_latency_ms", "models",
        "timeout", "retry", "circuit_breaker", "rate_limit", "simulated",
    ]
    /// Keys only HTTP kinds take.
    static let httpOnlyKeys = ["base_url", "api_key_env", "timeout"]

    /// Reads `providers:`: at least one, with unique names.
    static func readList(_ top: ConfigMapping, defaults: ProviderDefaults) throws -> [ProviderSettings] {
        let value = try top.required("providers", "a list of providers; at least one is needed")
        let items = try value.list(of: "providers")
        guard !items.isEmpty else {
            throw value.error(.invalidValue, "expected at least one provider, got an empty list")
        }
        var providers: [ProviderSettings] = []
        for item in items {
            let provider = try ProviderSettings(reading: item, defaults: defaults)
            if let first = providers.firstIndex(where: { $0.name == provider.name }) {
                throw try item.mapping(keys: keys).error(
                    at: "name", .duplicate, "provider name '\(provider.name)' is already used by providers[\(first)]")
            }
            providers.append(provider)
        }
        return providers
    }

    init(reading value: ConfigValue, defaults: ProviderDefaults) throws {
        let map = try value.mapping(keys: Self.keys)
        let name = try map.required("name", "a provider name").name("provider")
        let kind = try map.required("kind", "one of: openai, anthropic, gemini, simulated").choice(ProviderKind.self)
        if kind.isHTTP {
            if let simulated = map["simulated"] {
                throw simulated.error(
                    .unknownKey, "'simulated' settings are only for kind simulated; this provider is kind \(kind.rawValue)")
            }
        } else if let key = Self.httpOnlyKeys.first(where: { map[$0] != nil }) {
            throw map.error(
                at: key, .unknownKey,
                "'\(key)' is only for HTTP providers (kind openai, anthropic or gemini); this provider is kind simulated"
            )
        }

        var profile = ProviderProfile(
            name: name, models: [], retry: defaults.retry, circuitBreaker: defaults.circuitBreaker,
            rateLimit: defaults.rateLimit)
        try map.read("quality", into: &profile.quality) { try $0.double(in: 0...1, "a quality score") }
        try map.read("specialties", into: &profile.specialties) { value in
            Set(try value.list(of: "specialties").map { try $0.choice(PromptClass.self) })
        }
        profile.models = try ModelProfile.readList(map.required("models", "a list of models"))
        if let child = map["retry"] { profile.retry = try RetryPolicy(reading: child, base: profile.retry) }
        if let child = map["circuit_breaker"] {
            profile.circuitBreaker = try CircuitBreakerConfiguration(reading: child, base: profile.circuitBreaker)
        }
        if let child = map["rate_limit"] {
            profile.rateLimit = try RateLimitConfiguration(reading: child, base: profile.rateLimit)
        }

        self.init(kind: kind, profile: profile, httpTimeouts: defaults.httpTimeouts)
        if kind.isHTTP {
            baseURL = try map.read("base_url", Self.readBaseURL) ?? kind.configDefaultBaseURL
            apiKeyEnv = try map.read("api_key_env", EnvironmentVariableName.read)
            if let child = map["timeout"] { httpTimeouts = try ProviderTimeouts(reading: child, base: httpTimeouts) }
        } else if let child = map["simulated"] {
            simulated = try SimulatedProvider.Configuration(reading: child)
        }
        // A simulated provider's expected latency is its simulated one unless written.
        if !kind.isHTTP { self.profile.expectedLatency = simulated.latency }
        try map.read("expected_latency_ms", into: &self.profile.expectedLatency) { try $0.milliseconds() }
    }

    /// An `http://` or `https://` URL with a host.
    static func readBaseURL(_ value: ConfigValue) throws -> String {
        let text = try value.string("an http:// or https:// URL")
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw value.expected("an http:// or https:// URL, such as https://api.openai.com/v1", code: .invalidValue)
        }
        return text
    }
}

extension ModelProfile {
    static let keys = ["name", "input_usd_per_mtok", "output_usd_per_mtok", "max_output_tokens"]

    /// Reads `models:`: at least one, with unique names. An entry is a mapping or just a model name (free, with
    /// the default output limit).
    static func readList(_ value: ConfigValue) throws -> [ModelProfile] {
        let items = try value.list(of: "models")
        guard !items.isEmpty else { throw value.error(.invalidValue, "expected at least one model, got an empty list") }
        var models: [ModelProfile] = []
        for item in items {
            let model = try ModelProfile(reading: item)
            if let first = models.firstIndex(where: { $0.name == model.name }) {
                throw (item.text == nil ? item.at("name") : item).error(
                    .duplicate, "model '\(model.name)' is already listed as models[\(first)]")
            }
            models.append(model)
        }
        return models
    }

    init(reading value: ConfigValue) throws {
        if value.text != nil {
            self.init(name: try Self.readName(value))
            return
        }
        let map = try value.mapping(keys: Self.keys)
        self.init(name: try Self.readName(map.required("name", "the model's name as the provider knows it")))
        try map.read("input_usd_per_mtok", into: &pricing.inputPerMillionTokens) { try $0.dollars() }
        try map.read("output_usd_per_mtok", into: &pricing.outputPerMillionTokens) { try $0.dollars() }
        try map.read("max_output_tokens", into: &maxOutputTokens) {
            try $0.int(in: 1...Int(Int32.max), "a number of tokens")
        }
    }

    private static func readName(_ value: ConfigValue) throws -> String {
        let name = try value.string("a model name")
        guard !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            throw value.expected("a model name without spaces", code: .invalidValue)
        }
        return name
    }
}

extension SimulatedProvider.Configuration {
    static let keys = ["latency_ms", "failure_rate", "escalation_rate", "escalation_marker", "seed", "down"]

    init(reading value: ConfigValue) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init()
        try map.read("latency_ms", into: &latency) { try $0.milliseconds() }
        try map.read("failure_rate", into: &failureRate) { try $0.double(in: 0...1, "a failure share") }
        try map.read("escalation_rate", into: &escalationRate) { try $0.double(in: 0...1, "an escalation share") }
        try map.read("escalation_marker", into: &escalationMarker) { try $0.string("a marker text") }
        try map.read("seed", into: &seed) { value in
            guard let text = value.text, let seed = UInt64(text) else {
                throw value.expected("a whole number of at least 0")
            }
            return seed
        }
        try map.read("down", into: &isDown) { try $0.bool() }
    }
}
