import GRDB
public import SwitchyardCore

public import struct Foundation.Date

/// Per-user budgets enforced from the ledger: every reservation and settlement is a row in `ledger`, and the
/// `budgets` row is updated in the same transaction.
///
/// ``reserve(userID:requestID:amount:)`` runs one `IMMEDIATE` write transaction that reads the user's `budgets`
/// row, checks `spent + reserved + amount <= limit`, appends a `reserve` ledger row and adds to `reserved`. SQLite
/// allows one writer at a time and the pool has one writer connection, so reservations are strictly serial: no
/// number of concurrent requests can reserve past the limit. ``settle(_:actualCost:)`` appends `settle` (the actual
/// cost) and `release` (the rest) rows and moves the amounts from `reserved` to `spent`.
///
/// ```swift
/// let budgets = SQLiteBudgetStore(database: database, defaultLimit: 1_000_000)   // $1.00
/// _ = try await budgets.recoverOpenReservations()          // once at start-up, before serving
/// let reservation = try await budgets.reserve(userID: "alice", requestID: "req-1", amount: 2_500)
/// try await budgets.settle(reservation, actualCost: 1_200)  // spent 1_200, 1_300 released
/// ```
public final class SQLiteBudgetStore: BudgetStore {
    /// The limit of a user whose `budgets.limit_usd_micros` is `NULL` (or who has no row yet).
    public let defaultLimit: MicroDollars
    let database: LedgerDatabase
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - database: the ledger.
    ///   - defaultLimit: the limit of users without an override; $1.00 unless given.
    ///   - now: the wall clock for `at` and `updated_at` columns; injectable for tests.
    public init(
        database: LedgerDatabase,
        defaultLimit: MicroDollars = 1_000_000,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.defaultLimit = defaultLimit
        self.now = now
    }

    /// Reserves `amount` for `requestID`, atomically with the limit check.
    ///
    /// - Throws: `BudgetExceededError` (with the figures at that moment) when the reservation would pass the limit;
    ///   ``LedgerError`` `ledger_invalid_amount` for a negative amount, `ledger_duplicate_reservation` when the
    ///   request id already has a reservation.
    public func reserve(userID: String, requestID: String, amount: MicroDollars) async throws -> BudgetReservation {
        guard amount >= .zero else {
            throw LedgerError(.invalidAmount, "cannot reserve a negative amount (\(amount)) for request '\(requestID)'")
        }
        let at = LedgerTimestamp.string(from: now())
        let defaultLimit = defaultLimit
        do {
            try await database.shortWriteTransaction(.cancellable) { db in
                let status = try Self.status(of: userID, in: db, defaultLimit: defaultLimit)
                guard status.spent + status.reserved + amount <= status.limit else {
                    throw BudgetExceededError(status: status, requested: amount)
                }
                try Self.appendLedger(db, userID: userID, requestID: requestID, kind: "reserve", amount: amount, at: at)
                try db.cachedStatement(sql: Self.addReserved).execute(arguments: [userID, amount.rawValue, at])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw LedgerError(
                .duplicateReservation,
                "request '\(requestID)' already has a reservation; reserve once per request id")
        } catch let error as DatabaseError {
            throw LedgerError(
                .databaseError, "cannot reserve \(amount) for request '\(requestID)' in '\(database.path)': \(error)")
        }
        return BudgetReservation(userID: userID, requestID: requestID, amount: amount)
    }

    /// Not yet supported on SQLite: refuses, so the router does not fail over past what is reserved.
    public func extend(_ reservation: BudgetReservation, by amount: MicroDollars) async throws -> BudgetReservation {
        throw BudgetExceededError(
            status: try await status(userID: reservation.userID), requested: amount)
    }

    /// Turns the reservation into `actualCost` of spend and releases the rest (or, if the cost overran the
    /// reservation, records a negative release). Not cancelled with the calling task: money is always settled.
    ///
    /// The reserved amount is taken from the ledger's `reserve` row, not from `reservation.amount`.
    /// - Throws: ``LedgerError`` `ledger_unknown_reservation`, `ledger_reservation_already_settled` or
    ///   `ledger_invalid_amount` (negative cost).
    public func settle(_ reservation: BudgetReservation, actualCost: MicroDollars) async throws {
        guard actualCost >= .zero else {
            throw LedgerError(
                .invalidAmount,
                "cannot settle request '\(reservation.requestID)' at a negative cost (\(actualCost))")
        }
        let at = LedgerTimestamp.string(from: now())
        do {
            try await database.shortWriteTransaction(.uncancellable) { db in
                let reserved = try Self.openReservation(reservation, in: db)
                try Self.close(
                    userID: reservation.userID, requestID: reservation.requestID, reserved: reserved,
                    actual: actualCost, note: nil, at: at, in: db)
            }
        } catch let error as DatabaseError {
            throw LedgerError(
                .databaseError,
                "cannot settle request '\(reservation.requestID)' in '\(database.path)': \(error). The reservation "
                    + "stays open; it is settled at its reserved amount at the next start-up.")
        }
    }

    /// The user's limit, spent and reserved amounts, as committed.
    public func status(userID: String) async throws -> BudgetStatus {
        let defaultLimit = defaultLimit
        return try await database.pool.read { db in try Self.status(of: userID, in: db, defaultLimit: defaultLimit) }
    }

    // MARK: Shared steps (all run inside a write transaction)

    static func status(of userID: String, in db: Database, defaultLimit: MicroDollars) throws -> BudgetStatus {
        // A cursor's row is read in place, without the copy `Row.fetchOne` makes.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: selectBudget), arguments: [userID])
        guard let row = try rows.next() else {
            return BudgetStatus(userID: userID, limit: defaultLimit, spent: .zero, reserved: .zero)
        }
        return BudgetStatus(
            userID: userID,
            limit: (row[0] as Int64?).map { MicroDollars($0) } ?? defaultLimit,
            spent: MicroDollars(row[1] as Int64),
            reserved: MicroDollars(row[2] as Int64))
    }

    /// The amount of the reservation's `reserve` row, checking that it exists and is not settled yet.
    private static func openReservation(_ reservation: BudgetReservation, in db: Database) throws -> MicroDollars {
        var reserved: MicroDollars?
        var settled = false
        let rows = try Row.fetchCursor(db.cachedStatement(sql: selectReservation), arguments: [reservation.requestID])
        while let row = try rows.next() {
            let kind: String = row[0]
            let userID: String = row[2]
            guard userID == reservation.userID else { continue }
            if kind == "reserve" { reserved = MicroDollars(row[1] as Int64) } else { settled = true }
        }
        guard let reserved else {
            throw LedgerError(
                .unknownReservation,
                "the ledger has no reservation for request '\(reservation.requestID)' of user "
                    + "'\(reservation.userID)'; settle only what reserve() returned")
        }
        guard !settled else {
            throw LedgerError(
                .reservationAlreadySettled,
                "the reservation of request '\(reservation.requestID)' is already settled; settle exactly once")
        }
        return reserved
    }

    /// Appends `settle` and (if not zero) `release` rows and moves the reservation out of `reserved`.
    static func close(
        userID: String, requestID: String, reserved: MicroDollars, actual: MicroDollars, note: String?, at: String,
        in db: Database
    ) throws {
        try appendLedger(db, userID: userID, requestID: requestID, kind: "settle", amount: actual, note: note, at: at)
        let released = reserved - actual
        if released != .zero {
            try appendLedger(db, userID: userID, requestID: requestID, kind: "release", amount: released, at: at)
        }
        try db.cachedStatement(sql: settleBudget).execute(arguments: [
            actual.rawValue, reserved.rawValue, at, userID,
        ])
    }

    static func appendLedger(
        _ db: Database, userID: String, requestID: String?, kind: String, amount: MicroDollars, note: String? = nil,
        at: String
    ) throws {
        try db.cachedStatement(sql: insertLedger).execute(arguments: [
            userID, requestID, kind, amount.rawValue, note, at,
        ])
    }

    private static let selectBudget = """
        SELECT limit_usd_micros, spent_usd_micros, reserved_usd_micros FROM budgets WHERE user_id = ?
        """
    private static let selectReservation = """
        SELECT kind, amount_usd_micros, user_id FROM ledger WHERE request_id = ? AND kind IN ('reserve', 'settle')
        """
    private static let insertLedger = """
        INSERT INTO ledger (user_id, request_id, kind, amount_usd_micros, note, at) VALUES (?, ?, ?, ?, ?, ?)
        """
    private static let addReserved = """
        INSERT INTO budgets (user_id, reserved_usd_micros, updated_at) VALUES (?1, ?2, ?3)
        ON CONFLICT (user_id) DO UPDATE SET
            reserved_usd_micros = reserved_usd_micros + ?2, updated_at = ?3
        """
    private static let settleBudget = """
        UPDATE budgets SET
            spent_usd_micros = spent_usd_micros + ?1, reserved_usd_micros = reserved_usd_micros - ?2, updated_at = ?3
        WHERE user_id = ?4
        """
}
