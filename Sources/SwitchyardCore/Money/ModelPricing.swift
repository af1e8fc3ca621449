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
    ///
    /// Never traps: token counts and prices from outside are multiplied with 128-bit intermediates and the result
    /// saturates at `Int64.max` micro-dollars.
    public func cost(promptTokens: Int, completionTokens: Int) -> MicroDollars {
        let numerator =
            Self.product(promptTokens, inputPerMillionTokens) + Self.product(completionTokens, outputPerMillionTokens)
        let micros = (numerator + 999_999) / 1_000_000
        return MicroDollars(micros > Int128(Int64.max) ? .max : Int64(micros))
    }

    private static func product(_ tokens: Int, _ price: MicroDollars) -> Int128 {
        Int128(max(tokens, 0)) * Int128(max(price.rawValue, 0))
    }

    /// The cost of a reply from its reported (or estimated) usage.
    public func cost(of usage: TokenUsage) -> MicroDollars {
        cost(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
    }
}
