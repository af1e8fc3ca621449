extension ProviderKind {
    /// The base URL a provider of this kind uses when `base_url` is not set; `nil` for ``simulated``.
    public var defaultBaseURL: String? {
        switch self {
        case .openai: "https://api.openai.com/v1"
        case .anthropic: "https://api.anthropic.com"
        case .gemini: "https://generativelanguage.googleapis.com"
        case .simulated: nil
        }
    }

    /// Whether the provider is reached over HTTP (and so takes `base_url`, `api_key_env` and `timeout`).
    public var isHTTP: Bool { self != .simulated }
}
