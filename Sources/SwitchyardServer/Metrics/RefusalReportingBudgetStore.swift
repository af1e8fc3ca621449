import SwitchyardCore

/// The router's budgets in a running service: passes everything on to `base`, and tells `onRefusal` the scope of
/// every reservation, or failover extension of one, that a limit refuses (``BudgetExceededError``), before the
/// refusal goes on to the router.
///
/// Only the scope is reported (user, key or team), never the id of the user, key or team, so the metrics counting
/// refusals stay at three series.
struct RefusalReportingBudgetStore: BudgetStore {
    let base: any BudgetStore
    let onRefusal: @Sendable (BudgetScope) -> Void

    func reserve(_ subject: BudgetSubject, requestID: String, amount: MicroDollars) async throws -> BudgetReservation {
        do {
            return try await base.reserve(subject, requestID: requestID, amount: amount)
        } catch let error as BudgetExceededError {
            onRefusal(error.status.scope)
            throw error
        }
    }

    func extend(_ reservation: BudgetReservation, by amount: MicroDollars) async throws -> BudgetReservation {
        do {
            return try await base.extend(reservation, by: amount)
        } catch let error as BudgetExceededError {
            onRefusal(error.status.scope)
            throw error
        }
    }

    func settle(_ reservation: BudgetReservation, actualCost: MicroDollars) async throws {
        try await base.settle(reservation, actualCost: actualCost)
    }

    func statuses(of subject: BudgetSubject) async throws -> [BudgetStatus] {
        try await base.statuses(of: subject)
    }
}
