public import AsyncHTTPClient
public import Logging
public import SwitchyardCore

/// A provider reached over HTTP: what its kind builds from a ``HTTPProviderConfiguration`` and a client.
///
/// Conforming types keep one ``HTTPEndpoint`` and get from this protocol their public initializer, ``name``,
/// ``configuration`` and description:
///
/// ```swift
/// let lmstudio = OpenAICompatibleProvider(
///     name: "lmstudio", configuration: .init(baseURL: "http://localhost:1234/v1"), httpClient: client)
/// ```
public protocol HTTPProvider: LLMProvider, CustomStringConvertible {
    associatedtype Configuration: HTTPProviderConfiguration
    /// The `kind:` of such providers.
    static var kind: ProviderKind { get }

    /// The name, configuration and transport the provider calls through.
    var endpoint: HTTPEndpoint<Configuration> { get }

    /// Wraps an endpoint made by ``init(name:configuration:httpClient:logger:)``.
    init(endpoint: HTTPEndpoint<Configuration>)
}

extension HTTPProvider {
    /// - Parameters:
    ///   - name: the provider's name in the router (for messages and logs).
    ///   - configuration: base URL, key, time-outs and the kind's own settings.
    ///   - httpClient: the client to call through, whose connect time-out applies (``ProviderHTTPClients`` has one
    ///     per ``ProviderTimeouts/connect``); its owner shuts it down.
    ///   - logger: receives debug lines about calls (never keys).
    public init(
        name: String,
        configuration: Configuration = Configuration(),
        httpClient: HTTPClient,
        logger: Logger = Logger(label: "switchyard.providers")
    ) {
        self.init(
            endpoint: HTTPEndpoint(
                name: name, configuration: configuration,
                transport: HTTPTransport(
                    providerName: name, client: httpClient, apiKey: configuration.apiKey,
                    timeouts: configuration.timeouts, maxResponseBytes: configuration.maxResponseBytes,
                    maxStreamBytes: configuration.maxStreamBytes, logger: logger)))
    }

    /// The provider's name in the router (for messages and logs).
    public var name: String { endpoint.name }
    public var configuration: Configuration { endpoint.configuration }
    public var description: String { "\(Self.self)(\(name), \(configuration.baseURL))" }

    var transport: HTTPTransport { endpoint.transport }
}

/// What an HTTP provider calls through: its name, its configuration and the transport built from them.
public struct HTTPEndpoint<Configuration: HTTPProviderConfiguration>: Sendable {
    let name: String
    let configuration: Configuration
    let transport: HTTPTransport
}

/// The settings every HTTP provider has.
public protocol HTTPProviderConfiguration: Sendable, Hashable {
    /// The defaults, with the kind's public endpoint as the base URL.
    init()
    var baseURL: String { get set }
    var apiKey: APIKey? { get set }
    var timeouts: ProviderTimeouts { get set }
    /// More headers for every request. Their values are never logged.
    var extraHeaders: [String: String] { get set }
    var maxResponseBytes: Int { get set }
    var maxStreamBytes: Int { get set }
}
