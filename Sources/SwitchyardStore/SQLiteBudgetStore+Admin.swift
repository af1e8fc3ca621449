import GRDB
public import SwitchyardCore

extension SQLiteBudgetStore {
    /// Sets one user's limit; `nil` removes the override so the default limit applies again.
    ///
    /// Lowering a limit below what is already spent is allowed: further reservations are refused.
    public func setLimit(_ limit: MicroDollars?, for userID: String) async throws {
        if let limit, limit < .zero {
            throw LedgerError(.invalidAmount, "a budget limit cannot be negative (\(limit)) for user '\(userID)'")
        }
        let at = LedgerTimestamp.string(from: now())
        try await database.writeTransaction(.uncancellable) { db in
            try db.execute(
                sql: """
                    INSERT INTO budgets (user_id, limit_usd_micros, updated_at) VALUES (?1, ?2, ?3)
                    ON CONFLICT (user_id) DO UPDATE SET limit_usd_micros = ?2, updated_at = ?3
                    """,
                arguments: [userID, limit?.rawValue, at])
        }
    }

    /// Corrects a user's spend by `amount` (negative to refund), as an `adjust` ledger row.
    ///
    /// - Parameter note: why, kept in `ledger.note`.
    public func adjust(userID: String, amount: MicroDollars, note: String) async throws {
        let at = LedgerTimestamp.string(from: now())
        try await database.writeTransaction(.uncancellable) { db in
            try Self.appendLedger(
                db, userID: userID, requestID: nil, kind: "adjust", amount: amount, note: note, at: at)
            try db.execute(
                sql: """
                    INSERT INTO budgets (user_id, spent_usd_micros, updated_at) VALUES (?1, ?2, ?3)
                    ON CONFLICT (user_id) DO UPDATE SET spent_usd_micros = spent_usd_micros + ?2, updated_at = ?3
                    """,
                arguments: [userID, amount.rawValue, at])
        }
    }

    /// Every user with a `budgets` row, by user id.
    public func allStatuses() async throws -> [BudgetStatus] {
        let defaultLimit = defaultLimit
        return try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT user_id, limit_usd_micros, spent_usd_micros, reserved_usd_micros
                    FROM budgets ORDER BY user_id
                    """
            ).map { row in
                BudgetStatus(
                    userID: row[0], limit: (row[1] as Int64?).map { MicroDollars($0) } ?? defaultLimit,
                    spent: MicroDollars(row[2] as Int64), reserved: MicroDollars(row[3] as Int64))
            }
        }
    }

    /// Checks the invariant that every `budgets` row equals what `ledger` adds up to:
    /// `spent = Σ settle + Σ adjust` and `reserved = Σ reserve − Σ settle − Σ release`.
    ///
    /// - Returns: the users whose row differs (empty when the ledger is consistent), what `switchyard budgets
    ///   verify` prints.
    public func verify() async throws -> [BudgetDiscrepancy] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: Self.verifySQL).map { row in
                BudgetDiscrepancy(
                    userID: row[0],
                    storedSpent: MicroDollars(row[1] as Int64), storedReserved: MicroDollars(row[2] as Int64),
                    ledgerSpent: MicroDollars(row[3] as Int64), ledgerReserved: MicroDollars(row[4] as Int64))
            }
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
                    SELECT r.user_id, r.request_id, sum(r.amount_usd_micros)
                    FROM budgets b JOIN ledger r ON r.user_id = b.user_id AND r.kind = 'reserve'
                    WHERE b.reserved_usd_micros <> 0
                      AND NOT EXISTS (
                          SELECT 1 FROM ledger s WHERE s.request_id = r.request_id AND s.kind = 'settle')
                    GROUP BY r.user_id, r.request_id
                    ORDER BY min(r.id)
                    """)
            return try rows.map { row in
                let reservation = BudgetReservation(
                    userID: row[0], requestID: row[1], amount: MicroDollars(row[2] as Int64))
                try Self.close(
                    userID: reservation.userID, requestID: reservation.requestID, reserved: reservation.amount,
                    actual: reservation.amount, note: Self.recoveredNote, at: at, in: db)
                return reservation
            }
        }
    }

    /// The `ledger.note` of a settle row written by ``recoverOpenReservations()``.
    public static let recoveredNote = "recovered at start-up: settled at the reserved amount"

    private static let verifySQL = """
        WITH sums AS (
            SELECT user_id,
                   coalesce(sum(CASE kind WHEN 'settle' THEN amount_usd_micros
                                          WHEN 'adjust' THEN amount_usd_micros END), 0) AS spent,
                   coalesce(sum(CASE kind WHEN 'reserve' THEN amount_usd_micros
                                          WHEN 'settle' THEN -amount_usd_micros
                                          WHEN 'release' THEN -amount_usd_micros END), 0) AS reserved
            FROM ledger GROUP BY user_id
        ),
        compared AS (
            SELECT b.user_id, b.spent_usd_micros AS stored_spent, b.reserved_usd_micros AS stored_reserved,
                   coalesce(s.spent, 0) AS ledger_spent, coalesce(s.reserved, 0) AS ledger_reserved
            FROM budgets b LEFT JOIN sums s ON s.user_id = b.user_id
            UNION ALL
            SELECT s.user_id, 0, 0, s.spent, s.reserved
            FROM sums s WHERE NOT EXISTS (SELECT 1 FROM budgets b WHERE b.user_id = s.user_id)
        )
        SELECT user_id, stored_spent, stored_reserved, ledger_spent, ledger_reserved FROM compared
        WHERE stored_spent <> ledger_spent OR stored_reserved <> ledger_reserved
        ORDER BY user_id
        """
}

/// A user whose `budgets` row does not equal what the ledger adds up to (see ``SQLiteBudgetStore/verify()``).
public struct BudgetDiscrepancy: Sendable, Hashable, Codable {
    public var userID: String
    /// `budgets.spent_usd_micros`.
    public var storedSpent: MicroDollars
    /// `budgets.reserved_usd_micros`.
    public var storedReserved: MicroDollars
    /// Σ settle + Σ adjust.
    public var ledgerSpent: MicroDollars
    /// Σ reserve − Σ settle − Σ release.
    public var ledgerReserved: MicroDollars

    public init(
        userID: String, storedSpent: MicroDollars, storedReserved: MicroDollars, ledgerSpent: MicroDollars,
        ledgerReserved: MicroDollars
    ) {
        self.userID = userID
        self.storedSpent = storedSpent
        self.storedReserved = storedReserved
        self.ledgerSpent = ledgerSpent
        self.ledgerReserved = ledgerReserved
    }
}
