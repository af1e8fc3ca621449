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
        let prompt = Int64(max(promptTokens, 0))
        let completion = Int64(max(completionTokens, 0))
        let input = max(inputPerMillionTokens.rawValue, 0)
        let output = max(outputPerMillionTokens.rawValue, 0)
        // The usual case in 64 bits; 128-bit division is a slow library call.
        let (inputCost, overflow1) = prompt.multipliedReportingOverflow(by: input)
        let (outputCost, overflow2) = completion.multipliedReportingOverflow(by: output)
        let (sum, overflow3) = inputCost.addingReportingOverflow(outputCost)
        let (rounded, overflow4) = sum.addingReportingOverflow(999_999)
        if !(overflow1 || overflow2 || overflow3 || overflow4) { return MicroDollars(rounded / 1_000_000) }
        let micros = (Int128(prompt) * Int128(input) + Int128(completion) * Int128(output) + 999_999) / 1_000_000
        return MicroDollars(micros > Int128(Int64.max) ? .max : Int64(micros))
    }

    /// The cost of a reply from its reported (or estimated) usage.
    public func cost(of usage: TokenUsage) -> MicroDollars {
        cost(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
    }
}
