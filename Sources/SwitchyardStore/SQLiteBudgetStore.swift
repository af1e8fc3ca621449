import GRDB
public import Logging
public import SwitchyardCore
import Synchronization

public import struct Foundation.Date

/// Per-user budgets enforced from the ledger: every reservation and settlement is a row in `ledger`, and the
/// `budgets` row is updated in the same transaction.
///
/// ``reserve(userID:requestID:amount:)`` runs one `IMMEDIATE` write transaction that reads the user's `budgets`
/// row, checks `spent + reserved + amount <= limit`, appends a `reserve` ledger row and adds to `reserved`. SQLite
/// allows one writer at a time and the pool has one writer connection, so reservations are strictly serial: no
/// number of concurrent requests can reserve past the limit. ``extend(_:by:)`` reserves more the same way, as
/// another `reserve` row. ``settle(_:actualCost:)`` appends `settle` (the actual cost) and `release` (the rest of
/// every `reserve` row of the request) rows and moves the amounts from `reserved` to `spent`.
///
/// ```swift
/// let budgets = SQLiteBudgetStore(database: database, defaultLimit: 1_000_000)   // $1.00
/// _ = try await budgets.recoverOpenReservations()          // once at start-up, holding the LedgerServeLock
/// // run `budgets.run()` as a service: it writes settlements parked during a database fault
/// let reservation = try await budgets.reserve(userID: "alice", requestID: "req-1", amount: 2_500)
/// try await budgets.settle(reservation, actualCost: 1_200)  // spent 1_200, 1_300 released
/// ```
///
/// **With a writer** (the server's setup), reservations and settlements are not transactions of their own: they
/// queue in the ``LedgerEventSink``, in order with the events, and each runs in a savepoint inside the writer's next
/// group commit (the check and the rows as above, on the one writer connection, so still strictly serial).
/// `reserve` and `extend` return once that commit is done. `settle` returns once queued: the router's
/// `flush()`, which comes next, waits for the commit that holds the settlement with the request's last events. A
/// request thus costs one or two commits, shared with the requests around it, instead of three or four of its own.
/// A database fault answers a waiting `reserve`/`extend` at once with `ledger_unavailable` (nothing reserved); a
/// settlement stays queued in the writer until it commits, and if the process dies first the reservation is
/// settled at its reserved amount at the next start-up, as below.
///
/// **Faults.** When the database cannot be written for a passing reason (a lock held past the busy time-out, a
/// full disk; see `LedgerFault`), `reserve` and `extend` throw `ledger_unavailable` having written nothing.
/// `settle` retries ``Configuration/settleAttempts`` times, then *parks* the settlement in memory and throws
/// `ledger_unavailable`; ``run()`` (and the next successful write) writes it once the database recovers, so no money
/// is lost to a passing fault. Whatever is still parked when the process dies stays an open reservation, settled
/// at its reserved amount by ``recoverOpenReservations()`` at the next start-up: spend is never under-counted.
public final class SQLiteBudgetStore: BudgetStore {
    /// The limit of a user whose `budgets.limit_usd_micros` is `NULL` (or who has no row yet).
    public let defaultLimit: MicroDollars
    let database: LedgerDatabase
    /// The ledger writer that commits reservations and settlements with the events, if any.
    let writer: LedgerEventSink?
    let configuration: Configuration
    let clock: any Clock<Duration>
    let logger: Logger
    let now: @Sendable () -> Date
    let parking = Mutex(Parking())

    /// - Parameters:
    ///   - database: the ledger.
    ///   - writer: the ledger's event writer, to commit reservations and settlements in its group commits (see
    ///     "With a writer" above); `nil` to run each in a transaction of its own.
    ///   - defaultLimit: the limit of users without an override; $1.00 unless given.
    ///   - configuration: settlement retries and parking.
    ///   - clock: what retry waits are measured on; injectable for tests.
    ///   - logger: where parked settlements and recoveries are reported.
    ///   - now: the wall clock for `at` and `updated_at` columns; injectable for tests.
    public init(
        database: LedgerDatabase,
        writer: LedgerEventSink? = nil,
        defaultLimit: MicroDollars = 1_000_000,
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "switchyard.budgets"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.writer = writer
        self.defaultLimit = defaultLimit
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.now = now
    }

    /// Reserves `amount` for `requestID`, atomically with the limit check.
    ///
    /// - Throws: `BudgetExceededError` (with the figures at that moment) when the reservation would pass the limit;
    ///   ``LedgerError`` `ledger_unavailable` when the database cannot be written now (nothing was reserved; try
    ///   again later), `ledger_invalid_amount` for a negative amount, `ledger_duplicate_reservation` when the
    ///   request id already has a reservation.
    public func reserve(userID: String, requestID: String, amount: MicroDollars) async throws -> BudgetReservation {
        guard amount >= .zero else {
            throw LedgerError(.invalidAmount, "cannot reserve a negative amount (\(amount)) for request '\(requestID)'")
        }
        let at = LedgerTimestamp.string(from: now())
        let defaultLimit = defaultLimit
        do {
            _ = try await write(.failFast, .cancellable) { db in
                guard try !Self.hasReservation(requestID, in: db) else {
                    throw LedgerError(
                        .duplicateReservation,
                        "request '\(requestID)' already has a reservation; reserve once per request id (extend it "
                            + "to reserve more)")
                }
                let status = try Self.status(of: userID, in: db, defaultLimit: defaultLimit)
                guard Self.fits(amount, in: status) else { throw BudgetExceededError(status: status, requested: amount) }
                try Self.appendLedger(db, userID: userID, requestID: requestID, kind: "reserve", amount: amount, at: at)
                try db.cachedStatement(sql: Self.addReserved).execute(arguments: [userID, amount.rawValue, at])
                return amount
            }
        } catch let error as DatabaseError {
            throw failure(error, "cannot reserve \(amount) for request '\(requestID)'", "nothing was reserved")
        }
        await writeParkedSettlementsIfAny()
        return BudgetReservation(userID: userID, requestID: requestID, amount: amount)
    }

    /// Reserves `amount` more for a request that holds an open reservation, atomically with the limit check, as
    /// another `reserve` row (note ``extensionNote``).
    ///
    /// - Returns: the reservation with its new total: the sum of the request's `reserve` rows.
    /// - Throws: `BudgetExceededError` when the extra amount would pass the limit (nothing is written);
    ///   ``LedgerError`` `ledger_unavailable` when the database cannot be written now, `ledger_unknown_reservation`,
    ///   `ledger_reservation_already_settled`, `ledger_invalid_amount` (negative amount).
    public func extend(_ reservation: BudgetReservation, by amount: MicroDollars) async throws -> BudgetReservation {
        guard amount >= .zero else {
            throw LedgerError(
                .invalidAmount,
                "cannot extend the reservation of request '\(reservation.requestID)' by a negative amount (\(amount))")
        }
        try checkNotParked(reservation)
        let at = LedgerTimestamp.string(from: now())
        let defaultLimit = defaultLimit
        let total: MicroDollars
        do {
            total = try await write(.failFast, .cancellable) { db in
                let reserved = try Self.openReservation(reservation, in: db)
                guard amount > .zero else { return reserved }
                let status = try Self.status(of: reservation.userID, in: db, defaultLimit: defaultLimit)
                guard Self.fits(amount, in: status), let total = Self.sum(reserved, amount) else {
                    throw BudgetExceededError(status: status, requested: amount)
                }
                try Self.appendLedger(
                    db, userID: reservation.userID, requestID: reservation.requestID, kind: "reserve", amount: amount,
                    note: Self.extensionNote, at: at)
                try db.cachedStatement(sql: Self.addReserved).execute(arguments: [
                    reservation.userID, amount.rawValue, at,
                ])
                return total
            }
        } catch let error as DatabaseError {
            throw failure(
                error, "cannot extend the reservation of request '\(reservation.requestID)' by \(amount)",
                "the reservation is unchanged")
        }
        var extended = reservation
        extended.amount = total
        return extended
    }

    /// Turns the reservation (every `reserve` row of the request) into `actualCost` of spend and releases the rest
    /// (or, if the cost overran the reservation, records a negative release). Not cancelled with the calling task:
    /// money is always settled.
    ///
    /// The reserved amount is taken from the ledger's `reserve` rows, not from `reservation.amount`. With a writer,
    /// it returns once the settlement is queued (it commits with the events that follow it; an error then is
    /// logged, and the reservation stays open for the next start-up to settle). Without one, a passing database
    /// fault is retried ``Configuration/settleAttempts`` times; then the settlement is parked in memory and written
    /// by ``run()`` once the database recovers.
    /// - Throws: ``LedgerError`` `ledger_unavailable` when the settlement was parked (nothing is lost);
    ///   `ledger_unknown_reservation`, `ledger_reservation_already_settled` or `ledger_invalid_amount` (negative
    ///   cost); `ledger_database_error` for any other failure (the reservation stays open and is settled at its
    ///   reserved amount at the next start-up).
    public func settle(_ reservation: BudgetReservation, actualCost: MicroDollars) async throws {
        guard actualCost >= .zero else {
            throw LedgerError(
                .invalidAmount,
                "cannot settle request '\(reservation.requestID)' at a negative cost (\(actualCost))")
        }
        try checkNotParked(reservation)
        let settlement = Settlement(
            reservation: reservation, actualCost: actualCost, at: LedgerTimestamp.string(from: now()))
        if let writer {
            let logger = logger
            writer.submit(
                BudgetWrite(faults: .keepUntilWritten, apply: { db in try Self.write(settlement, in: db) }) { result in
                    guard case .failure(let error) = result else { return }
                    logger.error(
                        "settlement not written; the reservation stays open until the next start-up settles it",
                        metadata: ["request_id": "\(reservation.requestID)", "error": "\(error)"])
                })
            return
        }
        var failures = 0
        while true {
            do {
                try await write(settlement)
                await writeParkedSettlementsIfAny()
                return
            } catch let error as DatabaseError where LedgerFault.isRetryable(error) {
                failures += 1
                guard failures < configuration.settleAttempts else { throw park(settlement, cause: error) }
                await LedgerTime.pause(for: configuration.backoff.delay(afterFailures: failures), on: clock)
            } catch let error as DatabaseError {
                throw LedgerError(
                    .databaseError,
                    "cannot settle request '\(reservation.requestID)' in '\(database.path)': \(error). The "
                        + "reservation stays open; it is settled at its reserved amount at the next start-up.")
            }
        }
    }

    /// The user's limit, spent and reserved amounts, as committed.
    public func status(userID: String) async throws -> BudgetStatus {
        let defaultLimit = defaultLimit
        return try await database.pool.read { db in try Self.status(of: userID, in: db, defaultLimit: defaultLimit) }
    }

    /// The `ledger.note` of a `reserve` row written by ``extend(_:by:)``.
    public static let extensionNote = "extension of the reservation"

    /// Writes one settlement in its own transaction.
    func write(_ settlement: Settlement) async throws {
        _ = try await database.shortWriteTransaction(.uncancellable) { db in try Self.write(settlement, in: db) }
    }

    /// The rows of a settlement. - Returns: the amount settled.
    private static func write(_ settlement: Settlement, in db: Database) throws -> MicroDollars {
        let reservation = settlement.reservation
        let reserved = try openReservation(reservation, in: db)
        try close(
            userID: reservation.userID, requestID: reservation.requestID, reserved: reserved,
            actual: settlement.actualCost, note: nil, at: settlement.at, in: db)
        return settlement.actualCost
    }

    /// Runs a reservation's `body` in the writer's next group commit when there is a writer, else in a
    /// transaction of its own at once.
    private func write(
        _ faults: BudgetWrite.FaultHandling, _ cancellation: LedgerDatabase.WriteCancellation,
        _ body: @escaping @Sendable (Database) throws -> MicroDollars
    ) async throws -> MicroDollars {
        guard let writer else { return try await database.shortWriteTransaction(cancellation, body) }
        // Not cancellable: once queued, the write may commit, and its caller must learn that to settle it.
        return try await withCheckedThrowingContinuation { continuation in
            writer.submit(BudgetWrite(faults: faults, apply: body) { continuation.resume(with: $0) })
        }
    }

    /// `ledger_unavailable` for a passing fault, else `ledger_database_error`.
    private func failure(_ error: DatabaseError, _ what: String, _ consequence: String) -> LedgerError {
        guard LedgerFault.isRetryable(error) else {
            return LedgerError(.databaseError, "\(what) in '\(database.path)': \(error)")
        }
        return LedgerError(
            .unavailable,
            "\(what): the ledger at '\(database.path)' cannot be written now (\(error)); \(consequence). Try again "
                + "later: the ledger recovers by itself when the cause (a lock, a full disk) goes away.")
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

    /// Whether `spent + reserved + amount <= limit`, without overflowing (an overflow does not fit).
    static func fits(_ amount: MicroDollars, in status: BudgetStatus) -> Bool {
        guard let committed = sum(status.spent, status.reserved), let total = sum(committed, amount) else {
            return false
        }
        return total <= status.limit
    }

    /// `a + b`, or `nil` if it overflows.
    static func sum(_ a: MicroDollars, _ b: MicroDollars) -> MicroDollars? {
        let (total, overflow) = a.rawValue.addingReportingOverflow(b.rawValue)
        return overflow ? nil : MicroDollars(total)
    }

    private static func hasReservation(_ requestID: String, in db: Database) throws -> Bool {
        try Row.fetchCursor(db.cachedStatement(sql: selectReserveRow), arguments: [requestID]).next() != nil
    }

    /// The sum of the reservation's `reserve` rows, checking that it exists and is not settled yet.
    private static func openReservation(_ reservation: BudgetReservation, in db: Database) throws -> MicroDollars {
        var reserved: MicroDollars?
        var settled = false
        let rows = try Row.fetchCursor(db.cachedStatement(sql: selectReservation), arguments: [reservation.requestID])
        while let row = try rows.next() {
            let kind: String = row[0]
            let userID: String = row[2]
            guard userID == reservation.userID else { continue }
            guard kind == "reserve" else {
                settled = true
                continue
            }
            guard let total = sum(reserved ?? .zero, MicroDollars(row[1] as Int64)) else {
                throw LedgerError(
                    .invalidAmount, "the reservation of request '\(reservation.requestID)' overflows a 64-bit sum")
            }
            reserved = total
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
        // Both are zero or more, so the difference cannot overflow.
        let released = MicroDollars(reserved.rawValue - actual.rawValue)
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
    private static let selectReserveRow = """
        SELECT 1 FROM ledger WHERE request_id = ? AND kind = 'reserve' LIMIT 1
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
