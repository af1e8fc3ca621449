/// A ``RouterConfiguration`` checked to work: every provider, model, route and tier name unique, every list that
/// must hold something non-empty, every route target and escalation target a model that its provider serves, and the
/// default route one that exists.
///
/// This is the one place these rules live: the ``Router`` builds a topology from its configuration, and the
/// configuration file's reader builds one too, so `switchyard config check` refuses exactly what the router would.
/// ``RouterConfigurationError/path`` is written as the configuration file's key path, so the reader can point at the
/// offending line.
///
/// ```swift
/// let topology = try RouterTopology(configuration)
/// topology.targets(serving: "gpt-4o-mini")   // every provider/model with that model name
/// ```
public struct RouterTopology: Sendable {
    public let configuration: RouterConfiguration
    /// Every `provider/model` by its description, with the provider's profile and the model's.
    let models: [String: (provider: ProviderProfile, model: ModelProfile)]
    /// Model name → the targets that serve it, in configuration order.
    let modelIndex: [String: [RouteTarget]]

    /// Checks `configuration`.
    ///
    /// - Throws: ``RouterConfigurationError`` for the first problem, in configuration order.
    public init(_ configuration: RouterConfiguration) throws(RouterConfigurationError) {
        self.configuration = configuration
        var models: [String: (provider: ProviderProfile, model: ModelProfile)] = [:]
        var modelIndex: [String: [RouteTarget]] = [:]
        var providerIndex: [String: Int] = [:]
        if configuration.providers.isEmpty {
            throw RouterConfigurationError(path: "providers", message: "expected at least one provider, got an empty list")
        }
        for (index, profile) in configuration.providers.enumerated() {
            let path = "providers[\(index)]"
            guard !profile.name.isEmpty, !profile.name.contains("/") else {
                throw RouterConfigurationError(path: "\(path).name", message: "a provider name must be non-empty, without '/'")
            }
            try Self.claim(profile.name, index, in: &providerIndex, path: "\(path).name") {
                "provider name '\(profile.name)' is already used by providers[\($0)]"
            }
            guard !profile.models.isEmpty else {
                throw RouterConfigurationError(
                    path: "\(path).models", message: "expected at least one model, got an empty list")
            }
            var modelIndexes: [String: Int] = [:]
            for (position, model) in profile.models.enumerated() {
                try Self.claim(model.name, position, in: &modelIndexes, path: "\(path).models[\(position)]") {
                    "model '\(model.name)' is already listed as models[\($0)]"
                }
                let target = RouteTarget(provider: profile.name, model: model.name)
                models[target.description] = (profile, model)
                modelIndex[model.name, default: []].append(target)
            }
        }
        self.models = models
        self.modelIndex = modelIndex

        var routeIndex: [String: Int] = [:]
        for (index, route) in configuration.routes.enumerated() {
            let path = "routes[\(index)]"
            try Self.claim(route.name, index, in: &routeIndex, path: "\(path).name") {
                "route name '\(route.name)' is already used by routes[\($0)]"
            }
            try check(route, path: path)
        }
        if let name = configuration.defaultRoute, routeIndex[name] == nil {
            let names = configuration.routes.map(\.name)
            var message = "no route named '\(name)' (routes: \(names.joined(separator: ", ")))"
            if let suggestion = Suggestion.closest(to: name, among: names) { message += "; did you mean '\(suggestion)'?" }
            throw RouterConfigurationError(.unknownReference, path: "default_route", message: message)
        }
    }

    private func check(_ route: Route, path: String) throws(RouterConfigurationError) {
        guard !route.tiers.isEmpty else {
            throw RouterConfigurationError(path: "\(path).tiers", message: "expected at least one tier, got an empty list")
        }
        var tierIndex: [String: Int] = [:]
        for (index, tier) in route.tiers.enumerated() {
            let tierPath = "\(path).tiers[\(index)]"
            try Self.claim(tier.name, index, in: &tierIndex, path: "\(tierPath).name") {
                "tier name '\(tier.name)' is already used by tiers[\($0)] of this route"
            }
            guard !tier.targets.isEmpty else {
                throw RouterConfigurationError(
                    path: "\(tierPath).targets", message: "expected at least one 'provider/model' target, got an empty list")
            }
            try check(tier.targets, path: "\(tierPath).targets", duplicate: { target, first in
                "target '\(target)' is already listed as targets[\(first)] of this tier"
            })
        }
        try check(route.escalation?.targets ?? [], path: "\(path).escalation.to", duplicate: { target, _ in
            "target '\(target)' is listed twice"
        })
        if let downgrade = route.downgrade, tierIndex[downgrade.tier] == nil {
            let names = route.tiers.map(\.name)
            var message = "no tier named '\(downgrade.tier)' in this route (tiers: \(names.joined(separator: ", ")))"
            if let suggestion = Suggestion.closest(to: downgrade.tier, among: names) {
                message += "; did you mean '\(suggestion)'?"
            }
            throw RouterConfigurationError(.unknownReference, path: "\(path).downgrade.tier", message: message)
        }
    }

    /// Each target names a served model, once.
    private func check(
        _ targets: [RouteTarget], path: String, duplicate: (RouteTarget, Int) -> String
    ) throws(RouterConfigurationError) {
        var seen: [String: Int] = [:]
        for (index, target) in targets.enumerated() {
            let targetPath = "\(path)[\(index)]"
            try Self.claim(target.description, index, in: &seen, path: targetPath) { duplicate(target, $0) }
            guard models[target.description] == nil else { continue }
            throw RouterConfigurationError(.unknownReference, path: targetPath, message: unknownTargetMessage(target))
        }
    }

    /// Records that `name` is at `index`, or throws `duplicate` at `path` with `message(first index)`.
    private static func claim(
        _ name: String, _ index: Int, in seen: inout [String: Int], path: String, message: (Int) -> String
    ) throws(RouterConfigurationError) {
        if let first = seen[name] { throw RouterConfigurationError(.duplicate, path: path, message: message(first)) }
        seen[name] = index
    }

    private func unknownTargetMessage(_ target: RouteTarget) -> String {
        let providers = configuration.providers
        guard let provider = providers.first(where: { $0.name == target.provider }) else {
            let names = providers.map(\.name)
            var message = "unknown provider '\(target.provider)' in '\(target)' (providers: \(names.joined(separator: ", ")))"
            if let suggestion = Suggestion.closest(to: target.provider, among: names) {
                message += "; did you mean '\(suggestion)'?"
            }
            return message
        }
        let names = provider.models.map(\.name)
        var message = "provider '\(provider.name)' has no model '\(target.model)' (its models: \(names.joined(separator: ", ")))"
        if let suggestion = Suggestion.closest(to: target.model, among: names) { message += "; did you mean '\(suggestion)'?" }
        return message
    }
}
