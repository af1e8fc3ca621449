/// A model's higher prices for long prompts: when a call's prompt (cached tokens included) has more than
/// ``abovePromptTokens`` tokens, every token of the call is billed at ``prices`` instead of the base prices (how
/// Anthropic and Google bill prompts above 200,000 tokens).
public struct LongContextPricing: Sendable, Hashable, Codable {
    /// The tier applies to prompts of more tokens than this.
    public var abovePromptTokens: Int
    /// The prices of the tier; their defaults come from the tier's own input and output prices.
    public var prices: TokenPrices

    public init(abovePromptTokens: Int, prices: TokenPrices) {
        self.abovePromptTokens = abovePromptTokens
        self.prices = prices
    }
}
