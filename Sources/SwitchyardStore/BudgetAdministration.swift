public import SwitchyardCore

/// What administrators (the `budget` commands and the admin API) do with budgets, whichever engine stores them:
/// ``SQLiteBudgetStore`` or the PostgreSQL store.
public protocol BudgetAdministration: BudgetStore {
    /// Sets the limit of one scope over one period; `nil` removes it so the configured default (if any) applies.
    /// Lowering a limit below what is already spent is allowed: further reservations are refused.
    /// - Throws: ``LedgerError`` `ledger_invalid_amount` for a negative limit.
    func setLimit(_ limit: MicroDollars?, scope: BudgetScope, id: String, period: BudgetPeriod) async throws

    /// Corrects a user's spend by `amount` (negative to refund), as an `adjust` ledger row with `note`.
    func adjust(userID: String, amount: MicroDollars, note: String) async throws

    /// Every limit of every scope that has figures or a limit of its own, by scope and id; only `scope`'s when given.
    func allStatuses(scope: BudgetScope?) async throws -> [BudgetStatus]

    /// Every limit of one scope with its figures now; a scope without a lifetime limit also shows its lifetime
    /// figures, with ``BudgetStatus/unlimited`` as limit.
    func statuses(_ scope: BudgetScope, id: String) async throws -> [BudgetStatus]

    /// The figures kept for speed that differ from what `ledger` adds up to (empty when consistent).
    func verify() async throws -> [BudgetDiscrepancy]
}

extension BudgetAdministration {
    /// Sets one user's lifetime limit; `nil` removes the override so the default limit applies again.
    public func setLimit(_ limit: MicroDollars?, for userID: String) async throws {
        try await setLimit(limit, scope: .user, id: userID, period: .lifetime)
    }
}

extension SQLiteBudgetStore: BudgetAdministration {}
