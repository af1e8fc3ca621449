package import SwitchyardSettings

extension ProviderTimeouts {
    /// `timeout:` of `defaults:` and of an HTTP provider.
    package static var settings: SettingsSection<ProviderTimeouts> {
        SettingsSection([
            .milliseconds("connect_ms", \.connect, "Time to open the connection (TCP and TLS).", minimum: 1),
            .milliseconds("first_byte_ms", \.firstByte, "Time from the start of a call to the response head.",
                minimum: 1),
            .milliseconds("idle_ms", \.idle, "Longest wait for the next piece of the body.", minimum: 1),
            .milliseconds("total_ms", \.total, "The whole call, body included.", minimum: 1),
        ])
    }
}
