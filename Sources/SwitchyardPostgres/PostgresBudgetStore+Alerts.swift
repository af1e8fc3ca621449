import PostgresNIO
import SwitchyardCore
import SwitchyardStore

extension PostgresBudgetStore {
    /// Inserts one `budget_alerts` row per limit of `subject` and threshold that its spend has reached
    /// (``BudgetAlertCrossing``, as the SQLite store), in the settlement's transaction, which holds the locks of
    /// the subject's scopes: so the figures read are the latest, and no other settlement of these scopes runs
    /// between the read and the insert. The insert does nothing when the window already has the row (the table's
    /// unique key), so each alert is recorded once per window, whichever instance crosses it first.
    /// - Returns: how many rows were inserted.
    func recordAlerts(
        for subject: BudgetSubject, requestID: String, at: String, on connection: PostgresConnection
    ) async throws -> Int {
        guard !alertThresholds.isEmpty else { return 0 }
        var statuses: [BudgetStatus] = []
        for (scope, id) in subject.scopes {
            let figures = try await figures(scope, id, locking: false, at: at, on: connection)
            statuses += try await self.statuses(scope, id, figures: figures, at: at, on: connection)
        }
        var inserted = 0
        for crossing in BudgetAlertCrossing.crossings(in: statuses, thresholds: alertThresholds) {
            let status = crossing.status
            let rows = try await connection.query(
                """
                INSERT INTO budget_alerts
                    (scope, scope_id, period, window_start, threshold_percent, limit_usd_micros, spent_usd_micros,
                     request_id, created_at)
                VALUES (\(status.scope.rawValue), \(status.scopeID), \(status.period.rawValue), \(crossing.windowStart),
                        \(Int32(clamping: crossing.threshold)), \(status.limit.rawValue), \(status.spent.rawValue),
                        \(requestID), \(at))
                ON CONFLICT (scope, scope_id, period, window_start, threshold_percent) DO NOTHING
                RETURNING id
                """, logger: ledger.logger
            ).collect()
            inserted += rows.count
        }
        return inserted
    }
}
