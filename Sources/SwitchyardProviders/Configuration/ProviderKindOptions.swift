public import Logging
public import SwitchyardCore
package import SwitchyardSettings

/// What a provider entry of one kind says beyond the routing profile (an endpoint, where its key is, time-outs; a
/// simulated provider's behaviour), and how to build the provider from it.
public protocol ProviderKindOptions: Sendable, Hashable {
    /// The `kind:` these options belong to.
    static var kind: ProviderKind { get }

    /// Builds the provider called `name`.
    ///
    /// - Throws: ``MissingAPIKeyError`` when the key's environment variable is unset.
    func makeProvider(name: String, context: ProviderBuildContext) throws -> any LLMProvider

    /// The environment variables building the provider reads, by the key that names them (`api_key_env`).
    var environmentVariables: [String: String] { get }
}

extension ProviderKindOptions {
    public var environmentVariables: [String: String] { [:] }
}

/// Options whose keys the configuration file reads and writes; every kind in ``ProviderKinds`` conforms.
package protocol ConfigurableProviderKind: ProviderKindOptions {
    /// The keys the kind adds to a provider entry, read over ``init(defaults:)``.
    static var settings: SettingsSection<Self> { get }
    /// Who takes these keys when several kinds share them ("HTTP providers"), for the error about a key given to a
    /// kind that does not take it; `nil` names the kinds.
    static var family: String? { get }
    /// The options before the entry's keys are read, from the `defaults:` section.
    init(defaults: ProviderDefaults)
    /// The `expected_latency_ms` of a provider that does not write one, when the kind knows better than the default.
    var expectedLatency: Duration? { get }
    /// Fills in prices the configuration left unset when the kind's provider publishes how they follow from the
    /// others (Anthropic's cache multipliers). Applied to every price tier of every model of the kind.
    static func completePrices(_ prices: inout TokenPrices)
}

extension ConfigurableProviderKind {
    package static var family: String? { nil }
    package var expectedLatency: Duration? { nil }
    package static func completePrices(_ prices: inout TokenPrices) {}
}

/// What building a provider may use.
public struct ProviderBuildContext: Sendable {
    /// The service's HTTP clients, one per connect time-out.
    public var clients: ProviderHTTPClients
    /// Where API keys are read.
    public var environment: [String: String]
    /// Handed to the provider.
    public var logger: Logger

    public init(
        clients: ProviderHTTPClients,
        environment: [String: String] = ProcessEnvironment.current,
        logger: Logger = Logger(label: "switchyard.providers")
    ) {
        self.clients = clients
        self.environment = environment
        self.logger = logger
    }
}
