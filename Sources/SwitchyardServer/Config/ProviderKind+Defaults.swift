public import SwitchyardProviders

extension ProviderKind {
    /// Whether the provider is reached over HTTP (and so takes `base_url`, `api_key_env` and `timeout`).
    public var isHTTP: Bool { self != .simulated }

    /// The base URL used when `base_url` is not set; `nil` for a simulated provider.
    var configDefaultBaseURL: String? { isHTTP ? defaultBaseURL : nil }
}
