import PostgresNIO
public import SwitchyardCore
public import SwitchyardStore

public import struct Foundation.Date

/// The PostgreSQL ledger's `budget_alerts`, as ``BudgetAlertStore`` reads and updates the SQLite one: what
/// ``PostgresBudgetStore`` recorded when a settlement reached a threshold (on any instance), and what the notifier
/// has delivered.
///
/// ```swift
/// let alerts = PostgresBudgetAlertStore(ledger: ledger)
/// for alert in try await alerts.unsent() {
///     // post it…
///     try await alerts.markSent(alert.id)
/// }
/// ```
public struct PostgresBudgetAlertStore: BudgetAlertDirectory {
    public let ledger: PostgresLedger
    let now: @Sendable () -> Date

    /// - Parameter now: the wall clock for `sent_at`; injectable for tests.
    public init(ledger: PostgresLedger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.ledger = ledger
        self.now = now
    }

    /// Alerts not delivered yet, oldest first, at most `limit`.
    public func unsent(limit: Int = 100) async throws -> [BudgetAlert] {
        try await read("\(unescaped: Self.select) WHERE sent_at IS NULL ORDER BY id LIMIT \(Int64(limit))")
    }

    /// Every alert created in `[since, until)`, newest first, at most `limit`.
    public func list(since: Date? = nil, until: Date? = nil, limit: Int = 1000) async throws -> [BudgetAlert] {
        let since = since.map(LedgerTimestamp.string(from:)) ?? ""
        let until = until.map(LedgerTimestamp.string(from:)) ?? "9999"
        return try await read(
            """
            \(unescaped: Self.select) WHERE created_at >= \(since) AND created_at < \(until)
            ORDER BY id DESC LIMIT \(Int64(limit))
            """)
    }

    /// Records a delivery the webhook accepted.
    public func markSent(_ id: Int64) async throws {
        let at = LedgerTimestamp.string(from: now())
        try await write(
            "UPDATE budget_alerts SET sent_at = \(at), attempts = attempts + 1, last_error = NULL WHERE id = \(id)")
    }

    /// Records a failed delivery, to be tried again.
    public func markFailed(_ id: Int64, error: String) async throws {
        let message = String(error.prefix(500))
        try await write("UPDATE budget_alerts SET attempts = attempts + 1, last_error = \(message) WHERE id = \(id)")
    }

    private func read(_ query: PostgresQuery) async throws -> [BudgetAlert] {
        let rows: [PostgresRow]
        do {
            rows = try await ledger.rows(query)
        } catch let error where !(error is CancellationError) {
            throw LedgerError(
                .databaseError, "cannot read budget alerts in \(ledger.location): \(PostgresFault.describe(error))")
        }
        return try rows.map(Self.alert(from:))
    }

    private func write(_ query: PostgresQuery) async throws {
        do {
            _ = try await ledger.rows(query)
        } catch let error where !(error is CancellationError) {
            throw LedgerError(
                .databaseError, "cannot update a budget alert in \(ledger.location): \(PostgresFault.describe(error))")
        }
    }

    private static func alert(from row: PostgresRow) throws -> BudgetAlert {
        let (
            id, scope, scopeID, period, windowStart, threshold, limit, spent, requestID, createdAt, sentAt, attempts,
            lastError
        ) = try row.decode(
            (Int64, String, String, String, String, Int, Int64, Int64, String?, String, String?, Int, String?).self)
        return BudgetAlert(
            id: id, scope: BudgetScope(rawValue: scope) ?? .user, scopeID: scopeID,
            period: BudgetPeriod(rawValue: period) ?? .lifetime,
            windowStart: windowStart.isEmpty ? nil : LedgerTimestamp.date(from: windowStart),
            thresholdPercent: threshold, limit: MicroDollars(limit), spent: MicroDollars(spent), requestID: requestID,
            createdAt: LedgerTimestamp.date(from: createdAt) ?? Date(timeIntervalSince1970: 0),
            sentAt: sentAt.flatMap(LedgerTimestamp.date(from:)), attempts: attempts, lastError: lastError)
    }

    private static let select = """
        SELECT id, scope, scope_id, period, window_start, threshold_percent, limit_usd_micros, spent_usd_micros,
               request_id, created_at, sent_at, attempts, last_error
        FROM budget_alerts
        """
}
