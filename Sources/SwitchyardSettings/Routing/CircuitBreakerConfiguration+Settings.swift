package import SwitchyardCore

extension CircuitBreakerConfiguration {
    /// `circuit_breaker:` of `defaults:` and of a provider.
    package static var settings: SettingsSection<CircuitBreakerConfiguration> {
        SettingsSection(
            [
                .int("failure_threshold", \.consecutiveFailureThreshold, "Consecutive failures that open the breaker.",
                    in: 1...Int.max, "a number of consecutive failures"),
                .double("failure_rate_threshold", \.failureRateThreshold,
                    "Failure share (0...1) over the last `window_size` calls that opens the breaker.", in: 0...1,
                    "a failure share"),
                .int("window_size", \.windowSize, "Calls in the sliding window of the failure rate.",
                    in: 1...100_000, "a number of calls"),
                .int("minimum_calls", \.minimumCalls, "Calls the window must hold before the failure rate counts.",
                    in: 1...100_000, "a number of calls"),
                .milliseconds("recovery_timeout_ms", \.recoveryTimeout,
                    "How long the breaker stays open before letting a probe through.", minimum: 1),
                .double("recovery_backoff_multiplier", \.recoveryBackoffMultiplier,
                    "Growth of the recovery time-out after each failed probe (1 keeps it fixed).", in: 1...100,
                    "a multiplier"),
                .milliseconds("max_recovery_timeout_ms", \.maxRecoveryTimeout,
                    "The longest the recovery time-out may grow to.", minimum: 1),
                .int("half_open_max_probes", \.halfOpenMaxProbes, "Probe calls let through at once while half-open.",
                    in: 1...Int.max, "a number of probes"),
                .int("half_open_successes_to_close", \.halfOpenSuccessesToClose,
                    "Successful probes needed to close.", in: 1...Int.max, "a number of probes"),
            ],
            check: { map, breaker in
                guard breaker.minimumCalls <= breaker.windowSize else {
                    throw map.error(
                        at: "minimum_calls", .invalidValue,
                        "must not exceed window_size (\(breaker.windowSize)), got \(breaker.minimumCalls); the "
                            + "failure rate would never count")
                }
                guard breaker.maxRecoveryTimeout >= breaker.recoveryTimeout else {
                    throw map.error(
                        at: "max_recovery_timeout_ms", .invalidValue,
                        "must be at least recovery_timeout_ms (\(breaker.recoveryTimeout.wholeMilliseconds) ms), got "
                            + "\(breaker.maxRecoveryTimeout.wholeMilliseconds) ms")
                }
            })
    }
}
