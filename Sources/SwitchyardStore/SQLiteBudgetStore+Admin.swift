import GRDB
public import SwitchyardCore

public import struct Foundation.Date

extension SQLiteBudgetStore {
    /// Sets the limit of one scope over one period; `nil` removes it so the configured default (if any) applies.
    ///
    /// Lowering a limit below what is already spent is allowed: further reservations are refused.
    /// - Throws: ``LedgerError`` `ledger_invalid_amount` for a negative limit.
    public func setLimit(_ limit: MicroDollars?, scope: BudgetScope, id: String, period: BudgetPeriod) async throws {
        if let limit, limit < .zero {
            throw LedgerError(
                .invalidAmount, "a budget limit cannot be negative (\(limit)) for \(scope.rawValue) '\(id)'")
        }
        let at = LedgerTimestamp.string(from: now())
        try await database.writeTransaction(.uncancellable) { db in
            if scope == .user && period == .lifetime {
                try db.execute(
                    sql: """
                        INSERT INTO budgets (user_id, limit_usd_micros, updated_at) VALUES (?1, ?2, ?3)
                        ON CONFLICT (user_id) DO UPDATE SET limit_usd_micros = ?2, updated_at = ?3
                        """,
                    arguments: [id, limit?.rawValue, at])
            } else if let limit {
                try db.execute(
                    sql: """
                        INSERT INTO budget_limits (scope, scope_id, period, limit_usd_micros, updated_at)
                        VALUES (?1, ?2, ?3, ?4, ?5)
                        ON CONFLICT (scope, scope_id, period) DO UPDATE SET limit_usd_micros = ?4, updated_at = ?5
                        """,
                    arguments: [scope.rawValue, id, period.rawValue, limit.rawValue, at])
            } else {
                try db.execute(
                    sql: "DELETE FROM budget_limits WHERE scope = ? AND scope_id = ? AND period = ?",
                    arguments: [scope.rawValue, id, period.rawValue])
            }
        }
    }

    /// Corrects a user's spend by `amount` (negative to refund), as an `adjust` ledger row; it counts in the
    /// user's lifetime figures and in the calendar window it is made in.
    ///
    /// - Parameter note: why, kept in `ledger.note`.
    public func adjust(userID: String, amount: MicroDollars, note: String) async throws {
        let at = LedgerTimestamp.string(from: now())
        let subject = BudgetSubject(userID: userID)
        try await database.writeTransaction(.uncancellable) { db in
            try Self.appendLedger(db, subject, requestID: nil, kind: "adjust", amount: amount, note: note, at: at)
            try Self.addSpent(amount, releasing: .zero, to: subject, at: at, in: db)
        }
    }

    /// Every limit of every scope that has figures or a limit of its own (users with a `budgets` row, keys and
    /// teams with a `budget_scopes` row, anything with a `budget_limits` row), by scope and id; only `scope`'s
    /// when given.
    public func allStatuses(scope: BudgetScope? = nil) async throws -> [BudgetStatus] {
        let at = LedgerTimestamp.string(from: now())
        let defaults = defaults
        return try await database.pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT 'user', user_id FROM budgets
                    UNION SELECT scope, scope_id FROM budget_scopes
                    UNION SELECT scope, scope_id FROM budget_limits
                    ORDER BY 1, 2
                    """)
            return try rows.flatMap { row -> [BudgetStatus] in
                guard let rowScope = BudgetScope(rawValue: row[0]), scope == nil || rowScope == scope else { return [] }
                return try Self.shownStatuses(rowScope, row[1], at: at, defaults: defaults, in: db)
            }
        }
    }

    /// Every limit of one scope with its figures now (the configured defaults when it has none of its own); a
    /// scope without a lifetime limit also shows its lifetime figures, with ``BudgetStatus/unlimited`` as limit.
    public func statuses(_ scope: BudgetScope, id: String) async throws -> [BudgetStatus] {
        let at = LedgerTimestamp.string(from: now())
        let defaults = defaults
        return try await database.pool.read { db in
            try Self.shownStatuses(scope, id, at: at, defaults: defaults, in: db)
        }
    }

    /// What people are shown of a scope: its limits, and its lifetime figures even without a lifetime limit.
    private static func shownStatuses(
        _ scope: BudgetScope, _ id: String, at: String, defaults: BudgetDefaults, in db: Database
    ) throws -> [BudgetStatus] {
        var statuses = try Self.statuses(scope, id, at: at, defaults: defaults, caching: false, in: db)
        if !statuses.contains(where: { $0.period == .lifetime }) {
            let totals = try Self.totals(scope, id, in: db)
            statuses.insert(
                BudgetStatus(
                    scope: scope, scopeID: id, period: .lifetime, limit: BudgetStatus.unlimited, spent: totals.spent,
                    reserved: totals.reserved),
                at: 0)
        }
        return statuses
    }

    /// Checks that every figure kept for speed equals what `ledger` adds up to: each `budgets` row (by user) and
    /// `budget_scopes` row (by key or team) has `spent = Σ settle + Σ adjust` and
    /// `reserved = Σ reserve − Σ settle − Σ release` of the scope's rows, and each `budget_windows` row has
    /// `spent = Σ settle + Σ adjust` of the scope's rows inside its window.
    ///
    /// - Returns: the figures that differ (empty when the ledger is consistent), what `switchyard budget verify`
    ///   prints.
    public func verify() async throws -> [BudgetDiscrepancy] {
        try await database.pool.read { db in
            var found: [BudgetDiscrepancy] = []
            for scope in BudgetScope.allCases {
                found += try Row.fetchAll(db, sql: Self.verifyTotalsSQL(scope)).map { row in
                    BudgetDiscrepancy(
                        scope: scope, scopeID: row[0],
                        storedSpent: MicroDollars(row[1] as Int64), storedReserved: MicroDollars(row[2] as Int64),
                        ledgerSpent: MicroDollars(row[3] as Int64), ledgerReserved: MicroDollars(row[4] as Int64))
                }
            }
            found += try Row.fetchAll(db, sql: Self.verifyWindowsSQL).compactMap { row in
                guard let scope = BudgetScope(rawValue: row[0]) else { return nil }
                return BudgetDiscrepancy(
                    scope: scope, scopeID: row[1], period: BudgetPeriod(rawValue: row[2]),
                    windowStart: LedgerTimestamp.date(from: row[3]),
                    storedSpent: MicroDollars(row[4] as Int64), storedReserved: .zero,
                    ledgerSpent: MicroDollars(row[5] as Int64), ledgerReserved: .zero)
            }
            return found
        }
    }

    /// Resolves reservations left open by a crash (or by settlements still parked when the process stopped): each
    /// is settled at its full reserved amount, the sum of its `reserve` rows (never under-counting spend), with
    /// `ledger.note` = ``recoveredNote``.
    ///
    /// Call once at start-up, before serving requests and while holding the ``LedgerServeLock``: any reservation
    /// open at that moment belongs to a process that is gone. Never call it while another process serves from the
    /// same file (it would settle that process's in-flight requests at their upper bound); the lock makes sure none
    /// does.
    /// - Returns: the reservations it settled.
    @discardableResult
    public func recoverOpenReservations() async throws -> [BudgetReservation] {
        let at = LedgerTimestamp.string(from: now())
        return try await database.writeTransaction(.uncancellable) { db in
            // Only users with money reserved can have open reservations; their ledger rows are found by index.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.user_id, r.request_id, sum(r.amount_usd_micros), max(r.key_id), max(r.team)
                    FROM budgets b JOIN ledger r ON r.user_id = b.user_id AND r.kind = 'reserve'
                    WHERE b.reserved_usd_micros <> 0
                      AND NOT EXISTS (
                          SELECT 1 FROM ledger s WHERE s.request_id = r.request_id AND s.kind = 'settle')
                    GROUP BY r.user_id, r.request_id
                    ORDER BY min(r.id)
                    """)
            return try rows.map { row in
                let reservation = BudgetReservation(
                    subject: BudgetSubject(userID: row[0], keyID: row[3], team: row[4]), requestID: row[1],
                    amount: MicroDollars(row[2] as Int64))
                try Self.close(
                    reservation.subject, requestID: reservation.requestID, reserved: reservation.amount,
                    actual: reservation.amount, note: Self.recoveredNote, at: at, in: db)
                return reservation
            }
        }
    }

    /// The `ledger.note` of a settle row written by ``recoverOpenReservations()``.
    public static let recoveredNote = "recovered at start-up: settled at the reserved amount"

    /// The stored lifetime figures of `scope` against the ledger's sums, rows that differ only.
    package static func verifyTotalsSQL(_ scope: BudgetScope) -> String {
        let column = scope.ledgerColumn
        let (table, id, filter) =
            scope == .user
            ? ("budgets", "user_id", "TRUE")
            : ("budget_scopes", "scope_id", "scope = '\(scope.rawValue)'")
        return """
            WITH sums AS (
                SELECT \(column) AS id,
                       coalesce(sum(CASE kind WHEN 'settle' THEN amount_usd_micros
                                              WHEN 'adjust' THEN amount_usd_micros END), 0) AS spent,
                       coalesce(sum(CASE kind WHEN 'reserve' THEN amount_usd_micros
                                              WHEN 'settle' THEN -amount_usd_micros
                                              WHEN 'release' THEN -amount_usd_micros END), 0) AS reserved
                FROM ledger WHERE \(column) IS NOT NULL GROUP BY \(column)
            ),
            stored AS (SELECT \(id) AS id, spent_usd_micros, reserved_usd_micros FROM \(table) WHERE \(filter)),
            compared AS (
                SELECT t.id, t.spent_usd_micros AS stored_spent, t.reserved_usd_micros AS stored_reserved,
                       coalesce(s.spent, 0) AS ledger_spent, coalesce(s.reserved, 0) AS ledger_reserved
                FROM stored t LEFT JOIN sums s ON s.id = t.id
                UNION ALL
                SELECT s.id, 0, 0, s.spent, s.reserved
                FROM sums s WHERE NOT EXISTS (SELECT 1 FROM stored t WHERE t.id = s.id)
            )
            SELECT id, stored_spent, stored_reserved, ledger_spent, ledger_reserved FROM compared
            WHERE stored_spent <> ledger_spent OR stored_reserved <> ledger_reserved
            ORDER BY id
            """
    }

    /// Every stored window whose spend differs from the ledger's sum over it.
    private static let verifyWindowsSQL = """
        SELECT w.scope, w.scope_id, w.period, w.window_start, w.spent_usd_micros, coalesce((
            SELECT sum(l.amount_usd_micros) FROM ledger l
            WHERE l.kind IN ('settle', 'adjust') AND l.at >= w.window_start AND l.at < w.window_end
              AND CASE w.scope \(BudgetScope.allCases.map { "WHEN '\($0.rawValue)' THEN l.\($0.ledgerColumn)" }
                                     .joined(separator: " ")) END = w.scope_id
        ), 0) AS ledger_spent
        FROM budget_windows w
        WHERE w.spent_usd_micros <> ledger_spent
        ORDER BY w.scope, w.scope_id, w.period, w.window_start
        """
}

/// A figure kept for speed that does not equal what the ledger adds up to (see ``SQLiteBudgetStore/verify()``):
/// a scope's lifetime row, or one of its calendar windows (then ``period`` and ``windowStart`` say which, and the
/// reserved figures are zero).
public struct BudgetDiscrepancy: Sendable, Hashable, Codable {
    public var scope: BudgetScope
    public var scopeID: String
    /// The window's period; `nil` for the lifetime row.
    public var period: BudgetPeriod?
    public var windowStart: Date?
    /// The stored spend.
    public var storedSpent: MicroDollars
    /// The stored reserved figure.
    public var storedReserved: MicroDollars
    /// Σ settle + Σ adjust.
    public var ledgerSpent: MicroDollars
    /// Σ reserve − Σ settle − Σ release.
    public var ledgerReserved: MicroDollars

    public init(
        scope: BudgetScope = .user, scopeID: String, period: BudgetPeriod? = nil, windowStart: Date? = nil,
        storedSpent: MicroDollars, storedReserved: MicroDollars, ledgerSpent: MicroDollars,
        ledgerReserved: MicroDollars
    ) {
        self.scope = scope
        self.scopeID = scopeID
        self.period = period
        self.windowStart = windowStart
        self.storedSpent = storedSpent
        self.storedReserved = storedReserved
        self.ledgerSpent = ledgerSpent
        self.ledgerReserved = ledgerReserved
    }
}
