/// Spending limits per user, key and team, lifetime or per calendar window, enforced by reserving a request's
/// upper-bound cost before any provider is called.
///
/// The router calls ``reserve(_:requestID:amount:)`` before the first attempt and ``settle(_:actualCost:)`` exactly
/// once afterwards (with zero when nothing was spent), so the reserved amount is released or turned into spend.
/// Implementations must make the check of every limit of every scope and the reservation one atomic step.
public protocol BudgetStore: Sendable {
    /// Reserves `amount` for a request from every scope of `subject`.
    ///
    /// - Throws: ``BudgetExceededError`` naming the first limit (user, then key, then team; lifetime, then daily,
    ///   weekly, monthly) where `spent + reserved + amount` would pass the limit. Nothing is reserved then.
    func reserve(_ subject: BudgetSubject, requestID: String, amount: MicroDollars) async throws -> BudgetReservation

    /// Reserves `amount` more for a request that already holds `reservation`, atomically with the limit check
    /// (the router does this before a failover whose worst case no longer fits what is reserved).
    ///
    /// - Returns: the reservation with its new total ``BudgetReservation/amount``.
    /// - Throws: ``BudgetExceededError`` when the extra amount would pass a limit of a scope (the reservation is
    ///   then unchanged).
    func extend(_ reservation: BudgetReservation, by amount: MicroDollars) async throws -> BudgetReservation

    /// Turns a reservation (its total, extensions included) into the actual spend and releases the rest.
    ///
    /// Implementations that store money must not lose a settlement to a passing fault: they retry, and whatever
    /// stays unsettled is resolved by their documented crash rule.
    func settle(_ reservation: BudgetReservation, actualCost: MicroDollars) async throws

    /// Every limit that applies to the scopes of `subject`, with their current figures, in the order
    /// ``reserve(_:requestID:amount:)`` checks them.
    func statuses(of subject: BudgetSubject) async throws -> [BudgetStatus]
}

extension BudgetStore {
    /// Reserves `amount` from `userID` alone (a request without a key).
    public func reserve(userID: String, requestID: String, amount: MicroDollars) async throws -> BudgetReservation {
        try await reserve(BudgetSubject(userID: userID), requestID: requestID, amount: amount)
    }

    /// The user's lifetime figures (a user without a lifetime limit shows the largest amount as limit).
    public func status(userID: String) async throws -> BudgetStatus {
        let statuses = try await statuses(of: BudgetSubject(userID: userID))
        return statuses.first { $0.period == .lifetime }
            ?? BudgetStatus(userID: userID, limit: MicroDollars(.max), spent: .zero, reserved: .zero)
    }
}

