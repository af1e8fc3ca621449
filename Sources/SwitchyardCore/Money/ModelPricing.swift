/// The price of one model: its base ``TokenPrices`` and, optionally, a long-context tier.
///
/// `$0.15 / MTok` in and `$0.60 / MTok` out is `ModelPricing(inputPerMillionTokens: 150_000,
/// outputPerMillionTokens: 600_000)`. The cost of a call prices every part of its ``TokenUsage`` (uncached and cached
/// input, cache writes, answer and reasoning tokens) at its own price and rounds the sum **up** to a whole
/// micro-dollar, so spend is never under-counted.
public struct ModelPricing: Sendable, Hashable, Codable {
    /// The prices of calls whose prompt is not above the long-context threshold.
    public var base: TokenPrices
    /// Higher prices for long prompts, if the model has them.
    public var longContext: LongContextPricing?

    public init(_ base: TokenPrices, longContext: LongContextPricing? = nil) {
        self.base = base
        self.longContext = longContext
    }

    /// Only input and output prices: cache reads at the input price, reasoning at the output price.
    public init(inputPerMillionTokens: MicroDollars, outputPerMillionTokens: MicroDollars) {
        self.init(TokenPrices(inputPerMillionTokens: inputPerMillionTokens, outputPerMillionTokens: outputPerMillionTokens))
    }

    /// A model that costs nothing (a local model, a simulated one).
    public static let free = ModelPricing(inputPerMillionTokens: .zero, outputPerMillionTokens: .zero)

    /// The base price of one million uncached prompt tokens.
    public var inputPerMillionTokens: MicroDollars {
        get { base.inputPerMillionTokens }
        set { base.inputPerMillionTokens = newValue }
    }

    /// The base price of one million completion tokens.
    public var outputPerMillionTokens: MicroDollars {
        get { base.outputPerMillionTokens }
        set { base.outputPerMillionTokens = newValue }
    }

    /// The prices a call with `promptTokens` prompt tokens is billed at.
    public func prices(forPromptTokens promptTokens: Int) -> TokenPrices {
        if let longContext, promptTokens > longContext.abovePromptTokens { return longContext.prices }
        return base
    }

    /// The cost of a call that used `usage`, rounded up to the next whole micro-dollar. Never traps: the result
    /// saturates at `Int64.max` micro-dollars.
    public func cost(of usage: TokenUsage) -> MicroDollars {
        Self.micros(prices(forPromptTokens: usage.promptTokens).rates.millionthsOfMicros(usage))
    }

    /// The cost of plain (uncached, non-reasoning) tokens.
    public func cost(promptTokens: Int, completionTokens: Int) -> MicroDollars {
        cost(of: TokenUsage(promptTokens: promptTokens, completionTokens: completionTokens))
    }

    /// The most a call of at most `promptTokens` prompt and `completionTokens` completion tokens can cost, whatever
    /// part of them is cached, written to a cache or reasoning: every token at the highest price it can have, in
    /// every tier the prompt can reach. Budgets reserve this.
    public func upperBoundCost(promptTokens: Int, completionTokens: Int) -> MicroDollars {
        let rates = base.rates
        var promptRate = rates.highestPrompt
        var completionRate = rates.highestCompletion
        if let longContext, promptTokens > longContext.abovePromptTokens {
            let tier = longContext.prices.rates
            promptRate = max(promptRate, tier.highestPrompt)
            completionRate = max(completionRate, tier.highestCompletion)
        }
        return Self.micros(
            Int128(TokenUsage.clamp(promptTokens)) * Int128(promptRate)
                + Int128(TokenUsage.clamp(completionTokens)) * Int128(completionRate))
    }

    /// Millionths of a micro-dollar → whole micro-dollars, rounded up, saturating. Divides in 64 bits when it can:
    /// 128-bit division is a slow library call.
    private static func micros(_ millionths: Int128) -> MicroDollars {
        let rounded = millionths + 999_999
        if rounded <= Int128(Int64.max) { return MicroDollars(Int64(rounded) / 1_000_000) }
        let micros = rounded / 1_000_000
        return MicroDollars(micros > Int128(Int64.max) ? .max : Int64(micros))
    }
}
