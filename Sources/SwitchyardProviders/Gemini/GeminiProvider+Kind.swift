package import SwitchyardSettings

extension ProviderKind {
    /// The Google Gemini API (`generateContent`).
    public static let gemini = ProviderKind(rawValue: "gemini")
}

extension GeminiProvider: ConfigurableHTTPProvider {
    public static var kind: ProviderKind { .gemini }

    package static var configurationKeys: [SettingKey<Configuration>] {
        [.string("api_version", \.apiVersion, "The API version path segment.", "an API version")]
    }
}
