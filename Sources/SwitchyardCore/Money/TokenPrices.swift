/// What each kind of token costs, per million tokens, in micro-dollars: one price tier of a model.
///
/// Only the input and output prices are required. The others default to the plain price of the same side, so a
/// model priced with two figures bills exactly as before (a provider kind may know better defaults: the
/// configuration gives `anthropic` models Anthropic's published cache multipliers):
///
/// | price | when not set |
/// | --- | --- |
/// | ``cachedInputPerMillionTokens`` | the input price |
/// | ``cacheWritePerMillionTokens`` | the input price |
/// | ``cacheWrite1hPerMillionTokens`` | the input price |
/// | ``reasoningPerMillionTokens`` | the output price (how every provider bills reasoning tokens) |
public struct TokenPrices: Sendable, Hashable, Codable {
    /// Price of one million uncached prompt tokens.
    public var inputPerMillionTokens: MicroDollars
    /// Price of one million completion tokens that are not reasoning tokens.
    public var outputPerMillionTokens: MicroDollars
    /// Price of one million prompt tokens read from the prompt cache; `nil`: the input price.
    public var cachedInputPerMillionTokens: MicroDollars?
    /// Price of one million prompt tokens written to the (5-minute) cache; `nil`: the input price.
    public var cacheWritePerMillionTokens: MicroDollars?
    /// Price of one million prompt tokens written to the 1-hour cache; `nil`: the input price.
    public var cacheWrite1hPerMillionTokens: MicroDollars?
    /// Price of one million reasoning tokens; `nil`: the output price.
    public var reasoningPerMillionTokens: MicroDollars?

    public init(
        inputPerMillionTokens: MicroDollars, outputPerMillionTokens: MicroDollars,
        cachedInputPerMillionTokens: MicroDollars? = nil, cacheWritePerMillionTokens: MicroDollars? = nil,
        cacheWrite1hPerMillionTokens: MicroDollars? = nil, reasoningPerMillionTokens: MicroDollars? = nil
    ) {
        self.inputPerMillionTokens = inputPerMillionTokens
        self.outputPerMillionTokens = outputPerMillionTokens
        self.cachedInputPerMillionTokens = cachedInputPerMillionTokens
        self.cacheWritePerMillionTokens = cacheWritePerMillionTokens
        self.cacheWrite1hPerMillionTokens = cacheWrite1hPerMillionTokens
        self.reasoningPerMillionTokens = reasoningPerMillionTokens
    }

    /// Every price with its default applied, in the order of ``Rates``.
    public var rates: Rates {
        let input = Self.nonNegative(inputPerMillionTokens)
        let output = Self.nonNegative(outputPerMillionTokens)
        return Rates(
            input: input, output: output,
            cachedInput: cachedInputPerMillionTokens.map(Self.nonNegative) ?? input,
            cacheWrite: cacheWritePerMillionTokens.map(Self.nonNegative) ?? input,
            cacheWrite1h: cacheWrite1hPerMillionTokens.map(Self.nonNegative) ?? input,
            reasoning: reasoningPerMillionTokens.map(Self.nonNegative) ?? output)
    }

    /// The prices in effect (defaults applied), in micro-dollars per million tokens.
    public struct Rates: Sendable, Hashable {
        public var input: Int64
        public var output: Int64
        public var cachedInput: Int64
        public var cacheWrite: Int64
        public var cacheWrite1h: Int64
        public var reasoning: Int64

        /// The most any one prompt token can cost.
        var highestPrompt: Int64 { max(input, cachedInput, cacheWrite, cacheWrite1h) }
        /// The most any one completion token can cost.
        var highestCompletion: Int64 { max(output, reasoning) }

        /// Σ tokens × price of every part of `usage`, in millionths of a micro-dollar. Cannot overflow: counts are at
        /// most 10^12 and prices at most 2^63, six terms.
        func millionthsOfMicros(_ usage: TokenUsage) -> Int128 {
            var total = Int128(usage.uncachedPromptTokens) * Int128(input)
            total += Int128(TokenUsage.clamp(usage.cachedPromptTokens)) * Int128(cachedInput)
            total += Int128(TokenUsage.clamp(usage.cacheWriteTokens)) * Int128(cacheWrite)
            total += Int128(TokenUsage.clamp(usage.cacheWrite1hTokens)) * Int128(cacheWrite1h)
            total += Int128(usage.answerTokens) * Int128(output)
            total += Int128(TokenUsage.clamp(usage.reasoningTokens)) * Int128(reasoning)
            return total
        }
    }

    private static func nonNegative(_ price: MicroDollars) -> Int64 { max(price.rawValue, 0) }
}
