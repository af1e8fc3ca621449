public import SwitchyardCore

/// A threshold of one limit that a scope's spend has reached: one `budget_alerts` row for a settlement to record.
///
/// The engine-neutral part of recording alerts: each budget store reads the statuses of the settled request's
/// scopes inside the settlement's transaction, and inserts the crossings of ``crossings(in:thresholds:)`` with
/// `ON CONFLICT … DO NOTHING` on the table's unique key (scope, scope id, period, window start, threshold), so
/// that each is recorded once per window whatever the number of requests, restarts or instances.
package struct BudgetAlertCrossing: Sendable, Hashable {
    /// The limit and its figures right after the settlement.
    package var status: BudgetStatus
    /// The percentage of the limit reached.
    package var threshold: Int

    /// `budget_alerts.window_start`: the window's start as a ledger timestamp, empty for a lifetime limit.
    package var windowStart: String {
        status.window.map { LedgerTimestamp.string(from: $0.start) } ?? ""
    }

    /// Thresholds as the stores keep them: those above zero, each once, ascending.
    package static func normalized(_ thresholds: [Int]) -> [Int] {
        Array(Set(thresholds.filter { $0 > 0 })).sorted()
    }

    /// Every threshold reached by every limit above zero of `statuses`, in the order of `statuses`, then of
    /// `thresholds`.
    package static func crossings(in statuses: [BudgetStatus], thresholds: [Int]) -> [BudgetAlertCrossing] {
        statuses.filter { $0.limit > .zero }.flatMap { status in
            thresholds.filter { reached($0, status) }.map { BudgetAlertCrossing(status: status, threshold: $0) }
        }
    }

    /// Whether `spent >= limit × threshold / 100`, without overflowing.
    package static func reached(_ threshold: Int, _ status: BudgetStatus) -> Bool {
        let (spent, spentOverflow) = status.spent.rawValue.multipliedReportingOverflow(by: 100)
        let (bar, barOverflow) = status.limit.rawValue.multipliedReportingOverflow(by: Int64(threshold))
        if barOverflow { return false }
        return spentOverflow || spent >= bar
    }
}
