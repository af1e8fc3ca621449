/// One target of a route with what ranking needs to know about it for the current request.
struct Candidate: Sendable {
    var tier: String
    var target: RouteTarget
    var profile: ProviderProfile
    var model: ModelProfile
    /// Typical cost of the request on this target (for ranking).
    var expectedCost: MicroDollars
    /// The most the request can cost on this target (for caps and budgets).
    var upperBoundCost: MicroDollars
    /// The completion-token limit sent to the provider.
    var maxTokens: Int

    /// The lookup key of the target (`provider/model`).
    var key: String { target.description }
}
