package import SwitchyardCore

extension QueueConfiguration {
    /// `queue:`, the bounded wait when no provider is available.
    package static var settings: SettingsSection<QueueConfiguration> {
        SettingsSection([
            .int("max_length", \.maxLength, "Requests that may wait at once; more are refused (0: no waiting).",
                in: 0...Int.max, "a number of requests"),
            .milliseconds("max_wait_ms", \.maxWait, "The longest a request waits for a provider."),
        ])
    }
}
