@testable import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite struct PolicyTests {
    @Test(arguments: [
        ("Fix this Swift function: func add() { return 1 }", PromptClass.code),
        ("```python\nprint(1)\n```", .code),
        ("Write a short poem about autumn", .writing),
        ("Draft an email to my landlord", .writing),
        ("Compare the pros and cons of these two data sets", .analysis),
        ("Hello there", .general),
    ])
    func classifies(prompt: String, expected: PromptClass) {
        #expect(PromptClassifier().classify(prompt).promptClass == expected)
    }

    @Test func cuesMatchWholeWordsAndPhrasesAnywhere() {
        // "debug" is a cue of its own; "bug" inside it does not count twice.
        #expect(PromptClassifier().classify("please debug this").matchedCues == ["debug"])
        #expect(PromptClassifier().classify("the ladybugs are pretty").promptClass == .general)
        #expect(PromptClassifier().classify("Show me the STACK TRACE").matchedCues == ["stack trace"])
    }

    @Test func customRulesReplaceTheDefaults() {
        let classifier = PromptClassifier(rules: [.init(.analysis, cues: ["kpi", "year over year"])])
        #expect(classifier.classify("KPI year over year, please").matchedCues == ["kpi", "year over year"])
        #expect(classifier.classify("write code").promptClass == .general)
    }

    @Test func classificationNamesTheCuesThatDecidedIt() {
        let result = PromptClassifier().classify("write a poem")
        #expect(result.matchedCues.sorted() == ["poem", "write"])
    }

    static func candidate(_ provider: String, cost: Int64, quality: Double, specialties: Set<PromptClass> = [])
        -> Candidate
    {
        let profile = ProviderProfile(
            name: provider, quality: quality, specialties: specialties, models: [ModelProfile(name: "m")])
        let runtime = ProviderRuntime<RouterInstant>(profile: profile, provider: NoopProvider(), ewmaWeight: 0.2)
        let resolved = ResolvedTarget(
            target: RouteTarget(provider: provider, model: "m"), runtime: runtime, model: profile.models[0],
            usage: TargetUsage())
        return Candidate(
            tier: "t", resolved: resolved, expectedCost: MicroDollars(cost), upperBoundCost: MicroDollars(cost * 2),
            maxTokens: 100, upperBoundPromptTokens: 10)
    }

    static let pool = [
        candidate("cheap", cost: 10, quality: 0.4),
        candidate("fast", cost: 50, quality: 0.6, specialties: [.writing]),
        candidate("smart", cost: 100, quality: 1.0, specialties: [.code]),
    ]
    static let latencies: [String: Duration] = [
        "cheap": .milliseconds(900), "fast": .milliseconds(100), "smart": .milliseconds(600),
    ]

    @Test(arguments: [
        (RoutingPriority.cost, PromptClass.general, ["cheap", "fast", "smart"]),
        (.speed, .general, ["fast", "smart", "cheap"]),
        (.quality, .general, ["smart", "fast", "cheap"]),
        // The boost (0.25) lifts smart (0.10 + 0.25) above fast (0.20) for code, but not above cheap (1.0).
        (.cost, .code, ["cheap", "smart", "fast"]),
        // fast's writing boost puts it ahead of the far cheaper option... only if enough: 0.2 + 0.25 < 1.0.
        (.cost, .writing, ["cheap", "fast", "smart"]),
        // smart: 0.167 + 0.25 = 0.417 beats cheap at 0.111 for code on speed.
        (.speed, .code, ["fast", "smart", "cheap"]),
        // quality with a writing boost: fast 0.6 + 0.25 = 0.85 < smart 1.0.
        (.quality, .writing, ["smart", "fast", "cheap"]),
    ])
    func ordersByPriorityWithSpecialtyBoost(priority: RoutingPriority, promptClass: PromptClass, expected: [String]) {
        let inputs = CandidateRanker.Inputs(
            priority: priority, promptClass: promptClass, specialtyBoost: 0.25,
            latency: { Self.latencies[$0.target.provider]! }, lastUsed: { _ in 0 })
        var random = SeededRandom(seed: 1)
        let ordered = CandidateRanker.order(Self.pool, strategy: .roundRobin, inputs: inputs, random: &random)
        #expect(ordered.map(\.target.provider) == expected)
    }

    @Test func balanceStrategiesWithoutPriority() {
        var random = SeededRandom(seed: 3)
        func order(_ strategy: BalanceStrategy, lastUsed: [String: UInt64] = [:]) -> [String] {
            let inputs = CandidateRanker.Inputs(
                priority: nil, promptClass: .general, specialtyBoost: 0.25,
                latency: { Self.latencies[$0.target.provider]! }, lastUsed: { lastUsed[$0.key] ?? 0 })
            return CandidateRanker.order(Self.pool, strategy: strategy, inputs: inputs, random: &random)
                .map(\.target.provider)
        }
        #expect(order(.cost) == ["cheap", "fast", "smart"])
        #expect(order(.latency) == ["fast", "smart", "cheap"])
        #expect(order(.roundRobin, lastUsed: ["cheap/m": 3, "fast/m": 1, "smart/m": 2]) == ["fast", "smart", "cheap"])
    }

    @Test func weightedBalancingFollowsTheWeights() {
        var pool = Self.pool
        pool[0].resolved.target.weight = 8
        pool[1].resolved.target.weight = 1
        pool[2].resolved.target.weight = 1
        var random = SeededRandom(seed: 11)
        let inputs = CandidateRanker.Inputs(
            priority: nil, promptClass: .general, specialtyBoost: 0, latency: { _ in .zero }, lastUsed: { _ in 0 })
        var firsts: [String: Int] = [:]
        for _ in 0..<1000 {
            let first = CandidateRanker.order(pool, strategy: .weighted, inputs: inputs, random: &random)[0]
            firsts[first.target.provider, default: 0] += 1
        }
        #expect((750...850).contains(firsts["cheap"]!))
        #expect((50...150).contains(firsts["fast"]!))
    }
}
