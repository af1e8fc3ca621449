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
        var statuses: [BudgetStatus] = []
        for (name, id) in scopes {
            guard let rowScope = BudgetScope(rawValue: name), scope == nil || rowScope == scope else { continue }
            statuses += try await self.statuses(rowScope, id: id)
        }
        return statuses
    }

    public func statuses(_ scope: BudgetScope, id: String) async throws -> [BudgetStatus] {
        let at = LedgerTimestamp.string(from: now())
        return try await ledger.connection { connection in
            let figures = try await figures(scope, id, locking: false, at: at, on: connection)
            var statuses = try await self.statuses(scope, id, figures: figures, at: at, on: connection)
            if !statuses.contains(where: { $0.period == .lifetime }) {
                statuses.insert(
                    BudgetStatus(
                        scope: scope, scopeID: id, period: .lifetime, limit: BudgetStatus.unlimited,
                        spent: figures.spent, reserved: figures.reserved),
                    at: 0)
            }
            return statuses
        }
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
