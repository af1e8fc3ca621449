import SwitchyardCore
import Yams

extension Route {
    static let keys = ["name", "tiers", "escalation"]

    /// Reads `routes:`. When the key is absent, one route `default` is made with a tier per provider (in the order
    /// listed, each with all of that provider's models).
    static func readList(_ value: ConfigValue?, providers: [ProviderSettings]) throws -> [Route] {
        guard let value, !value.isNull else { return [synthesized(from: providers)] }
        let items = try value.list(of: "routes")
        guard !items.isEmpty else {
            throw value.error(
                .invalidValue,
                "expected at least one route, got an empty list (leave out 'routes' to get one route 'default' "
                    + "with a tier per provider)")
        }
        let catalog = ProviderCatalog(providers)
        var routes: [Route] = []
        for item in items {
            let route = try Route(reading: item, catalog: catalog)
            if let first = routes.firstIndex(where: { $0.name == route.name }) {
                throw try item.mapping(keys: keys).error(
                    at: "name", .duplicate, "route name '\(route.name)' is already used by routes[\(first)]")
            }
            routes.append(route)
        }
        return routes
    }

    /// The route used when none are configured: a tier per provider, in order.
    static func synthesized(from providers: [ProviderSettings]) -> Route {
        Route(
            name: "default",
            tiers: providers.map { provider in
                Tier(
                    name: provider.name,
                    targets: provider.profile.models.map { RouteTarget(provider: provider.name, model: $0.name) })
            })
    }

    init(reading value: ConfigValue, catalog: ProviderCatalog) throws {
        let map = try value.mapping(keys: Self.keys)
        let name = try map.required("name", "a route name").name("route")
        let tiersValue = try map.required("tiers", "a list of tiers")
        let tierItems = try tiersValue.list(of: "tiers")
        guard !tierItems.isEmpty else {
            throw tiersValue.error(.invalidValue, "expected at least one tier, got an empty list")
        }
        var tiers: [Tier] = []
        for (index, item) in tierItems.enumerated() {
            let tier = try Tier(reading: item, index: index, catalog: catalog)
            if let first = tiers.firstIndex(where: { $0.name == tier.name }) {
                throw item.at("name").error(
                    .duplicate, "tier name '\(tier.name)' is already used by tiers[\(first)] of this route")
            }
            tiers.append(tier)
        }
        let escalation = try map.read("escalation") {
            try EscalationPolicy(reading: $0, tiers: tiers, catalog: catalog)
        }
        self.init(name: name, tiers: tiers, escalation: escalation)
    }

    static func unknownRouteMessage(_ name: String, routes: [Route]) -> String {
        var message = "no route named '\(name)' (routes: \(routes.map(\.name).joined(separator: ", ")))"
        if let suggestion = Suggestion.closest(to: name, among: routes.map(\.name)) {
            message += "; did you mean '\(suggestion)'?"
        }
        return message
    }
}

extension Tier {
    static let keys = ["name", "targets", "balance"]

    /// Reads one tier; an unnamed tier is called `tier1`, `tier2`, … by position.
    init(reading value: ConfigValue, index: Int, catalog: ProviderCatalog) throws {
        let map = try value.mapping(keys: Self.keys)
        let name = try map.read("name") { try $0.name("tier") } ?? "tier\(index + 1)"
        let targetsValue = try map.required("targets", "a list of 'provider/model' targets")
        let items = try targetsValue.list(of: "'provider/model' targets")
        guard !items.isEmpty else {
            throw targetsValue.error(.invalidValue, "expected at least one 'provider/model' target, got an empty list")
        }
        var targets: [RouteTarget] = []
        for item in items {
            let target = try RouteTarget(reading: item, catalog: catalog, allowWeight: true)
            if let first = targets.firstIndex(where: { $0.description == target.description }) {
                throw item.error(.duplicate, "target '\(target)' is already listed as targets[\(first)] of this tier")
            }
            targets.append(target)
        }
        self.init(name: name, targets: targets)
        try map.read("balance", into: &balance) { try $0.choice(BalanceStrategy.self) }
    }
}

extension RouteTarget {
    static let keys = ["target", "weight"]

    /// Reads `"provider/model"` or `{target: "provider/model", weight: N}` and checks that the provider serves the
    /// model.
    init(reading value: ConfigValue, catalog: ProviderCatalog, allowWeight: Bool) throws {
        if value.text != nil {
            self = try catalog.target(value)
            return
        }
        guard allowWeight, value.node.mapping != nil else {
            throw value.expected(
                allowWeight ? "'provider/model' or {target: 'provider/model', weight: N}" : "'provider/model'")
        }
        let map = try value.mapping(keys: Self.keys)
        self = try catalog.target(map.required("target", "'provider/model'"))
        try map.read("weight", into: &weight) { try $0.int(in: 1...1_000_000, "a weight") }
    }
}

extension EscalationPolicy {
    static let keys = ["marker", "to"]

    /// Reads `escalation:`. `to` is a list of `provider/model` targets, one target, or the name of a tier of the
    /// same route (meaning that tier's targets).
    init(reading value: ConfigValue, tiers: [Tier], catalog: ProviderCatalog) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init(targets: [])
        try map.read("marker", into: &marker) { try $0.string("a marker text") }
        guard let to = map.present("to") else { return }
        if let text = to.text, !text.contains("/") {
            guard let tier = tiers.first(where: { $0.name == text }) else {
                var message =
                    "expected 'provider/model' targets or the name of a tier of this route "
                    + "(tiers: \(tiers.map(\.name).joined(separator: ", "))), got \(to.shown)"
                if let suggestion = Suggestion.closest(to: text, among: tiers.map(\.name)) {
                    message += " (did you mean '\(suggestion)'?)"
                }
                throw to.error(.unknownReference, message)
            }
            targets = tier.targets.map { RouteTarget(provider: $0.provider, model: $0.model) }
        } else if to.text != nil {
            targets = [try catalog.target(to)]
        } else {
            for item in try to.list(of: "'provider/model' targets") {
                let target = try RouteTarget(reading: item, catalog: catalog, allowWeight: false)
                if targets.contains(target) {
                    throw item.error(.duplicate, "target '\(target)' is listed twice")
                }
                targets.append(target)
            }
        }
    }
}

/// The providers and models that route targets may name.
struct ProviderCatalog {
    private let providers: [(name: String, models: [String])]

    init(_ providers: [ProviderSettings]) {
        self.providers = providers.map { ($0.name, $0.profile.models.map(\.name)) }
    }

    /// Parses `"provider/model"` and checks that the provider exists and lists the model.
    func target(_ value: ConfigValue) throws -> RouteTarget {
        let text = try value.string("'provider/model'")
        guard let target = RouteTarget(parsing: text) else {
            throw value.expected("'provider/model', such as openai/gpt-4o-mini", code: .invalidValue)
        }
        let names = providers.map(\.name)
        guard let provider = providers.first(where: { $0.name == target.provider }) else {
            var message =
                "unknown provider '\(target.provider)' in '\(text)' (providers: \(names.joined(separator: ", ")))"
            if let suggestion = Suggestion.closest(to: target.provider, among: names) {
                message += "; did you mean '\(suggestion)'?"
            }
            throw value.error(.unknownReference, message)
        }
        guard provider.models.contains(target.model) else {
            var message =
                "provider '\(provider.name)' has no model '\(target.model)' (its models: "
                + "\(provider.models.joined(separator: ", ")))"
            if let suggestion = Suggestion.closest(to: target.model, among: provider.models) {
                message += "; did you mean '\(suggestion)'?"
            }
            throw value.error(.unknownReference, message)
        }
        return target
    }
}
