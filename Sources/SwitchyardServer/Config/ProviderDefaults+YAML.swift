import SwitchyardProviders
import SwitchyardCore

// Reading `defaults:` and the per-provider sections that override it key by key: `retry`, `circuit_breaker`,
// `rate_limit` and `timeout`. Each reader starts from `base` (the built-in defaults, or the `defaults:` section for
// a provider) and replaces only the keys that are written.

extension ProviderDefaults {
    static let keys = ["timeout_ms", "retry", "circuit_breaker", "rate_limit", "timeout"]

    init(reading value: ConfigValue) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init()
        try map.read("timeout_ms", into: &timeout) { try $0.milliseconds(minimum: 1) }
        if let child = map["retry"] { retry = try RetryPolicy(reading: child, base: retry) }
        if let child = map["circuit_breaker"] {
            circuitBreaker = try CircuitBreakerConfiguration(reading: child, base: circuitBreaker)
        }
        if let child = map["rate_limit"] { rateLimit = try RateLimitConfiguration(reading: child, base: rateLimit) }
        if let child = map["timeout"] { httpTimeouts = try ProviderTimeouts(reading: child, base: httpTimeouts) }
    }
}

extension RetryPolicy.Jitter {
    static let all: [Self] = [.none, .full, .equal]
}

extension RetryPolicy {
    static let keys = [
        "max_attempts", "initial_backoff_ms", "max_backoff_ms", "multiplier", "jitter", "max_retry_after_ms",
    ]

    init(reading value: ConfigValue, base: RetryPolicy) throws {
        let map = try value.mapping(keys: Self.keys)
        self = base
        try map.read("max_attempts", into: &maxAttempts) { try $0.int(in: 1...100, "a number of attempts") }
        try map.read("initial_backoff_ms", into: &initialBackoff) { try $0.milliseconds() }
        try map.read("max_backoff_ms", into: &maxBackoff) { try $0.milliseconds() }
        try map.read("multiplier", into: &multiplier) { try $0.double(in: 1...100, "a backoff multiplier") }
        try map.read("jitter", into: &jitter) { try $0.choice(Jitter.all) }
        try map.read("max_retry_after_ms", into: &maxRetryAfter) { try $0.milliseconds() }
        guard maxBackoff >= initialBackoff else {
            throw map.error(
                at: "max_backoff_ms", .invalidValue,
                "must be at least initial_backoff_ms (\(initialBackoff.wholeMilliseconds) ms), got "
                    + "\(maxBackoff.wholeMilliseconds) ms")
        }
    }
}

extension CircuitBreakerConfiguration {
    static let keys = [
        "failure_threshold", "failure_rate_threshold", "window_size", "minimum_calls", "recovery_timeout_ms",
        "recovery_backoff_multiplier", "max_recovery_timeout_ms", "half_open_max_probes",
        "half_open_successes_to_close",
    ]

    init(reading value: ConfigValue, base: CircuitBreakerConfiguration) throws {
        let map = try value.mapping(keys: Self.keys)
        self = base
        try map.read("failure_threshold", into: &consecutiveFailureThreshold) {
            try $0.int(in: 1...Int.max, "a number of consecutive failures")
        }
        try map.read("failure_rate_threshold", into: &failureRateThreshold) {
            try $0.double(in: 0...1, "a failure share")
        }
        try map.read("window_size", into: &windowSize) { try $0.int(in: 1...100_000, "a number of calls") }
        try map.read("minimum_calls", into: &minimumCalls) { try $0.int(in: 1...100_000, "a number of calls") }
        try map.read("recovery_timeout_ms", into: &recoveryTimeout) { try $0.milliseconds(minimum: 1) }
        try map.read("recovery_backoff_multiplier", into: &recoveryBackoffMultiplier) {
            try $0.double(in: 1...100, "a multiplier")
        }
        try map.read("max_recovery_timeout_ms", into: &maxRecoveryTimeout) { try $0.milliseconds(minimum: 1) }
        try map.read("half_open_max_probes", into: &halfOpenMaxProbes) {
            try $0.int(in: 1...Int.max, "a number of probes")
        }
        try map.read("half_open_successes_to_close", into: &halfOpenSuccessesToClose) {
            try $0.int(in: 1...Int.max, "a number of probes")
        }
        guard minimumCalls <= windowSize else {
            throw map.error(
                at: "minimum_calls", .invalidValue,
                "must not exceed window_size (\(windowSize)), got \(minimumCalls); the failure rate would never count")
        }
        guard maxRecoveryTimeout >= recoveryTimeout else {
            throw map.error(
                at: "max_recovery_timeout_ms", .invalidValue,
                "must be at least recovery_timeout_ms (\(recoveryTimeout.wholeMilliseconds) ms), got "
                    + "\(maxRecoveryTimeout.wholeMilliseconds) ms")
        }
    }
}

extension RateLimitConfiguration {
    static let keys = ["requests_per_second", "burst", "requests_per_minute", "max_concurrent"]

    /// Each limit may be set to `null` to remove a limit that `base` has.
    init(reading value: ConfigValue, base: RateLimitConfiguration) throws {
        let map = try value.mapping(keys: Self.keys)
        self = base
        try map.readOptional("requests_per_second", into: &requestsPerSecond) {
            try $0.positiveDouble("a number of requests per second")
        }
        try map.readOptional("burst", into: &burst) { try $0.int(in: 1...Int.max, "a number of requests") }
        try map.readOptional("requests_per_minute", into: &requestsPerMinute) {
            try $0.int(in: 1...Int.max, "a number of requests")
        }
        try map.readOptional("max_concurrent", into: &maxConcurrent) {
            try $0.int(in: 1...Int.max, "a number of requests")
        }
    }
}

extension ProviderTimeouts {
    static let keys = ["connect_ms", "first_byte_ms", "idle_ms", "total_ms"]

    init(reading value: ConfigValue, base: ProviderTimeouts) throws {
        let map = try value.mapping(keys: Self.keys)
        self = base
        try map.read("connect_ms", into: &connect) { try $0.milliseconds(minimum: 1) }
        try map.read("first_byte_ms", into: &firstByte) { try $0.milliseconds(minimum: 1) }
        try map.read("idle_ms", into: &idle) { try $0.milliseconds(minimum: 1) }
        try map.read("total_ms", into: &total) { try $0.milliseconds(minimum: 1) }
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded toward zero.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
