package import SwitchyardCore
import Yams

// `routes:`. Reading checks each value's shape; what the names refer to (providers, models, uniqueness) is checked
// once, by `RouterTopology`, for the config file and the router alike.

extension Route {
    /// One entry of `routes:`.
    package static var settings: SettingsSection<Route> {
        SettingsSection([
            SettingKey.value("name", \.name, "The route's name: what a request's `model` names.",
                read: { try $0.name("route") }, write: YAMLTree.string
            ).required("a route name"),
            SettingKey.custom(
                "tiers", "Tried in order; a tier's targets are balanced and fail over to each other.",
                read: { value, route in route.tiers = try Tier.readList(value) },
                write: { YAMLTree.list($0.tiers.map(Tier.settings.node)) },
                nested: { _, prefix in Tier.settings.reference(Tier(name: "", targets: []), prefix: prefix + "[].") }
            ).required("a list of tiers"),
            .custom(
                "escalation", "Where an answer that asks for escalation goes.",
                read: { value, route in
                    var escalation = EscalationPolicy(targets: [])
                    try EscalationPolicy.settings(tiers: route.tiers).read(value, into: &escalation)
                    route.escalation = escalation
                },
                write: { route in route.escalation.map(EscalationPolicy.settings(tiers: route.tiers).node) },
                nested: { _, prefix in
                    EscalationPolicy.settings(tiers: []).reference(EscalationPolicy(targets: []), prefix: prefix + ".")
                }),
            .custom(
                "downgrade",
                "A cheaper tier of the route for requests whose budget runs low (default none: they are refused with 402).",
                read: { value, route in
                    guard !value.isNull else { return route.downgrade = nil }
                    var downgrade = BudgetDowngrade(belowRemaining: .zero, tier: "")
                    try BudgetDowngrade.settings.read(value, into: &downgrade)
                    route.downgrade = downgrade
                },
                write: { route in route.downgrade.map(BudgetDowngrade.settings.node) },
                nested: { _, prefix in
                    BudgetDowngrade.settings.reference(BudgetDowngrade(belowRemaining: .zero, tier: ""), prefix: prefix + ".")
                }),
        ])
    }

    /// Reads `routes:`, at least one.
    package static func readList(_ value: ConfigValue) throws -> [Route] {
        let items = try value.list(of: "routes")
        guard !items.isEmpty else {
            throw value.error(
                .invalidValue,
                "expected at least one route, got an empty list (leave out 'routes' to get one route 'default' "
                    + "with a tier per provider)")
        }
        return try items.map { item in
            var route = Route(name: "", tiers: [])
            try settings.read(item, into: &route)
            return route
        }
    }

    /// The route used when none are configured: a tier per provider, in order, with all of its models.
    package static func synthesized(from providers: [ProviderProfile]) -> Route {
        Route(
            name: "default",
            tiers: providers.map { provider in
                Tier(
                    name: provider.name,
                    targets: provider.models.map { RouteTarget(provider: provider.name, model: $0.name) })
            })
    }
}

extension BudgetDowngrade {
    /// A route's `downgrade:`.
    static var settings: SettingsSection<BudgetDowngrade> {
        SettingsSection([
            SettingKey.value("below_usd", \.belowRemaining,
                "The remaining budget (of the tightest limit) below which the route serves from `tier`.",
                read: { try $0.dollars() }, write: YAMLTree.dollars
            ).required("a dollar amount"),
            SettingKey.value("tier", \.tier, "The tier of this route that serves downgraded requests.",
                read: { try $0.name("tier") }, write: YAMLTree.string
            ).required("a tier name"),
        ])
    }
}

extension Tier {
    /// One entry of a route's `tiers:`.
    package static var settings: SettingsSection<Tier> {
        SettingsSection([
            .value("name", \.name, "The tier's name (default `tier1`, `tier2`, … by position).",
                read: { try $0.name("tier") }, write: YAMLTree.string),
            SettingKey.custom(
                "targets", "`provider/model` targets, or `{target: provider/model, weight: N}`.",
                read: { value, tier in
                    tier.targets = try value.list(of: "'provider/model' targets").map {
                        try RouteTarget(reading: $0, allowWeight: true)
                    }
                },
                write: { YAMLTree.flowList($0.targets.map(RouteTarget.node)) }
            ).required("a list of 'provider/model' targets"),
            .choice("balance", \.balance, "How the tier orders its targets.", Array(BalanceStrategy.allCases)),
        ])
    }

    /// Reads `tiers:`; an unnamed tier is called `tier1`, `tier2`, … by position.
    static func readList(_ value: ConfigValue) throws -> [Tier] {
        try value.list(of: "tiers").enumerated().map { index, item in
            var tier = Tier(name: "tier\(index + 1)", targets: [])
            try settings.read(item, into: &tier)
            return tier
        }
    }
}

extension RouteTarget {
    static let keys = ["target", "weight"]

    /// Reads `"provider/model"` or, where weights are allowed, `{target: "provider/model", weight: N}`.
    init(reading value: ConfigValue, allowWeight: Bool) throws {
        if value.text != nil {
            self = try Self.parse(value)
            return
        }
        guard allowWeight, value.node.mapping != nil else {
            throw value.expected(
                allowWeight ? "'provider/model' or {target: 'provider/model', weight: N}" : "'provider/model'")
        }
        let map = try value.mapping(keys: Self.keys)
        self = try Self.parse(map.required("target", "'provider/model'"))
        try map.read("weight", into: &weight) { try $0.int(in: 1...1_000_000, "a weight") }
    }

    private static func parse(_ value: ConfigValue) throws -> RouteTarget {
        guard let target = RouteTarget(parsing: try value.string("'provider/model'")) else {
            throw value.expected("'provider/model', such as openai/gpt-4o-mini", code: .invalidValue)
        }
        return target
    }

    /// `provider/model`, or `{target: provider/model, weight: N}` when the weight is not 1.
    static func node(_ target: RouteTarget) -> Node {
        guard target.weight != 1 else { return YAMLTree.string(target.description) }
        return Node(
            [(Node("target"), YAMLTree.string(target.description)), (Node("weight"), YAMLTree.int(target.weight))],
            Tag(.map), .flow)
    }
}

extension EscalationPolicy {
    /// A route's `escalation:`. `to` is a list of `provider/model` targets, one target, or the name of a tier of the
    /// same route (`tiers`), meaning that tier's targets.
    static func settings(tiers: [Tier]) -> SettingsSection<EscalationPolicy> {
        SettingsSection([
            .string("marker", \.marker, "The text with which a model asks to be escalated.", "a marker text"),
            .custom(
                "to", "`provider/model` targets, or the name of a tier of the route.",
                read: { to, policy in policy.targets = try readTargets(to, tiers: tiers) },
                write: { YAMLTree.flowList($0.targets.map { YAMLTree.string($0.description) }) }),
        ])
    }

    private static func readTargets(_ to: ConfigValue, tiers: [Tier]) throws -> [RouteTarget] {
        if to.isNull { return [] }
        guard let text = to.text else {
            return try to.list(of: "'provider/model' targets").map { try RouteTarget(reading: $0, allowWeight: false) }
        }
        if text.contains("/") { return [try RouteTarget(reading: to, allowWeight: false)] }
        guard let tier = tiers.first(where: { $0.name == text }) else {
            var message =
                "expected 'provider/model' targets or the name of a tier of this route "
                + "(tiers: \(tiers.map(\.name).joined(separator: ", "))), got \(to.shown)"
            if let suggestion = Suggestion.closest(to: text, among: tiers.map(\.name)) {
                message += " (did you mean '\(suggestion)'?)"
            }
            throw to.error(.unknownReference, message)
        }
        return tier.targets.map { RouteTarget(provider: $0.provider, model: $0.model) }
    }
}
