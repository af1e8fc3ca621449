public import SwitchyardCore

/// One entry of the config file's `providers:`: the routing profile every kind has (name, quality, models and prices,
/// retry, breaker, limits) and the options of its kind.
///
/// ```swift
/// let settings = ProviderSettings(
///     profile: ProviderProfile(name: "ollama", models: [ModelProfile(name: "qwen2.5")]),
///     options: HTTPProviderOptions<OpenAICompatibleProvider>(configuration: .init(baseURL: "http://localhost:11434/v1")))
/// let provider = try settings.makeProvider(context: ProviderBuildContext(clients: clients))
/// ```
public struct ProviderSettings: Sendable, Hashable {
    /// Name, quality, specialties, models and prices, retry, breaker and limits (defaults applied).
    public var profile: ProviderProfile
    /// The kind's own settings (``HTTPProviderOptions`` for the HTTP kinds, `SimulatedProvider.Configuration`).
    public var options: any ProviderKindOptions

    public init(profile: ProviderProfile, options: some ProviderKindOptions) {
        self.profile = profile
        self.options = options
    }

    public var name: String { profile.name }
    public var kind: ProviderKind { type(of: options).kind }

    /// The options as `type`, or `nil` when the provider is of another kind.
    public func options<Options: ProviderKindOptions>(as type: Options.Type) -> Options? {
        options as? Options
    }

    /// Builds the provider.
    ///
    /// - Throws: ``MissingAPIKeyError`` when the key's environment variable is unset;
    ///   `HTTPClientError.alreadyShutdown` when the clients were shut down.
    public func makeProvider(context: ProviderBuildContext) throws -> any LLMProvider {
        try options.makeProvider(name: name, context: context)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.profile == rhs.profile && lhs.options.hashableValue == rhs.options.hashableValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(profile)
        hasher.combine(options.hashableValue)
    }
}

extension ProviderKindOptions {
    /// The options as an `AnyHashable`, for ``ProviderSettings``' equality.
    fileprivate var hashableValue: AnyHashable { AnyHashable(self) }
}
