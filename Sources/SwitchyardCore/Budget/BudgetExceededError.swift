/// A reservation was refused: the request would take one of its scopes past a limit.
public struct BudgetExceededError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The limit that refused, with its figures at that moment.
    public var status: BudgetStatus
    /// The amount the request needed to reserve.
    public var requested: MicroDollars

    public init(status: BudgetStatus, requested: MicroDollars) {
        self.status = status
        self.requested = requested
    }

    public var description: String {
        var text =
            "budget exceeded for \(status.scopeDescription): limit \(status.limit), spent \(status.spent), "
            + "reserved \(status.reserved), remaining \(status.remaining), this request needs up to \(requested)"
        if let resetsAt = status.resetsAt { text += "; the limit starts again at \(resetsAt)" }
        return text
    }
}
