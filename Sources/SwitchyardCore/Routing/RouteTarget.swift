/// One model of one provider that a tier may send a request to, written `"provider/model"`.
public struct RouteTarget: Sendable, Hashable, CustomStringConvertible {
    public var provider: String
    public var model: String
    /// Relative share for the ``BalanceStrategy/weighted`` strategy and bias for ``BalanceStrategy/cost``.
    /// Default 1.
    public var weight: Int

    public init(provider: String, model: String, weight: Int = 1) {
        self.provider = provider
        self.model = model
        self.weight = weight
    }

    /// Parses `"provider/model"`; the model part may itself contain slashes (`"groq/meta-llama/llama-3"`).
    public init?(parsing text: String, weight: Int = 1) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let provider = String(text[..<slash])
        let model = String(text[text.index(after: slash)...])
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        self.init(provider: provider, model: model, weight: weight)
    }

    public var description: String { "\(provider)/\(model)" }
}

/// How a tier orders its targets for each request.
public enum BalanceStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Least recently used target first, spreading load evenly.
    case roundRobin = "round_robin"
    /// Cheapest estimated cost first (cost divided by the target's weight).
    case cost
    /// Lowest observed latency (EWMA) first.
    case latency
    /// Random order, each target drawn with probability proportional to its weight.
    case weighted
}

/// One step of a failover chain: targets tried (in balanced order) before moving to the next tier.
public struct Tier: Sendable, Hashable {
    public var name: String
    public var targets: [RouteTarget]
    public var balance: BalanceStrategy

    public init(name: String, targets: [RouteTarget], balance: BalanceStrategy = .roundRobin) {
        self.name = name
        self.targets = targets
        self.balance = balance
    }
}

/// A named failover chain: tiers walked in order until one target answers.
///
/// ```swift
/// Route(name: "default", tiers: [
///     Tier(name: "local", targets: [RouteTarget(provider: "ollama", model: "llama3")]),
///     Tier(name: "cloud", targets: [RouteTarget(parsing: "openai/gpt-4o-mini")!], balance: .cost),
/// ], escalation: EscalationPolicy(targets: [RouteTarget(parsing: "anthropic/claude-sonnet")!]))
/// ```
public struct Route: Sendable, Hashable {
    public var name: String
    public var tiers: [Tier]
    /// Where a reply with the escalation marker goes; `nil` strips the marker and keeps the reply.
    public var escalation: EscalationPolicy?
    /// The cheaper tier that serves a request whose budget runs low; `nil` refuses it (HTTP 402) instead.
    public var downgrade: BudgetDowngrade?

    public init(
        name: String, tiers: [Tier], escalation: EscalationPolicy? = nil, downgrade: BudgetDowngrade? = nil
    ) {
        self.name = name
        self.tiers = tiers
        self.escalation = escalation
        self.downgrade = downgrade
    }
}

/// Self-escalation: a model that answers with the marker is replaced by a stronger one, once per request.
public struct EscalationPolicy: Sendable, Hashable {
    /// The text that asks for escalation. Default `[ESCALATE]`.
    public var marker: String
    /// Stronger targets, tried in order until one answers.
    public var targets: [RouteTarget]

    public init(marker: String = "[ESCALATE]", targets: [RouteTarget]) {
        self.marker = marker
        self.targets = targets
    }
}
