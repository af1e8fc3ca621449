package import SwitchyardCore

extension RateLimitConfiguration {
    /// `rate_limit:` of `defaults:` and of a provider. Each limit may be set to `null` to remove one that
    /// `defaults:` sets.
    package static var settings: SettingsSection<RateLimitConfiguration> {
        SettingsSection([
            .optional("requests_per_second", \.requestsPerSecond, "Token-bucket refill rate, in calls per second.",
                read: { try $0.positiveDouble("a number of requests per second") }, write: YAMLTree.number),
            .optional("burst", \.burst, "Token-bucket size (default: the rate, at least 1).",
                read: { try $0.int(in: 1...Int.max, "a number of requests") }, write: YAMLTree.int),
            .optional("requests_per_minute", \.requestsPerMinute, "Calls started in any rolling 60 seconds.",
                read: { try $0.int(in: 1...Int.max, "a number of requests") }, write: YAMLTree.int),
            .optional("max_concurrent", \.maxConcurrent, "Calls in flight at once.",
                read: { try $0.int(in: 1...Int.max, "a number of requests") }, write: YAMLTree.int),
        ])
    }
}
