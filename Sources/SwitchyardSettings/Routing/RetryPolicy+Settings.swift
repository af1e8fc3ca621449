package import SwitchyardCore

extension RetryPolicy {
    /// `retry:` of `defaults:` and of a provider.
    package static var settings: SettingsSection<RetryPolicy> {
        SettingsSection(
            [
                .int("max_attempts", \.maxAttempts, "Calls of one target per request, the first included.",
                    in: 1...100, "a number of attempts"),
                .milliseconds("initial_backoff_ms", \.initialBackoff, "Backoff before the first retry."),
                .milliseconds("max_backoff_ms", \.maxBackoff,
                    "Longest backoff, and the longest `Retry-After` worth waiting for within a request."),
                .double("multiplier", \.multiplier, "Growth of the backoff per retry.", in: 1...100,
                    "a backoff multiplier"),
                .choice("jitter", \.jitter, "`none`, `full` (0...backoff) or `equal` (backoff/2...backoff).",
                    [.none, .full, .equal]),
                .milliseconds("max_retry_after_ms", \.maxRetryAfter,
                    "The longest cool-down a provider's `Retry-After` can impose on it."),
            ],
            check: { map, policy in
                guard policy.maxBackoff >= policy.initialBackoff else {
                    throw map.error(
                        at: "max_backoff_ms", .invalidValue,
                        "must be at least initial_backoff_ms (\(policy.initialBackoff.wholeMilliseconds) ms), got "
                            + "\(policy.maxBackoff.wholeMilliseconds) ms")
                }
            })
    }
}
