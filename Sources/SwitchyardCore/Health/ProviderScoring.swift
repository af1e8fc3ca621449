/// A single figure per provider that weighs latency, reliability and cost, for dashboards and explanations.
///
/// Each part is in 0...1 relative to the best provider of the set (fastest EWMA latency, highest success rate,
/// cheapest model); the score is their weighted sum divided by the sum of the weights.
package struct ProviderScoring: Sendable, Hashable {
    /// Default 0.3.
    package var latencyWeight: Double
    /// Default 0.5.
    package var reliabilityWeight: Double
    /// Default 0.2.
    package var costWeight: Double

    package init(latencyWeight: Double = 0.3, reliabilityWeight: Double = 0.5, costWeight: Double = 0.2) {
        self.latencyWeight = latencyWeight
        self.reliabilityWeight = reliabilityWeight
        self.costWeight = costWeight
    }

    /// Scores every provider of `snapshots`, by name.
    package func scores(_ snapshots: [ProviderSnapshot]) -> [String: Double] {
        func price(_ snapshot: ProviderSnapshot) -> Double {
            let cheapest = snapshot.profile.models.map {
                $0.pricing.inputPerMillionTokens.rawValue + $0.pricing.outputPerMillionTokens.rawValue
            }.min() ?? 0
            return Double(cheapest)
        }
        let fastest = snapshots.map { $0.stats.ewmaLatency.inSeconds }.min() ?? 0
        let cheapest = snapshots.map(price).min() ?? 0
        let total = max(latencyWeight + reliabilityWeight + costWeight, .ulpOfOne)
        var result: [String: Double] = [:]
        for snapshot in snapshots {
            let latency = snapshot.stats.ewmaLatency.inSeconds
            let latencyPart = latency <= 0 ? 1 : fastest / latency
            let costPart = price(snapshot) <= 0 ? 1 : cheapest / price(snapshot)
            let raw =
                latencyWeight * latencyPart + reliabilityWeight * snapshot.stats.successRate + costWeight * costPart
            result[snapshot.name] = raw / total
        }
        return result
    }
}
