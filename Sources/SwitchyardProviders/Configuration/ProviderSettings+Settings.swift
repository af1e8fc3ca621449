import SwitchyardCore
package import SwitchyardSettings
package import Yams

extension ProviderSettings {
    /// The keys every entry takes, around its kind's (`name` and `kind` first, then the kind's, then these).
    static var identitySettings: SettingsSection<ProviderSettings> {
        SettingsSection([
            SettingKey.value("name", \.profile.name, "The provider's name in routes (`name/model`) and reports.",
                read: { try $0.name("provider") }, write: YAMLTree.string
            ).required("a provider name"),
            // Read first, by `init(reading:defaults:)`, since it decides which other keys the entry takes.
            SettingKey.custom(
                "kind", "The API it speaks: \(ProviderKind.allCases.map { "`\($0)`" }.joined(separator: ", ")).",
                read: { _, _ in }, write: { YAMLTree.string($0.kind.rawValue) }
            ).required(kindChoices),
        ])
    }

    private static var kindChoices: String {
        "one of: " + ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
    }

    static var profileSettings: SettingsSection<ProviderSettings> {
        SettingsSection([
            .double("quality", \.profile.quality, "How good its answers are, 0...1 (the `quality` priority).",
                in: 0...1, "a quality score"),
            .value("specialties", \.profile.specialties, "Prompt classes it is good at, boosted for those prompts.",
                read: { value in Set(try value.list(of: "specialties").map { try $0.choice(PromptClass.self) }) },
                write: { specialties in
                    YAMLTree.flowList(PromptClass.allCases.filter(specialties.contains).map { YAMLTree.string($0.rawValue) })
                }),
            .milliseconds("expected_latency_ms", \.profile.expectedLatency,
                "Latency assumed before any call is measured (a simulated provider's own latency by default)."),
            SettingKey.custom(
                "models", "The models it serves, with prices; an entry may be just a name.",
                read: { value, settings in settings.profile.models = try ModelProfile.readList(value) },
                write: { YAMLTree.list($0.profile.models.map(ModelProfile.settings.node)) },
                nested: { _, prefix in ModelProfile.reference(prefix: prefix + "[].") }
            ).required("a list of models"),
            .section("retry", \.profile.retry, "Overrides `defaults.retry`, key by key.", RetryPolicy.settings),
            .section("circuit_breaker", \.profile.circuitBreaker, "Overrides `defaults.circuit_breaker`, key by key.",
                CircuitBreakerConfiguration.settings),
            .section("rate_limit", \.profile.rateLimit, "Overrides `defaults.rate_limit`, key by key.",
                RateLimitConfiguration.settings),
        ])
    }

    /// Every key any entry may have, for the mapping's check (a key of another kind is refused afterwards, naming
    /// the kinds that take it).
    private static var allKeyNames: [String] {
        var names = identitySettings.names
        for kind in ProviderKinds.descriptions { names += kind.keyNames.filter { !names.contains($0) } }
        return names + profileSettings.names
    }

    /// The keys of the entry's kind, when it names a known one (for the unknown-key error).
    private static func keyNames(of value: ConfigValue) -> [String]? {
        guard case .mapping(let mapping) = value.node,
            let kind = mapping.first(where: { $0.key.string == "kind" })?.value.string,
            let own = ProviderKinds.descriptions.first(where: { $0.kind.rawValue == kind })
        else { return nil }
        return identitySettings.names + own.keyNames + profileSettings.names
    }

    /// Reads `providers:`: at least one entry. Names are checked by `RouterTopology`.
    package static func readList(_ value: ConfigValue, defaults: ProviderDefaults) throws -> [ProviderSettings] {
        try value.list(of: "providers").map { try ProviderSettings(reading: $0, defaults: defaults) }
    }

    /// Reads one entry over `defaults`.
    package init(reading value: ConfigValue, defaults: ProviderDefaults) throws {
        let map = try ConfigMapping(value, allowedKeys: Self.allKeyNames, listedKeys: Self.keyNames(of: value))
        let kindValue = try map.required("kind", Self.kindChoices)
        let kind = try kindValue.choice(ProviderKind.allCases)
        guard let optionsType = ProviderKinds.options(for: kind) else { throw kindValue.expected("a provider kind") }
        try Self.refuseKeysOfOtherKinds(map, kind: kind)

        let options = try Self.readOptions(optionsType, map, defaults: defaults)
        var profile = Self.profile(defaults)
        if let latency = options.expectedLatency { profile.expectedLatency = latency }
        self.init(profile: profile, options: options)
        try Self.identitySettings.read(map, into: &self)
        try Self.profileSettings.read(map, into: &self)
    }

    /// A profile before an entry's keys are read: the resilience settings of `defaults:`.
    private static func profile(_ defaults: ProviderDefaults) -> ProviderProfile {
        ProviderProfile(
            name: "", models: [], retry: defaults.retry, circuitBreaker: defaults.circuitBreaker,
            rateLimit: defaults.rateLimit)
    }

    private static func readOptions<Options: ConfigurableProviderKind>(
        _ type: Options.Type, _ map: ConfigMapping, defaults: ProviderDefaults
    ) throws -> Options {
        var options = Options(defaults: defaults)
        try Options.settings.read(map, into: &options)
        return options
    }

    private static func refuseKeysOfOtherKinds(_ map: ConfigMapping, kind: ProviderKind) throws {
        let kinds = ProviderKinds.descriptions
        let own = Set(identitySettings.names + profileSettings.names + (kinds.first { $0.kind == kind }?.keyNames ?? []))
        for name in allKeyNames where !own.contains(name) && map[name] != nil {
            let takers = kinds.filter { $0.keyNames.contains(name) }
            let names = takers.map(\.kind.rawValue)
            let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
            // "HTTP providers (kind openai, anthropic or gemini)" when every kind of a family takes the key.
            let family = takers.first?.family.flatMap { family in
                kinds.filter { $0.family == family }.allSatisfy { $0.keyNames.contains(name) } ? family : nil
            }
            let audience = family.map { "\($0) (kind \(list))" } ?? "kind \(list)"
            throw map.error(at: name, .unknownKey, "'\(name)' is only for \(audience); this provider is kind \(kind)")
        }
    }

    /// The entry with every value in effect, as the config file would write it.
    package var node: Node {
        YAMLTree.mapping(Self.identitySettings.pairs(self) + Self.optionPairs(options) + Self.profileSettings.pairs(self))
    }

    /// Fills in the prices the entry left unset that its kind knows (``ConfigurableProviderKind/completePrices(_:)``),
    /// in every tier of every model.
    package mutating func completePrices() {
        guard let options = options as? any ConfigurableProviderKind else { return }
        profile.models = Self.completingPrices(of: profile.models, options)
    }

    private static func completingPrices<Options: ConfigurableProviderKind>(
        of models: [ModelProfile], _: Options
    ) -> [ModelProfile] {
        models.map { model in
            var model = model
            Options.completePrices(&model.pricing.base)
            if var tier = model.pricing.longContext {
                Options.completePrices(&tier.prices)
                model.pricing.longContext = tier
            }
            return model
        }
    }

    private static func optionPairs(_ options: any ProviderKindOptions) -> [(String, Node)] {
        guard let options = options as? any ConfigurableProviderKind else { return [] }
        return pairs(of: options)
    }

    private static func pairs<Options: ConfigurableProviderKind>(of options: Options) -> [(String, Node)] {
        Options.settings.pairs(options)
    }

    /// The reference rows of an entry: the keys every kind takes, then each kind's own.
    package static func reference(prefix: String, defaults: ProviderDefaults) -> (
        common: [SettingReference], kinds: [(ProviderKind, [SettingReference])]
    ) {
        let example = ProviderSettings(profile: profile(defaults), options: SimulatedProvider.Configuration())
        let common =
            identitySettings.reference(example, prefix: prefix) + profileSettings.reference(example, prefix: prefix)
        let kinds = ProviderKinds.all.map { kind in (kind.kind, reference(of: kind, prefix: prefix, defaults: defaults)) }
        return (common, kinds)
    }

    private static func reference<Options: ConfigurableProviderKind>(
        of type: Options.Type, prefix: String, defaults: ProviderDefaults
    ) -> [SettingReference] {
        Options.settings.reference(Options(defaults: defaults), prefix: prefix)
    }
}
