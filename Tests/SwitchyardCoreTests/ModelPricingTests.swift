@testable import SwitchyardCore
import SwitchyardTesting
import Testing

/// Each part of a usage at its own price, checked against sums worked out by hand (prices in µ$ per million tokens,
/// so `tokens × price / 10^6` µ$, the total rounded up once).
@Suite struct ModelPricingTests {
    /// input $3, output $15, cache read $0.30, 5-minute write $3.75, 1-hour write $6, reasoning $20 per MTok.
    static let priced = ModelPricing(
        TokenPrices(
            inputPerMillionTokens: 3_000_000, outputPerMillionTokens: 15_000_000,
            cachedInputPerMillionTokens: 300_000, cacheWritePerMillionTokens: 3_750_000,
            cacheWrite1hPerMillionTokens: 6_000_000, reasoningPerMillionTokens: 20_000_000))

    @Test func everyPartAtItsOwnPrice() {
        let usage = TokenUsage(
            promptTokens: 10_000, completionTokens: 2_000, cachedPromptTokens: 4_000, cacheWriteTokens: 3_000,
            cacheWrite1hTokens: 1_000, reasoningTokens: 500)
        // 2,000 × 3 + 4,000 × 0.30 + 3,000 × 3.75 + 1,000 × 6 + 1,500 × 15 + 500 × 20
        // = 6,000 + 1,200 + 11,250 + 6,000 + 22,500 + 10,000 µ$
        #expect(Self.priced.cost(of: usage) == 56_950)
        #expect(usage.uncachedPromptTokens == 2_000)
        #expect(usage.answerTokens == 1_500)
    }

    @Test func theSumIsRoundedUpOnceNotEachPart() {
        // 1 × 3 + 1 × 0.30 = 3.3 µ$ → 4; rounding each part up would give 3 + 1 = 4 here, but 3 parts of 0.3 give
        // 0.9 → 1, not 3.
        let oneEach = TokenUsage(promptTokens: 2, completionTokens: 0, cachedPromptTokens: 1)
        #expect(Self.priced.cost(of: oneEach) == 4)
        let threeCached = TokenUsage(promptTokens: 3, completionTokens: 0, cachedPromptTokens: 3)
        #expect(Self.priced.cost(of: threeCached) == 1)
    }

    @Test func unsetPricesFallBackToThePlainPriceOfTheirSide() {
        let plain = ModelPricing(inputPerMillionTokens: 2_000_000, outputPerMillionTokens: 8_000_000)
        let usage = TokenUsage(
            promptTokens: 1_000, completionTokens: 100, cachedPromptTokens: 600, cacheWriteTokens: 100,
            cacheWrite1hTokens: 100, reasoningTokens: 40)
        // Exactly as two-figure pricing billed before: 1,000 × 2 + 100 × 8.
        #expect(plain.cost(of: usage) == 2_800)
        #expect(plain.cost(of: usage) == plain.cost(promptTokens: 1_000, completionTokens: 100))
    }

    @Test func theLongContextTierPricesEveryTokenOfALongPrompt() {
        var pricing = ModelPricing(
            TokenPrices(
                inputPerMillionTokens: 1_250_000, outputPerMillionTokens: 10_000_000,
                cachedInputPerMillionTokens: 125_000))
        pricing.longContext = LongContextPricing(
            abovePromptTokens: 200_000,
            prices: TokenPrices(
                inputPerMillionTokens: 2_500_000, outputPerMillionTokens: 15_000_000,
                cachedInputPerMillionTokens: 250_000))
        // At the threshold: base prices. 100,000 × 1.25 + 100,000 × 0.125 + 1,000 × 10 = 147,500 µ$.
        let atThreshold = TokenUsage(promptTokens: 200_000, completionTokens: 1_000, cachedPromptTokens: 100_000)
        #expect(pricing.cost(of: atThreshold) == 147_500)
        // One token more: the tier. 100,001 × 2.50 + 100,000 × 0.25 + 1,000 × 15 = 290,002.5 → 290,003 µ$.
        let above = TokenUsage(promptTokens: 200_001, completionTokens: 1_000, cachedPromptTokens: 100_000)
        #expect(pricing.cost(of: above) == 290_003)
    }

    @Test func theUpperBoundCoversEveryWayTheTokensCanBeSplit() {
        var pricing = Self.priced
        pricing.longContext = LongContextPricing(
            abovePromptTokens: 500,
            prices: TokenPrices(inputPerMillionTokens: 1_000_000, outputPerMillionTokens: 30_000_000))
        var random = SeededRandom(seed: 12)
        for _ in 0..<2_000 {
            let promptBound = Int.random(in: 0...2_000, using: &random)
            let completionBound = Int.random(in: 0...2_000, using: &random)
            let bound = pricing.upperBoundCost(promptTokens: promptBound, completionTokens: completionBound)
            let prompt = Int.random(in: 0...promptBound, using: &random)
            let cached = Int.random(in: 0...prompt, using: &random)
            let write = Int.random(in: 0...(prompt - cached), using: &random)
            let write1h = Int.random(in: 0...(prompt - cached - write), using: &random)
            let completion = Int.random(in: 0...completionBound, using: &random)
            let usage = TokenUsage(
                promptTokens: prompt, completionTokens: completion, cachedPromptTokens: cached,
                cacheWriteTokens: write, cacheWrite1hTokens: write1h,
                reasoningTokens: Int.random(in: 0...completion, using: &random))
            #expect(pricing.cost(of: usage) <= bound, "\(usage) within \(promptBound)/\(completionBound)")
        }
        // The worst split: every prompt token a 1-hour write, every completion token reasoning, in the dearer tier.
        #expect(pricing.upperBoundCost(promptTokens: 1_000, completionTokens: 100) == MicroDollars(9_000))
        #expect(pricing.upperBoundCost(promptTokens: 400, completionTokens: 100) == MicroDollars(4_400))
    }

    @Test func partsNeverExceedTheirTotalsAndNothingTraps() {
        // More cached tokens than prompt tokens reported: the prompt is raised, never a negative remainder.
        let odd = TokenUsage(promptTokens: 10, completionTokens: 1, cachedPromptTokens: 50, reasoningTokens: 9)
        #expect(odd.promptTokens == 50 && odd.uncachedPromptTokens == 0)
        #expect(odd.completionTokens == 9 && odd.answerTokens == 0)
        let most = TokenUsage.maximumCount
        let huge = TokenUsage(
            promptTokens: .max, completionTokens: .max, cachedPromptTokens: .max, cacheWriteTokens: .max,
            cacheWrite1hTokens: .max, reasoningTokens: .max)
        #expect(huge.promptTokens == most && huge.completionTokens == most)
        let dearest = ModelPricing(
            TokenPrices(
                inputPerMillionTokens: MicroDollars(.max), outputPerMillionTokens: MicroDollars(.max),
                cachedInputPerMillionTokens: MicroDollars(.max), cacheWritePerMillionTokens: MicroDollars(.max),
                cacheWrite1hPerMillionTokens: MicroDollars(.max), reasoningPerMillionTokens: MicroDollars(.max)))
        #expect(dearest.cost(of: huge) == MicroDollars(.max))
        #expect(dearest.upperBoundCost(promptTokens: .max, completionTokens: .max) == MicroDollars(.max))
        #expect((huge + huge).cachedPromptTokens == most)
    }

    @Test func derivedPricesRoundUp() {
        #expect(MicroDollars(3_000_000).scaled(by: 5, over: 4) == 3_750_000)
        #expect(MicroDollars(3).scaled(by: 1, over: 10) == 1)
        #expect(MicroDollars(.max).scaled(by: 2, over: 1) == MicroDollars(.max))
    }
}
