public import SwitchyardCore

/// What a provider entry of an HTTP kind says: the provider's configuration as written, and the environment variable
/// its API key is read from when the provider is built (the configuration never holds the key).
///
/// ```swift
/// let options = HTTPProviderOptions<AnthropicProvider>(apiKeyEnv: "ANTHROPIC_API_KEY")
/// ```
public struct HTTPProviderOptions<Provider: HTTPProvider>: ProviderKindOptions {
    public static var kind: ProviderKind { Provider.kind }

    /// The provider's configuration; its ``HTTPProviderConfiguration/apiKey`` is filled from ``apiKeyEnv`` when the
    /// provider is built.
    public var configuration: Provider.Configuration
    /// Name of the environment variable that holds the API key; `nil` for servers without authentication.
    public var apiKeyEnv: String?

    public init(configuration: Provider.Configuration = Provider.Configuration(), apiKeyEnv: String? = nil) {
        self.configuration = configuration
        self.apiKeyEnv = apiKeyEnv
    }

    public var environmentVariables: [String: String] {
        apiKeyEnv.map { ["api_key_env": $0] } ?? [:]
    }

    /// Reads the key, then builds the provider on the client whose connect time-out is the configuration's.
    public func makeProvider(name: String, context: ProviderBuildContext) throws -> any LLMProvider {
        var configuration = configuration
        if let apiKeyEnv {
            configuration.apiKey = try APIKey.fromEnvironment(named: apiKeyEnv, environment: context.environment)
        }
        let client = try context.clients.client(connectTimeout: configuration.timeouts.connect)
        return Provider(name: name, configuration: configuration, httpClient: client, logger: context.logger)
    }
}
