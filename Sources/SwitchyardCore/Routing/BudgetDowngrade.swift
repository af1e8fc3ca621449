/// A route's downgrade ladder: once a request's remaining budget is low, it is served by a cheaper tier of the
/// route instead of being refused.
///
/// When the tightest limit of the request's scopes has less than ``belowRemaining`` left, or when the route's
/// worst case no longer fits but ``tier``'s does, the request is served by ``tier`` alone (no escalation). The
/// answer says so (`x-switchyard-downgraded`, `switchyard.downgraded`) and the ledger records a `downgraded`
/// request event.
public struct BudgetDowngrade: Sendable, Hashable {
    /// The remaining budget below which the route downgrades.
    public var belowRemaining: MicroDollars
    /// The tier of the route that serves downgraded requests.
    public var tier: String

    public init(belowRemaining: MicroDollars, tier: String) {
        self.belowRemaining = belowRemaining
        self.tier = tier
    }
}
