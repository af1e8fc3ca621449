package import SwitchyardCore

extension ModelPricing {
    /// The figures of a `prices` row, defaults applied (what is charged): the six base rates, then the long-context
    /// threshold and its six rates (`nil` without a tier).
    package var ledgerFigures: [Int64?] {
        let base = self.base.rates
        let tier = longContext?.prices.rates
        return [base.input, base.output, base.cachedInput, base.cacheWrite, base.cacheWrite1h, base.reasoning]
            + [longContext.map { Int64($0.abovePromptTokens) }, tier?.input, tier?.output, tier?.cachedInput,
                tier?.cacheWrite, tier?.cacheWrite1h, tier?.reasoning]
    }

    /// `prices.digest`: the figures as one text, the row's identity.
    package static func ledgerDigest(_ figures: [Int64?]) -> String {
        figures.map { $0.map(String.init) ?? "-" }.joined(separator: " ")
    }
}
