/// The price of one model, per million tokens, in micro-dollars.
///
/// `$0.15 / MTok` is `ModelPricing(inputPerMillionTokens: 150_000, ...)`.
public struct ModelPricing: Sendable, Hashable, Codable {
    /// Price of one million prompt (input) tokens.
    public var inputPerMillionTokens: MicroDollars
    /// Price of one million completion (output) tokens.
    public var outputPerMillionTokens: MicroDollars

    public init(inputPerMillionTokens: MicroDollars, outputPerMillionTokens: MicroDollars) {
        self.inputPerMillionTokens = inputPerMillionTokens
        self.outputPerMillionTokens = outputPerMillionTokens
    }

    /// A model that costs nothing (a local model, a simulated one).
    public static let free = ModelPricing(inputPerMillionTokens: .zero, outputPerMillionTokens: .zero)

    /// The cost of a call that used these tokens, rounded **up** to the next whole micro-dollar so that spend is
    /// never under-counted.
    public func cost(promptTokens: Int, completionTokens: Int) -> MicroDollars {
        let numerator =
            Int64(max(promptTokens, 0)) * inputPerMillionTokens.rawValue
            + Int64(max(completionTokens, 0)) * outputPerMillionTokens.rawValue
        return MicroDollars((numerator + 999_999) / 1_000_000)
    }

    /// The cost of a reply from its reported (or estimated) usage.
    public func cost(of usage: TokenUsage) -> MicroDollars {
        cost(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
    }
}
