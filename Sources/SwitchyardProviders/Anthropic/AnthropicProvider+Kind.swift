package import SwitchyardSettings

extension ProviderKind {
    /// The Anthropic Messages API.
    public static let anthropic = ProviderKind(rawValue: "anthropic")
}

extension AnthropicProvider: ConfigurableHTTPProvider {
    public static var kind: ProviderKind { .anthropic }

    package static var configurationKeys: [SettingKey<Configuration>] {
        [
            .string("api_version", \.apiVersion, "The `anthropic-version` header.", "an API version"),
            .int("default_max_tokens", \.defaultMaxTokens,
                "`max_tokens` of a request that sets none (Anthropic requires one).", in: 1...Int(Int32.max),
                "a number of tokens"),
        ]
    }
}
