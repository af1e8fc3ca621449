/// One target of a route with what ranking needs to know about it for the current request.
struct Candidate: Sendable {
    var tier: String
    var resolved: ResolvedTarget
    /// Typical cost of the request on this target (for ranking).
    var expectedCost: MicroDollars
    /// The most the request can cost on this target (for caps and budgets).
    var upperBoundCost: MicroDollars
    /// The completion-token limit sent to the provider.
    var maxTokens: Int
    /// The prompt's tokens will not exceed this (see ``TokenEstimator/upperBoundPromptTokens(_:)``).
    var upperBoundPromptTokens: Int

    var target: RouteTarget { resolved.target }
    var runtime: ProviderRuntime<RouterInstant> { resolved.runtime }
    var profile: ProviderProfile { resolved.runtime.profile }
    var model: ModelProfile { resolved.model }

    /// The lookup key of the target (`provider/model`), for deterministic tie-breaks.
    var key: String { resolved.target.description }
}
