import Synchronization

/// A route target bound to its provider's runtime and model profile, resolved once when the router is built.
struct ResolvedTarget: Sendable {
    var target: RouteTarget
    var runtime: ProviderRuntime<RouterInstant>
    var model: ModelProfile
    var usage: TargetUsage
}

/// When a target was last chosen, for round-robin (least recently used first).
final class TargetUsage: Sendable {
    let lastUsed = Atomic<UInt64>(0)
}

/// A route whose targets are resolved.
struct ResolvedRoute: Sendable {
    var route: Route
    var tiers: [(tier: Tier, targets: [ResolvedTarget])]
    var escalation: [ResolvedTarget]
}
