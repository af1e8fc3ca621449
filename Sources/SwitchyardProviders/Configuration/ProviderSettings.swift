public import AsyncHTTPClient
public import Logging
public import SwitchyardCore

/// What the config file says about one provider's endpoint, enough to build it: the `name`, `kind`, `base_url`,
/// `api_key_env` and `timeout` keys.
///
/// ```swift
/// let settings = ProviderSettings(name: "ollama", kind: .openAI, baseURL: "http://localhost:11434/v1")
/// let provider = try settings.makeProvider(clients: clients)  // a ProviderHTTPClients
/// ```
public struct ProviderSettings: Sendable, Hashable {
    public var name: String
    public var kind: ProviderKind
    /// `nil` uses ``ProviderKind/defaultBaseURL``.
    public var baseURL: String?
    /// The environment variable holding the API key; `nil` for servers without authentication.
    public var apiKeyEnvironmentVariable: String?
    public var timeouts: ProviderTimeouts

    public init(
        name: String,
        kind: ProviderKind,
        baseURL: String? = nil,
        apiKeyEnvironmentVariable: String? = nil,
        timeouts: ProviderTimeouts = ProviderTimeouts()
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.timeouts = timeouts
    }

    /// Builds the provider on the client of `clients` whose connect time-out is ``timeouts``' `connect`, reading its
    /// key from the environment.
    ///
    /// - Parameters:
    ///   - clients: the service's HTTP clients, one per connect time-out.
    ///   - environment: where keys are read; the process environment by default.
    ///   - logger: handed to the provider.
    /// - Throws: ``MissingAPIKeyError`` when ``apiKeyEnvironmentVariable`` names an unset variable;
    ///   `HTTPClientError.alreadyShutdown` when `clients` was shut down.
    public func makeProvider(
        clients: ProviderHTTPClients,
        environment: [String: String] = ProcessEnvironment.current,
        logger: Logger = Logger(label: "switchyard.providers")
    ) throws -> any LLMProvider {
        if kind == .simulated { return SimulatedProvider(name: name) }
        let client = try clients.client(connectTimeout: timeouts.connect)
        return try makeProvider(httpClient: client, environment: environment, logger: logger)
    }

    /// Builds the provider on `httpClient`, reading its key from the environment. The client's connect time-out
    /// applies, not ``timeouts``' `connect`: prefer ``makeProvider(clients:environment:logger:)``.
    ///
    /// - Parameters:
    ///   - httpClient: the client to call through.
    ///   - environment: where keys are read; the process environment by default.
    ///   - logger: handed to the provider.
    /// - Throws: ``MissingAPIKeyError`` when ``apiKeyEnvironmentVariable`` names an unset variable.
    public func makeProvider(
        httpClient: HTTPClient,
        environment: [String: String] = ProcessEnvironment.current,
        logger: Logger = Logger(label: "switchyard.providers")
    ) throws -> any LLMProvider {
        let key = try apiKeyEnvironmentVariable.map { try APIKey.fromEnvironment(named: $0, environment: environment) }
        let baseURL = self.baseURL ?? kind.defaultBaseURL
        switch kind {
        case .openAI:
            return OpenAICompatibleProvider(
                name: name, configuration: .init(baseURL: baseURL, apiKey: key, timeouts: timeouts),
                httpClient: httpClient, logger: logger)
        case .anthropic:
            return AnthropicProvider(
                name: name, configuration: .init(baseURL: baseURL, apiKey: key, timeouts: timeouts),
                httpClient: httpClient, logger: logger)
        case .gemini:
            return GeminiProvider(
                name: name, configuration: .init(baseURL: baseURL, apiKey: key, timeouts: timeouts),
                httpClient: httpClient, logger: logger)
        case .simulated:
            return SimulatedProvider(name: name)
        }
    }
}
