public import struct Foundation.Date

/// The ledger's `budget_alerts`, whichever engine holds them: what a budget store recorded when a settlement
/// reached a threshold, and what the notifier has delivered.
///
/// ``BudgetAlertStore`` reads and updates them in the SQLite ledger, `PostgresBudgetAlertStore` (target
/// `SwitchyardPostgres`) in a PostgreSQL one; both fail with ``LedgerError`` `ledger_database_error`.
///
/// ```swift
/// func deliver(_ alerts: some BudgetAlertDirectory) async throws {
///     for alert in try await alerts.unsent(limit: 100) {
///         // post it…
///         try await alerts.markSent(alert.id)
///     }
/// }
/// ```
public protocol BudgetAlertDirectory: Sendable {
    /// Alerts not delivered yet, oldest first, at most `limit`.
    func unsent(limit: Int) async throws -> [BudgetAlert]

    /// Every alert created in `[since, until)` (either end open when `nil`), newest first, at most `limit`.
    func list(since: Date?, until: Date?, limit: Int) async throws -> [BudgetAlert]

    /// Records a delivery the webhook accepted.
    func markSent(_ id: Int64) async throws

    /// Records a failed delivery, to be tried again; `error` is kept (its first 500 characters) as `last_error`.
    func markFailed(_ id: Int64, error: String) async throws
}
