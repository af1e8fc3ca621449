import PostgresNIO
import SwitchyardCore
import SwitchyardStore

import struct Foundation.Date

// The rows behind every scope and period, as in the SQLite store: a user's lifetime limit and figures are its
// `budgets` row, a key's or team's lifetime figures its `budget_scopes` row, other limits `budget_limits` rows
// (else the configured defaults). A calendar window's spend is summed from `ledger`.

extension PostgresBudgetStore {
    /// A scope's lifetime figures, and for a user the lifetime limit of its `budgets` row.
    struct Figures {
        var userLifetimeLimit: MicroDollars?
        var spent: MicroDollars
        var reserved: MicroDollars
    }

    /// Locks the figures row of every scope of `subject` (made if missing), in the order user, key, team, and
    /// returns every limit's figures (none with `readLimits: false`, for a settlement, which checks nothing).
    func lockedStatuses(
        of subject: BudgetSubject, at: String, on connection: PostgresConnection, readLimits: Bool = true
    ) async throws -> [BudgetStatus] {
        var statuses: [BudgetStatus] = []
        for (scope, id) in subject.scopes {
            let figures = try await figures(scope, id, locking: true, at: at, on: connection)
            if readLimits { statuses += try await self.statuses(scope, id, figures: figures, at: at, on: connection) }
        }
        return statuses
    }

    /// The scope's lifetime figures; with `locking`, its row is made if missing and locked until the transaction
    /// ends (an upsert that changes nothing takes the row's lock and returns its latest committed figures).
    func figures(
        _ scope: BudgetScope, _ id: String, locking: Bool, at: String, on connection: PostgresConnection
    ) async throws -> Figures {
        let query: PostgresQuery
        switch (scope, locking) {
        case (.user, true):
            query = """
                INSERT INTO budgets (user_id, updated_at) VALUES (\(id), \(at))
                ON CONFLICT (user_id) DO UPDATE SET user_id = excluded.user_id
                RETURNING limit_usd_micros, spent_usd_micros, reserved_usd_micros
                """
        case (.user, false):
            query = "SELECT limit_usd_micros, spent_usd_micros, reserved_usd_micros FROM budgets WHERE user_id = \(id)"
        case (_, true):
            query = """
                INSERT INTO budget_scopes (scope, scope_id, updated_at) VALUES (\(scope.rawValue), \(id), \(at))
                ON CONFLICT (scope, scope_id) DO UPDATE SET scope_id = excluded.scope_id
                RETURNING NULL::BIGINT, spent_usd_micros, reserved_usd_micros
                """
        case (_, false):
            query = """
                SELECT NULL::BIGINT, spent_usd_micros, reserved_usd_micros FROM budget_scopes
                WHERE scope = \(scope.rawValue) AND scope_id = \(id)
                """
        }
        for try await (limit, spent, reserved) in try await connection.query(query, logger: ledger.logger).decode(
            (Int64?, Int64, Int64).self)
        {
            return Figures(
                userLifetimeLimit: limit.map { MicroDollars($0) }, spent: MicroDollars(spent),
                reserved: MicroDollars(reserved))
        }
        return Figures(userLifetimeLimit: nil, spent: .zero, reserved: .zero)
    }

    /// The figures of every limit of one scope at `at`, by period.
    func statuses(
        _ scope: BudgetScope, _ id: String, figures: Figures, at: String, on connection: PostgresConnection
    ) async throws -> [BudgetStatus] {
        var own: [BudgetPeriod: MicroDollars] = [:]
        let rows = try await connection.query(
            "SELECT period, limit_usd_micros FROM budget_limits WHERE scope = \(scope.rawValue) AND scope_id = \(id)",
            logger: ledger.logger)
        for try await (period, limit) in rows.decode((String, Int64).self) {
            guard let period = BudgetPeriod(rawValue: period) else { continue }
            own[period] = MicroDollars(limit)
        }
        return try await statuses(scope, id, figures: figures, limits: own, at: at, on: connection)
    }

    /// The figures of every limit of one scope at `at`, by period, given its own `budget_limits` rows.
    func statuses(
        _ scope: BudgetScope, _ id: String, figures: Figures, limits own: [BudgetPeriod: MicroDollars], at: String,
        on connection: PostgresConnection
    ) async throws -> [BudgetStatus] {
        var limits = defaults.limits[scope] ?? [:]
        if let lifetime = figures.userLifetimeLimit { limits[.lifetime] = lifetime }
        limits.merge(own) { _, own in own }
        guard !limits.isEmpty else { return [] }
        let date = LedgerTimestamp.date(from: at) ?? Date()
        var statuses: [BudgetStatus] = []
        for period in BudgetPeriod.allCases {
            guard let limit = limits[period] else { continue }
            guard period != .lifetime, let window = period.window(containing: date, in: defaults.timeZone) else {
                statuses.append(
                    BudgetStatus(
                        scope: scope, scopeID: id, period: period, limit: limit, spent: figures.spent,
                        reserved: figures.reserved))
                continue
            }
            let spent = try await windowSpent(scope, id, window, on: connection)
            statuses.append(
                BudgetStatus(
                    scope: scope, scopeID: id, period: period, limit: limit, spent: spent, reserved: figures.reserved,
                    window: window))
        }
        return statuses
    }

    /// Σ settle + Σ adjust of the scope's ledger rows inside `window`.
    private func windowSpent(
        _ scope: BudgetScope, _ id: String, _ window: BudgetWindow, on connection: PostgresConnection
    ) async throws -> MicroDollars {
        let start = LedgerTimestamp.string(from: window.start)
        let end = LedgerTimestamp.string(from: window.end)
        let column = scope.ledgerColumn
        let rows = try await connection.query(
            """
            SELECT coalesce(sum(amount_usd_micros), 0)::BIGINT FROM ledger
            WHERE \(unescaped: column) = \(id) AND kind IN ('settle', 'adjust') AND at >= \(start) AND at < \(end)
            """, logger: ledger.logger)
        for try await spent in rows.decode(Int64.self) { return MicroDollars(spent) }
        return .zero
    }
}
