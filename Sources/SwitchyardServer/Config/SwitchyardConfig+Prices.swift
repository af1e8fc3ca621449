import SwitchyardCore
import SwitchyardProviders
import SwitchyardSettings
import Yams

extension SwitchyardConfig {
    /// Every model's prices once the keys are read: from `prices_file` for models without any, then with the defaults
    /// their kind knows (``ProviderSettings/completePrices()``: Anthropic's cache multipliers).
    mutating func resolvePrices(_ root: ConfigValue) throws {
        try applyPricesFile(root)
        for index in providers.indices { providers[index].completePrices() }
    }

    /// Prices, from `prices_file`, every model whose entry sets no price key: looked up as `<kind>/<model>`
    /// (`gemini/gemini-2.5-pro`), then as the bare model name. A model found in neither the entry nor the file is an
    /// error: with a price file, a model that silently cost nothing would be a hole in the ledger.
    private mutating func applyPricesFile(_ root: ConfigValue) throws {
        guard let path = pricesFile else { return }
        let fileValue = root.descendant(at: "prices_file")
        let file: LiteLLMPriceFile
        do {
            file = try LiteLLMPriceFile.load(path: path)
        } catch {
            throw fileValue.error(.unreadable, error.message)
        }
        for index in providers.indices {
            let kind = providers[index].kind.rawValue
            guard case .sequence(let items) = root.descendant(at: "providers[\(index)].models").node else { continue }
            for (position, item) in items.enumerated() where position < providers[index].profile.models.count {
                if case .mapping(let mapping) = item,
                    mapping.contains(where: { $0.key.string.map(ModelProfile.priceKeyNames.contains) == true })
                {
                    continue
                }
                let name = providers[index].profile.models[position].name
                guard let found = file.pricing(for: name, prefixes: [kind]) else {
                    throw ConfigValue(item, path: "providers[\(index)].models[\(position)]").error(
                        .unknownReference,
                        "model '\(name)' has no price here and none in prices_file '\(path)' (looked up "
                            + "'\(kind)/\(name)' and '\(name)'); write its prices, or input_usd_per_mtok: 0 and "
                            + "output_usd_per_mtok: 0 for a free model")
                }
                providers[index].profile.models[position].pricing = found.pricing
            }
        }
    }
}
