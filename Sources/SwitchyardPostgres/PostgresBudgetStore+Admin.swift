import PostgresNIO
public import SwitchyardCore
public import SwitchyardStore

extension PostgresBudgetStore: BudgetAdministration {
    public func setLimit(_ limit: MicroDollars?, scope: BudgetScope, id: String, period: BudgetPeriod) async throws {
        if let limit, limit < .zero {
            throw LedgerError(
                .invalidAmount, "a budget limit cannot be negative (\(limit)) for \(scope.rawValue) '\(id)'")
        }
        let at = LedgerTimestamp.string(from: now())
        try await write("cannot set the limit of \(scope.rawValue) '\(id)'", "the limit is unchanged") { connection in
            if scope == .user && period == .lifetime {
                try await connection.query(
                    """
                    INSERT INTO budgets (user_id, limit_usd_micros, updated_at) VALUES (\(id), \(limit?.rawValue), \(at))
                    ON CONFLICT (user_id) DO UPDATE SET limit_usd_micros = excluded.limit_usd_micros,
                        updated_at = excluded.updated_at
                    """, logger: ledger.logger)
            } else if let limit {
                try await connection.query(
                    """
                    INSERT INTO budget_limits (scope, scope_id, period, limit_usd_micros, updated_at)
                    VALUES (\(scope.rawValue), \(id), \(period.rawValue), \(limit.rawValue), \(at))
                    ON CONFLICT (scope, scope_id, period) DO UPDATE SET
                        limit_usd_micros = excluded.limit_usd_micros, updated_at = excluded.updated_at
                    """, logger: ledger.logger)
            } else {
                try await connection.query(
                    """
                    DELETE FROM budget_limits
                    WHERE scope = \(scope.rawValue) AND scope_id = \(id) AND period = \(period.rawValue)
                    """, logger: ledger.logger)
            }
        }
    }

    public func adjust(userID: String, amount: MicroDollars, note: String) async throws {
        let at = LedgerTimestamp.string(from: now())
        let subject = BudgetSubject(userID: userID)
        try await write("cannot adjust the spend of user '\(userID)'", "nothing was adjusted") { connection in
            _ = try await lockedStatuses(of: subject, at: at, on: connection, readLimits: false)
            try await connection.query(
                """
                INSERT INTO ledger (user_id, request_id, kind, amount_usd_micros, note, at)
                VALUES (\(userID), NULL, 'adjust', \(amount.rawValue), \(note), \(at))
                """, logger: ledger.logger)
            try await connection.query(
                """
                UPDATE budgets SET spent_usd_micros = spent_usd_micros + \(amount.rawValue), updated_at = \(at)
                WHERE user_id = \(userID)
                """, logger: ledger.logger)
        }
    }

    public func allStatuses(scope: BudgetScope?) async throws -> [BudgetStatus] {
        let scopes = try await ledger.rows(
            """
            SELECT 'user', user_id FROM budgets
            UNION SELECT scope, scope_id FROM budget_scopes
            UNION SELECT scope, scope_id FROM budget_limits
            ORDER BY 1, 2
            """
        ).map { try $0.decode((String, String).self) }
        let at = LedgerTimestamp.string(from: now())
        // Every scope's figures and own limits in two statements, not two per scope: with 500 users, a query per
        // scope made the dashboard's budget panel take 1.2 s. Only a calendar window's spend is read per scope.
        return try await ledger.connection { connection in
            var figures: [ScopeKey: Figures] = [:]
            let rows = try await connection.query(
                """
                SELECT 'user', user_id, limit_usd_micros, spent_usd_micros, reserved_usd_micros FROM budgets
                UNION ALL
                SELECT scope, scope_id, NULL::BIGINT, spent_usd_micros, reserved_usd_micros FROM budget_scopes
                """, logger: ledger.logger)
            for try await (name, id, limit, spent, reserved) in rows.decode((String, String, Int64?, Int64, Int64).self) {
                figures[ScopeKey(scope: name, id: id)] = Figures(
                    userLifetimeLimit: limit.map { MicroDollars($0) }, spent: MicroDollars(spent),
                    reserved: MicroDollars(reserved))
            }
            var limits: [ScopeKey: [BudgetPeriod: MicroDollars]] = [:]
            let limitRows = try await connection.query(
                "SELECT scope, scope_id, period, limit_usd_micros FROM budget_limits", logger: ledger.logger)
            for try await (name, id, period, limit) in limitRows.decode((String, String, String, Int64).self) {
                guard let period = BudgetPeriod(rawValue: period) else { continue }
                limits[ScopeKey(scope: name, id: id), default: [:]][period] = MicroDollars(limit)
            }
            var statuses: [BudgetStatus] = []
            for (name, id) in scopes {
                guard let rowScope = BudgetScope(rawValue: name), scope == nil || rowScope == scope else { continue }
                let key = ScopeKey(scope: name, id: id)
                let scopeFigures = figures[key] ?? Figures(userLifetimeLimit: nil, spent: .zero, reserved: .zero)
                statuses += Self.withLifetime(
                    try await self.statuses(
                        rowScope, id, figures: scopeFigures, limits: limits[key] ?? [:], at: at, on: connection),
                    scope: rowScope, id: id, figures: scopeFigures)
            }
            return statuses
        }
    }

    private struct ScopeKey: Hashable {
        var scope: String
        var id: String
    }

    public func statuses(_ scope: BudgetScope, id: String) async throws -> [BudgetStatus] {
        let at = LedgerTimestamp.string(from: now())
        return try await ledger.connection { connection in
            let figures = try await figures(scope, id, locking: false, at: at, on: connection)
            return Self.withLifetime(
                try await statuses(scope, id, figures: figures, at: at, on: connection), scope: scope, id: id,
                figures: figures)
        }
    }

    /// `statuses` with the scope's lifetime figures first, as an unlimited entry when it has no lifetime limit.
    private static func withLifetime(
        _ statuses: [BudgetStatus], scope: BudgetScope, id: String, figures: Figures
    ) -> [BudgetStatus] {
        guard !statuses.contains(where: { $0.period == .lifetime }) else { return statuses }
        return [
            BudgetStatus(
                scope: scope, scopeID: id, period: .lifetime, limit: BudgetStatus.unlimited, spent: figures.spent,
                reserved: figures.reserved)
        ] + statuses
    }

    /// Each `budgets` and `budget_scopes` row against the ledger's sums (the query the SQLite store runs; there
    /// are no `budget_windows` rows to check on PostgreSQL).
    public func verify() async throws -> [BudgetDiscrepancy] {
        var found: [BudgetDiscrepancy] = []
        for scope in BudgetScope.allCases {
            let sql = "SELECT id, stored_spent::BIGINT, stored_reserved::BIGINT, ledger_spent::BIGINT, "
                + "ledger_reserved::BIGINT FROM (\(SQLiteBudgetStore.verifyTotalsSQL(scope))) AS differences"
            for row in try await ledger.rows(PostgresQuery(unsafeSQL: sql)) {
                let (id, storedSpent, storedReserved, ledgerSpent, ledgerReserved) = try row.decode(
                    (String, Int64, Int64, Int64, Int64).self)
                found.append(
                    BudgetDiscrepancy(
                        scope: scope, scopeID: id, storedSpent: MicroDollars(storedSpent),
                        storedReserved: MicroDollars(storedReserved), ledgerSpent: MicroDollars(ledgerSpent),
                        ledgerReserved: MicroDollars(ledgerReserved)))
            }
        }
        return found
    }
}
