import SwitchyardCore
import SwitchyardProviders
import Testing

/// Shorthands for the tests' assertions on what a provider entry was read as.
extension ProviderSettings {
    /// The simulated behaviour; records an issue for a provider of another kind.
    var simulated: SimulatedProvider.Configuration {
        guard let simulated = options(as: SimulatedProvider.Configuration.self) else {
            Issue.record("\(name) is of kind \(kind), not simulated")
            return SimulatedProvider.Configuration()
        }
        return simulated
    }

    var baseURL: String? { http?.baseURL }
    var httpTimeouts: ProviderTimeouts? { http?.timeouts }
    var apiKeyEnv: String? { http?.apiKeyEnv }

    private var http: (baseURL: String, timeouts: ProviderTimeouts, apiKeyEnv: String?)? {
        if let options = options(as: HTTPProviderOptions<OpenAICompatibleProvider>.self) {
            return (options.configuration.baseURL, options.configuration.timeouts, options.apiKeyEnv)
        }
        if let options = options(as: HTTPProviderOptions<AnthropicProvider>.self) {
            return (options.configuration.baseURL, options.configuration.timeouts, options.apiKeyEnv)
        }
        if let options = options(as: HTTPProviderOptions<GeminiProvider>.self) {
            return (options.configuration.baseURL, options.configuration.timeouts, options.apiKeyEnv)
        }
        return nil
    }
}
