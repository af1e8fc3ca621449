import SwitchyardCore
package import SwitchyardSettings

extension ProviderDefaults {
    /// `defaults:`.
    package static var settings: SettingsSection<ProviderDefaults> {
        SettingsSection([
            .milliseconds("timeout_ms", \.timeout,
                "Deadline of a request that sets none: attempts, failover, queue wait and streaming together.",
                minimum: 1),
            .section("retry", \.retry, "Retries of a failed call.", RetryPolicy.settings),
            .section("circuit_breaker", \.circuitBreaker, "When a provider is taken out and let back.",
                CircuitBreakerConfiguration.settings),
            .section("rate_limit", \.rateLimit, "Switchyard's own limits on calls to a provider.",
                RateLimitConfiguration.settings),
            .section("timeout", \.httpTimeouts, "Time-outs of an HTTP provider's calls.", ProviderTimeouts.settings),
        ])
    }
}
