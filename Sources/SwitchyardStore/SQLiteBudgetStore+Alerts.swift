import GRDB
import SwitchyardCore

extension SQLiteBudgetStore {
    /// Records the budget alerts a settlement crosses, in the settlement's transaction.
    struct AlertCheck: Sendable {
        /// Percentages, ascending, each above zero.
        var thresholds: [Int]
        var defaults: BudgetDefaults

        /// Inserts one `budget_alerts` row per limit of `subject` and threshold that its spend has reached
        /// (``BudgetAlertCrossing``), unless that window already has one (the table's unique key): so each is
        /// recorded once per window, whatever the number of requests or restarts.
        /// - Returns: how many rows were inserted.
        func record(for subject: BudgetSubject, requestID: String, at: String, in db: Database) throws -> Int {
            let statuses = try SQLiteBudgetStore.statuses(
                of: subject, at: at, defaults: defaults, caching: true, in: db)
            var inserted = 0
            for crossing in BudgetAlertCrossing.crossings(in: statuses, thresholds: thresholds) {
                let status = crossing.status
                try db.cachedStatement(sql: Self.insertAlert).execute(arguments: [
                    status.scope.rawValue, status.scopeID, status.period.rawValue, crossing.windowStart,
                    crossing.threshold, status.limit.rawValue, status.spent.rawValue, requestID, at,
                ])
                inserted += db.changesCount
            }
            return inserted
        }

        private static let insertAlert = """
            INSERT INTO budget_alerts
                (scope, scope_id, period, window_start, threshold_percent, limit_usd_micros, spent_usd_micros,
                 request_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (scope, scope_id, period, window_start, threshold_percent) DO NOTHING
            """
    }
}
