package import SwitchyardCore
import Yams

extension ModelProfile {
    /// One entry of a provider's `models:`.
    package static var settings: SettingsSection<ModelProfile> {
        SettingsSection(
            [
                SettingKey.value("name", \.name, "The model's name as the provider knows it.", read: readName,
                    write: YAMLTree.string
                ).required("the model's name as the provider knows it")
            ] + TokenPrices.settings(tier: "").lifted(\ModelProfile.pricing.base).keys + [
                .custom(
                    "long_context",
                    "Higher prices for long prompts: above `above_prompt_tokens` prompt tokens every token of the call "
                        + "is billed at these (default none).",
                    read: { value, model in
                        model.pricing.longContext = value.isNull ? nil : try LongContextPricing.read(value)
                    },
                    write: { YAMLTree.optional($0.pricing.longContext, LongContextPricing.settings.node) },
                    nested: { model, prefix in
                        LongContextPricing.settings.reference(
                            model.pricing.longContext ?? LongContextPricing.example, prefix: prefix + ".")
                    }),
                .int("max_output_tokens", \.maxOutputTokens,
                    "Completion tokens a request may ask for; the budget reserves for this many when it sets none.",
                    in: 1...Int(Int32.max), "a number of tokens"),
            ])
    }

    /// The keys of a model entry that set a price.
    package static let priceKeyNames: Set<String> = Set(TokenPrices.settings(tier: "").names + ["long_context"])

    /// `models:`. An entry is a mapping or just a model name (free, with the default output limit). That there is at
    /// least one and that names are unique is checked by `RouterTopology`.
    package static func readList(_ value: ConfigValue) throws -> [ModelProfile] {
        try value.list(of: "models").map { item in
            if item.text != nil { return ModelProfile(name: try readName(item)) }
            var model = ModelProfile(name: "")
            try settings.read(item, into: &model)
            return model
        }
    }

    /// The reference rows of a model entry.
    package static func reference(prefix: String) -> [SettingReference] {
        settings.reference(ModelProfile(name: ""), prefix: prefix)
    }

    private static func readName(_ value: ConfigValue) throws -> String {
        let name = try value.string("a model name")
        guard !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            throw value.expected("a model name without spaces", code: .invalidValue)
        }
        return name
    }
}

extension TokenPrices {
    /// The price keys of a model (`tier` empty) or of its long-context tier.
    package static func settings(tier: String) -> SettingsSection<TokenPrices> {
        func price(_ name: String, _ path: WritableKeyPath<TokenPrices, MicroDollars>, _ summary: String)
            -> SettingKey<TokenPrices>
        {
            .value(name, path, summary + tier + ".", read: { try $0.dollars() }, write: YAMLTree.dollars)
        }
        func optionalPrice(
            _ name: String, _ path: WritableKeyPath<TokenPrices, MicroDollars?>, _ summary: String,
            default fallback: String
        ) -> SettingKey<TokenPrices> {
            .optional(name, path, summary + tier + " (default: \(fallback)).", read: { try $0.dollars() },
                write: YAMLTree.dollars)
        }
        return SettingsSection([
            price("input_usd_per_mtok", \.inputPerMillionTokens, "Dollars per million uncached prompt tokens"),
            price("output_usd_per_mtok", \.outputPerMillionTokens, "Dollars per million completion tokens"),
            optionalPrice("cached_input_usd_per_mtok", \.cachedInputPerMillionTokens,
                "Dollars per million prompt tokens read from the provider's prompt cache",
                default: "the input price; `anthropic`: 0.1 × input"),
            optionalPrice("cache_write_usd_per_mtok", \.cacheWritePerMillionTokens,
                "Dollars per million prompt tokens written to the prompt cache (Anthropic's 5-minute cache)",
                default: "the input price; `anthropic`: 1.25 × input"),
            optionalPrice("cache_write_1h_usd_per_mtok", \.cacheWrite1hPerMillionTokens,
                "Dollars per million prompt tokens written to Anthropic's 1-hour cache",
                default: "the input price; `anthropic`: 2 × input"),
            optionalPrice("reasoning_usd_per_mtok", \.reasoningPerMillionTokens,
                "Dollars per million reasoning (thinking) tokens", default: "the output price"),
        ])
    }
}

extension LongContextPricing {
    /// `long_context:` of a model entry.
    package static var settings: SettingsSection<LongContextPricing> {
        let prices = TokenPrices.settings(tier: " above the threshold").lifted(\LongContextPricing.prices)
        return SettingsSection(
            [
                SettingKey.int("above_prompt_tokens", \.abovePromptTokens,
                    "The tier applies to calls whose prompt (cached tokens included) has more tokens than this.",
                    in: 1...TokenUsage.maximumCount, "a number of tokens"
                ).required("a number of prompt tokens such as 200000")
            ]
                + prices.keys.map { key in
                    ["input_usd_per_mtok", "output_usd_per_mtok"].contains(key.name)
                        ? key.required("the tier's price in dollars per million tokens") : key
                })
    }

    /// A tier for the reference table.
    static let example = LongContextPricing(
        abovePromptTokens: 200_000, prices: TokenPrices(inputPerMillionTokens: .zero, outputPerMillionTokens: .zero))

    static func read(_ value: ConfigValue) throws -> LongContextPricing {
        var tier = example
        try settings.read(value, into: &tier)
        return tier
    }
}

extension ModelProfile {
    /// The entry as `switchyard prices import` writes it: `name`, the prices that are set (unset ones, which take
    /// their defaults, left out), and `max_output_tokens` when `includingLimit`.
    func pricedEntry(includingLimit: Bool) -> Node {
        func withoutNulls(_ pairs: [(String, Node)]) -> [(String, Node)] {
            pairs.compactMap { name, node in
                guard node != YAMLTree.null else { return nil }
                guard case .mapping(let mapping) = node else { return (name, node) }
                return (name, YAMLTree.mapping(withoutNulls(mapping.map { ($0.key.string ?? "", $0.value) })))
            }
        }
        return YAMLTree.mapping(
            withoutNulls(Self.settings.pairs(self)).filter { includingLimit || $0.0 != "max_output_tokens" })
    }

    /// `models:` with these entries, as YAML.
    package static func pricedYAML(_ models: [ModelProfile]) -> String {
        YAMLTree.document(YAMLTree.mapping([("models", YAMLTree.list(models.map { $0.pricedEntry(includingLimit: false) }))]))
    }

    /// `providers:` with each provider's name and `models:` entries, as YAML.
    package static func pricedYAML(providers: [(name: String, models: [ModelProfile])]) -> String {
        let entries = providers.map { provider in
            YAMLTree.mapping([
                ("name", YAMLTree.string(provider.name)),
                ("models", YAMLTree.list(provider.models.map { $0.pricedEntry(includingLimit: true) })),
            ])
        }
        return YAMLTree.document(YAMLTree.mapping([("providers", YAMLTree.list(entries))]))
    }
}

extension YAMLTree {
    /// `node` as a YAML document (block style, two-space indents).
    static func document(_ node: Node) -> String {
        (try? Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true)) ?? ""
    }
}
