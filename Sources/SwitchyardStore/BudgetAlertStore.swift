import GRDB
public import SwitchyardCore

public import struct Foundation.Date

/// The SQLite ledger's `budget_alerts`: what the budget store recorded when a settlement reached a threshold, and
/// what the notifier has delivered (``BudgetAlertDirectory``).
///
/// ```swift
/// let alerts = BudgetAlertStore(database: database)
/// for alert in try await alerts.unsent() {
///     // post it…
///     try await alerts.markSent(alert.id)
/// }
/// ```
public struct BudgetAlertStore: BudgetAlertDirectory {
    public let database: LedgerDatabase
    let now: @Sendable () -> Date

    /// - Parameter now: the wall clock for `sent_at`; injectable for tests.
    public init(database: LedgerDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Alerts not delivered yet, oldest first, at most `limit`.
    public func unsent(limit: Int = 100) async throws -> [BudgetAlert] {
        try await read(Self.select + " WHERE sent_at IS NULL ORDER BY id LIMIT ?", [limit])
    }

    /// Every alert created in `[since, until)`, newest first, at most `limit`.
    public func list(since: Date? = nil, until: Date? = nil, limit: Int = 1000) async throws -> [BudgetAlert] {
        try await read(
            Self.select + " WHERE created_at >= ? AND created_at < ? ORDER BY id DESC LIMIT ?",
            [
                since.map(LedgerTimestamp.string(from:)) ?? "", until.map(LedgerTimestamp.string(from:)) ?? "9999",
                limit,
            ])
    }

    /// Records a delivery the webhook accepted.
    public func markSent(_ id: Int64) async throws {
        let at = LedgerTimestamp.string(from: now())
        try await write("UPDATE budget_alerts SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?", [at, id])
    }

    /// Records a failed delivery, to be tried again.
    public func markFailed(_ id: Int64, error: String) async throws {
        try await write(
            "UPDATE budget_alerts SET attempts = attempts + 1, last_error = ? WHERE id = ?", [String(error.prefix(500)), id])
    }

    private func read(_ sql: String, _ arguments: StatementArguments) async throws -> [BudgetAlert] {
        do {
            return try await database.pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.alert(from:))
            }
        } catch let error as DatabaseError {
            throw LedgerError(.databaseError, "cannot read budget alerts in '\(database.path)': \(error)")
        }
    }

    private func write(_ sql: String, _ arguments: StatementArguments) async throws {
        do {
            try await database.shortWriteTransaction(.uncancellable) { db in
                try db.execute(sql: sql, arguments: arguments)
            }
        } catch let error as DatabaseError {
            throw LedgerError(.databaseError, "cannot update a budget alert in '\(database.path)': \(error)")
        }
    }

    private static func alert(from row: Row) -> BudgetAlert {
        let windowStart: String = row[4]
        return BudgetAlert(
            id: row[0], scope: BudgetScope(rawValue: row[1]) ?? .user, scopeID: row[2],
            period: BudgetPeriod(rawValue: row[3]) ?? .lifetime,
            windowStart: windowStart.isEmpty ? nil : LedgerTimestamp.date(from: windowStart),
            thresholdPercent: row[5], limit: MicroDollars(row[6] as Int64), spent: MicroDollars(row[7] as Int64),
            requestID: row[8], createdAt: LedgerTimestamp.date(from: row[9]) ?? Date(timeIntervalSince1970: 0),
            sentAt: (row[10] as String?).flatMap(LedgerTimestamp.date(from:)), attempts: row[11], lastError: row[12])
    }

    private static let select = """
        SELECT id, scope, scope_id, period, window_start, threshold_percent, limit_usd_micros, spent_usd_micros,
               request_id, created_at, sent_at, attempts, last_error
        FROM budget_alerts
        """
}
