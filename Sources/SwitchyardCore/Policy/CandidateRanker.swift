/// Orders the candidates of one tier, by the request's priority when it has one, else by the tier's strategy.
///
/// With a priority, each candidate gets a score in 0...1 for that dimension, relative to the best candidate
/// (cost: cheapest / own expected cost; speed: fastest / own latency; quality: own quality / best quality), plus the
/// configured specialty boost when its provider's specialties include the prompt's class. Highest score first,
/// ties by target name, so the order is deterministic.
enum CandidateRanker {
    struct Inputs {
        var priority: RoutingPriority?
        var promptClass: PromptClass
        var specialtyBoost: Double
        /// Observed latency of a candidate's provider.
        var latency: (Candidate) -> Duration
        /// Last use of a candidate's target for round robin; lower is longer ago.
        var lastUsed: (Candidate) -> UInt64
    }

    static func order(
        _ candidates: [Candidate],
        strategy: BalanceStrategy,
        inputs: Inputs,
        random: inout some RandomNumberGenerator
    ) -> [Candidate] {
        guard candidates.count > 1 else { return candidates }
        if let priority = inputs.priority {
            return byScore(candidates, priority: priority, inputs: inputs)
        }
        switch strategy {
        case .roundRobin:
            return candidates.sorted { lhs, rhs in
                let (l, r) = (inputs.lastUsed(lhs), inputs.lastUsed(rhs))
                return l != r ? l < r : lhs.key < rhs.key
            }
        case .cost:
            return candidates.sorted { lhs, rhs in
                // Compare cost/weight without division: lhs.cost * rhs.weight < rhs.cost * lhs.weight.
                let l = lhs.expectedCost.rawValue * Int64(max(rhs.target.weight, 1))
                let r = rhs.expectedCost.rawValue * Int64(max(lhs.target.weight, 1))
                return l != r ? l < r : lhs.key < rhs.key
            }
        case .latency:
            return candidates.sorted { lhs, rhs in
                let (l, r) = (inputs.latency(lhs), inputs.latency(rhs))
                return l != r ? l < r : lhs.key < rhs.key
            }
        case .weighted:
            return weightedShuffle(candidates, random: &random)
        }
    }

    /// The score of each candidate for a priority (exposed for explanations and tests).
    static func scores(_ candidates: [Candidate], priority: RoutingPriority, inputs: Inputs) -> [Double] {
        let raw: [Double]
        switch priority {
        case .cost:
            let costs = candidates.map { Double($0.expectedCost.rawValue) }
            let best = costs.min() ?? 0
            raw = costs.map { $0 <= 0 ? 1 : best / $0 }
        case .speed:
            let latencies = candidates.map { inputs.latency($0).inSeconds }
            let best = latencies.min() ?? 0
            raw = latencies.map { $0 <= 0 ? 1 : best / $0 }
        case .quality:
            let qualities = candidates.map { max($0.profile.quality, 0) }
            let best = qualities.max() ?? 0
            raw = qualities.map { best <= 0 ? 1 : $0 / best }
        }
        return zip(candidates, raw).map { candidate, score in
            candidate.profile.specialties.contains(inputs.promptClass) ? score + inputs.specialtyBoost : score
        }
    }

    private static func byScore(_ candidates: [Candidate], priority: RoutingPriority, inputs: Inputs) -> [Candidate] {
        let scored = zip(candidates, scores(candidates, priority: priority, inputs: inputs))
        return scored.sorted { lhs, rhs in
            lhs.1 != rhs.1 ? lhs.1 > rhs.1 : lhs.0.key < rhs.0.key
        }.map(\.0)
    }

    private static func weightedShuffle(
        _ candidates: [Candidate],
        random: inout some RandomNumberGenerator
    ) -> [Candidate] {
        var pool = candidates
        var ordered: [Candidate] = []
        ordered.reserveCapacity(pool.count)
        while !pool.isEmpty {
            let total = pool.reduce(0) { $0 + max($1.target.weight, 0) }
            guard total > 0 else {
                ordered.append(contentsOf: pool)
                break
            }
            var pick = Int.random(in: 0..<total, using: &random)
            let index = pool.firstIndex { candidate in
                pick -= max(candidate.target.weight, 0)
                return pick < 0
            }!
            ordered.append(pool.remove(at: index))
        }
        return ordered
    }
}
