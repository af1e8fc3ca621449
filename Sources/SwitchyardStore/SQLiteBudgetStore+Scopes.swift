import GRDB
import SwitchyardCore

import struct Foundation.Date
import struct Foundation.TimeZone

// The rows behind every scope and period: run inside a transaction (a write one unless `caching` is false).
//
// - A user's lifetime limit and figures are the `budgets` row (as before scopes existed); a key's or team's
//   lifetime figures are its `budget_scopes` row. Limits other than a user's lifetime one are `budget_limits` rows,
//   else the configured defaults.
// - A calendar window's spend is its `budget_windows` row, computed from `ledger` the first time it is needed and
//   updated by every settle and adjust after that.

extension BudgetScope {
    /// The column of `ledger` and `requests` that holds a row's id in this scope.
    package var ledgerColumn: String {
        switch self {
        case .user: "user_id"
        case .key: "key_id"
        case .team: "team"
        }
    }
}

extension SQLiteBudgetStore {
    /// The figures of every limit of every scope of `subject` at `at` (a ledger timestamp), in checking order.
    ///
    /// - Parameter caching: whether a window's spend computed from the ledger is stored in `budget_windows`
    ///   (write transactions only).
    static func statuses(
        of subject: BudgetSubject, at: String, defaults: BudgetDefaults, caching: Bool, in db: Database
    ) throws -> [BudgetStatus] {
        try subject.scopes.flatMap { scope, id in
            try statuses(scope, id, at: at, defaults: defaults, caching: caching, in: db)
        }
    }

    /// The figures of every limit of one scope at `at`, by period.
    static func statuses(
        _ scope: BudgetScope, _ id: String, at: String, defaults: BudgetDefaults, caching: Bool, in db: Database
    ) throws -> [BudgetStatus] {
        let totals = try self.totals(scope, id, in: db)
        var limits = defaults.limits[scope] ?? [:]
        if let own = totals.userLifetimeLimit { limits[.lifetime] = own }
        let rows = try Row.fetchCursor(db.cachedStatement(sql: selectLimits), arguments: [scope.rawValue, id])
        while let row = try rows.next() {
            guard let period = BudgetPeriod(rawValue: row[0]) else { continue }
            limits[period] = MicroDollars(row[1] as Int64)
        }
        guard !limits.isEmpty else { return [] }
        // Windows are those of `at` as stored (to the millisecond), so a row and its window always agree.
        lazy var date = LedgerTimestamp.date(from: at) ?? Date()
        return try BudgetPeriod.allCases.compactMap { period -> BudgetStatus? in
            guard let limit = limits[period] else { return nil }
            guard period != .lifetime, let window = period.window(containing: date, in: defaults.timeZone) else {
                return BudgetStatus(
                    scope: scope, scopeID: id, period: period, limit: limit, spent: totals.spent,
                    reserved: totals.reserved)
            }
            let spent = try windowSpent(
                scope, id, period, window, timeZone: defaults.timeZone, caching: caching, at: at, in: db)
            return BudgetStatus(
                scope: scope, scopeID: id, period: period, limit: limit, spent: spent, reserved: totals.reserved,
                window: window)
        }
    }

    /// A scope's lifetime figures, and for a user the lifetime limit of its `budgets` row.
    static func totals(_ scope: BudgetScope, _ id: String, in db: Database) throws
        -> (userLifetimeLimit: MicroDollars?, spent: MicroDollars, reserved: MicroDollars)
    {
        // A cursor's row is read in place, without the copy `Row.fetchOne` makes.
        let rows =
            scope == .user
            ? try Row.fetchCursor(db.cachedStatement(sql: selectUserTotals), arguments: [id])
            : try Row.fetchCursor(db.cachedStatement(sql: selectScopeTotals), arguments: [scope.rawValue, id])
        guard let row = try rows.next() else { return (nil, .zero, .zero) }
        return ((row[0] as Int64?).map { MicroDollars($0) }, MicroDollars(row[1] as Int64), MicroDollars(row[2] as Int64))
    }

    /// What one scope spent in `window`: its `budget_windows` row, else the sum of its ledger rows (stored when
    /// `caching`).
    static func windowSpent(
        _ scope: BudgetScope, _ id: String, _ period: BudgetPeriod, _ window: BudgetWindow, timeZone: TimeZone,
        caching: Bool, at: String, in db: Database
    ) throws -> MicroDollars {
        let start = LedgerTimestamp.string(from: window.start)
        let key: StatementArguments = [scope.rawValue, id, period.rawValue, timeZone.identifier, start]
        if let stored = try Int64.fetchOne(db.cachedStatement(sql: selectWindow), arguments: key) {
            return MicroDollars(stored)
        }
        let end = LedgerTimestamp.string(from: window.end)
        let sumSQL = """
            SELECT coalesce(sum(amount_usd_micros), 0) FROM ledger
            WHERE \(scope.ledgerColumn) = ? AND kind IN ('settle', 'adjust') AND at >= ? AND at < ?
            """
        let spent = try Int64.fetchOne(db.cachedStatement(sql: sumSQL), arguments: [id, start, end]) ?? 0
        if caching {
            try db.cachedStatement(sql: insertWindow).execute(arguments: key + [end, spent, at])
        }
        return MicroDollars(spent)
    }

    /// Adds `amount` to the reserved figure of every scope of `subject`.
    static func addReserved(_ amount: MicroDollars, to subject: BudgetSubject, at: String, in db: Database) throws {
        for (scope, id) in subject.scopes {
            if scope == .user {
                try db.cachedStatement(sql: addUserReserved).execute(arguments: [id, amount.rawValue, at])
            } else {
                try db.cachedStatement(sql: addScopeReserved).execute(arguments: [
                    scope.rawValue, id, amount.rawValue, at,
                ])
            }
        }
    }

    /// Moves `reserved` out of every scope's reserved figure and adds `spent` to its spend, lifetime and every
    /// stored window that contains `at`.
    static func addSpent(
        _ spent: MicroDollars, releasing reserved: MicroDollars, to subject: BudgetSubject, at: String,
        in db: Database
    ) throws {
        for (scope, id) in subject.scopes {
            if scope == .user {
                try db.cachedStatement(sql: addUserSpent).execute(arguments: [
                    id, spent.rawValue, -reserved.rawValue, at,
                ])
            } else {
                try db.cachedStatement(sql: addScopeSpent).execute(arguments: [
                    scope.rawValue, id, spent.rawValue, -reserved.rawValue, at,
                ])
            }
            if spent != .zero {
                try db.cachedStatement(sql: addWindowSpent).execute(arguments: [
                    spent.rawValue, at, scope.rawValue, id,
                ])
            }
        }
    }

    private static let selectLimits = """
        SELECT period, limit_usd_micros FROM budget_limits WHERE scope = ? AND scope_id = ?
        """
    private static let selectUserTotals = """
        SELECT limit_usd_micros, spent_usd_micros, reserved_usd_micros FROM budgets WHERE user_id = ?
        """
    private static let selectScopeTotals = """
        SELECT NULL, spent_usd_micros, reserved_usd_micros FROM budget_scopes WHERE scope = ? AND scope_id = ?
        """
    private static let selectWindow = """
        SELECT spent_usd_micros FROM budget_windows
        WHERE scope = ? AND scope_id = ? AND period = ? AND time_zone = ? AND window_start = ?
        """
    private static let insertWindow = """
        INSERT INTO budget_windows
            (scope, scope_id, period, time_zone, window_start, window_end, spent_usd_micros, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let addUserReserved = """
        INSERT INTO budgets (user_id, reserved_usd_micros, updated_at) VALUES (?1, ?2, ?3)
        ON CONFLICT (user_id) DO UPDATE SET reserved_usd_micros = reserved_usd_micros + ?2, updated_at = ?3
        """
    private static let addScopeReserved = """
        INSERT INTO budget_scopes (scope, scope_id, reserved_usd_micros, updated_at) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (scope, scope_id) DO UPDATE SET reserved_usd_micros = reserved_usd_micros + ?3, updated_at = ?4
        """
    private static let addUserSpent = """
        INSERT INTO budgets (user_id, spent_usd_micros, reserved_usd_micros, updated_at) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (user_id) DO UPDATE SET
            spent_usd_micros = spent_usd_micros + ?2, reserved_usd_micros = reserved_usd_micros + ?3, updated_at = ?4
        """
    private static let addScopeSpent = """
        INSERT INTO budget_scopes (scope, scope_id, spent_usd_micros, reserved_usd_micros, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (scope, scope_id) DO UPDATE SET
            spent_usd_micros = spent_usd_micros + ?3, reserved_usd_micros = reserved_usd_micros + ?4, updated_at = ?5
        """
    private static let addWindowSpent = """
        UPDATE budget_windows SET spent_usd_micros = spent_usd_micros + ?1, updated_at = ?2
        WHERE scope = ?3 AND scope_id = ?4 AND window_start <= ?2 AND window_end > ?2
        """
}
