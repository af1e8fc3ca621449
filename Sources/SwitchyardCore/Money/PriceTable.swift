/// Every configured model's price, by provider and model: what calls are billed at now, and what
/// a re-priced cost report ("what would this have cost today") uses.
public struct PriceTable: Sendable, Hashable {
    /// Pricing by provider name, then model name.
    public var entries: [String: [String: ModelPricing]]

    public init(entries: [String: [String: ModelPricing]] = [:]) {
        self.entries = entries
    }

    /// The prices of every model of `profiles`.
    public init(_ profiles: [ProviderProfile]) {
        var entries: [String: [String: ModelPricing]] = [:]
        for profile in profiles {
            for model in profile.models { entries[profile.name, default: [:]][model.name] = model.pricing }
        }
        self.init(entries: entries)
    }

    /// The price of `model` on `provider`; `nil` when the table has no such model.
    public func pricing(provider: String, model: String) -> ModelPricing? { entries[provider]?[model] }
}
