public import AsyncHTTPClient
public import Logging
public import SwitchyardCore

/// A provider reached over HTTP, built from a ``HTTPProviderConfiguration`` and a client.
public protocol HTTPProvider: LLMProvider {
    associatedtype Configuration: HTTPProviderConfiguration
    /// The `kind:` of such providers.
    static var kind: ProviderKind { get }

    init(name: String, configuration: Configuration, httpClient: HTTPClient, logger: Logger)
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
