import GRDB
public import Logging
public import SwitchyardCore
import Synchronization

public import struct Foundation.Date

/// Budgets per user, API key and team, over a lifetime or a calendar window, enforced from the ledger: every
/// reservation and settlement is a row in `ledger` (with the request's user, key and team), and the figures kept
/// for speed (`budgets`, `budget_scopes`, `budget_windows`) are updated in the same transaction.
///
/// ``reserve(_:requestID:amount:)`` runs one write transaction that reads every limit of every scope of the request
/// (user, key, team; lifetime and calendar windows), checks `spent + reserved + amount <= limit` for each, appends
/// one `reserve` ledger row and adds to every scope's `reserved`. SQLite allows one writer at a time and the pool
/// has one writer connection, so reservations are strictly serial: no number of concurrent requests can reserve
/// past any limit of any scope. ``extend(_:by:)`` reserves more the same way, as another `reserve` row.
/// ``settle(_:actualCost:)`` appends `settle` (the actual cost) and `release` (the rest of every `reserve` row of
/// the request) rows and moves the amounts from `reserved` to `spent`, lifetime and in every stored window.
///
/// A calendar window's spend is the settlements and adjustments inside it (``BudgetPeriod``): a request's cost
/// counts in the window where it is settled, and every open reservation counts against the current window, so a
/// request that starts before midnight and ends after still cannot take either day past its limit.
///
/// ```swift
/// let budgets = SQLiteBudgetStore(database: database, defaults: BudgetDefaults(userLifetimeLimit: 1_000_000))
/// _ = try await budgets.recoverOpenReservations()          // once at start-up, holding the LedgerServeLock
/// // run `budgets.run()` as a service: it writes settlements parked during a database fault
/// let alice = BudgetSubject(userID: "alice", keyID: "7", team: "research")
/// let reservation = try await budgets.reserve(alice, requestID: "req-1", amount: 2_500)
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
    /// The limits of scopes without their own, and the time zone of calendar windows.
    public let defaults: BudgetDefaults
    /// Percentages of a limit whose crossing records a budget alert (see ``BudgetAlertStore``); empty for none.
    public let alertThresholds: [Int]
    public let database: LedgerDatabase
    /// The ledger writer that commits reservations and settlements with the events, if any.
    let writer: LedgerEventSink?
    let configuration: Configuration
    let clock: any Clock<Duration>
    let logger: Logger
    let now: @Sendable () -> Date
    let parking = Mutex(Parking())
    /// Told after a commit that recorded budget alerts, so that whoever sends them need not poll.
    public let alertsRecorded = LedgerSignal()

    /// - Parameters:
    ///   - database: the ledger.
    ///   - writer: the ledger's event writer, to commit reservations and settlements in its group commits (see
    ///     "With a writer" above); `nil` to run each in a transaction of its own.
    ///   - defaults: the limits of scopes without their own; users $1.00 over their lifetime unless given.
    ///   - alertThresholds: percentages of a limit (e.g. 50, 80, 100) at which a settlement records a budget alert,
    ///     once per scope, window and threshold; none unless given.
    ///   - configuration: settlement retries and parking.
    ///   - clock: what retry waits are measured on; injectable for tests.
    ///   - logger: where parked settlements and recoveries are reported.
    ///   - now: the wall clock for `at` and `updated_at` columns; injectable for tests.
    public init(
        database: LedgerDatabase,
        writer: LedgerEventSink? = nil,
        defaults: BudgetDefaults = BudgetDefaults(),
        alertThresholds: [Int] = [],
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "switchyard.budgets"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.writer = writer
        self.defaults = defaults
        self.alertThresholds = Array(Set(alertThresholds.filter { $0 > 0 })).sorted()
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.now = now
    }

    /// As ``init(database:writer:defaults:alertThresholds:configuration:clock:logger:now:)`` with users' lifetime
    /// limit `defaultLimit` as the only default.
    public convenience init(
        database: LedgerDatabase,
        writer: LedgerEventSink? = nil,
        defaultLimit: MicroDollars,
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "switchyard.budgets"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(
            database: database, writer: writer, defaults: BudgetDefaults(userLifetimeLimit: defaultLimit),
            configuration: configuration, clock: clock, logger: logger, now: now)
    }

    /// Reserves `amount` for `requestID` from every scope of `subject`, atomically with the check of every limit.
    ///
    /// - Returns: the reservation, with the tightest limit right after it.
    /// - Throws: `BudgetExceededError` (the first limit that refused, with its figures at that moment) when the
    ///   reservation would pass a limit; ``LedgerError`` `ledger_unavailable` when the database cannot be written
    ///   now (nothing was reserved; try again later), `ledger_invalid_amount` for a negative amount,
    ///   `ledger_duplicate_reservation` when the request id already has a reservation.
    public func reserve(_ subject: BudgetSubject, requestID: String, amount: MicroDollars) async throws
        -> BudgetReservation
    {
        guard amount >= .zero else {
            throw LedgerError(.invalidAmount, "cannot reserve a negative amount (\(amount)) for request '\(requestID)'")
        }
        let at = LedgerTimestamp.string(from: now())
        let defaults = defaults
        let outcome: BudgetWrite.Outcome
        do {
            outcome = try await write(.failFast, .cancellable) { db in
                guard try !Self.hasReservation(requestID, in: db) else {
                    throw LedgerError(
                        .duplicateReservation,
                        "request '\(requestID)' already has a reservation; reserve once per request id (extend it "
                            + "to reserve more)")
                }
                let tightest = try Self.reserve(amount, from: subject, at: at, defaults: defaults, in: db)
                try Self.appendLedger(db, subject, requestID: requestID, kind: "reserve", amount: amount, at: at)
                return BudgetWrite.Outcome(amount: amount, tightest: tightest)
            }
        } catch let error as DatabaseError {
            throw failure(error, "cannot reserve \(amount) for request '\(requestID)'", "nothing was reserved")
        }
        await writeParkedSettlementsIfAny()
        return BudgetReservation(subject: subject, requestID: requestID, amount: amount, tightest: outcome.tightest)
    }

    /// Reserves `amount` more for a request that holds an open reservation, atomically with the check of every
    /// limit, as another `reserve` row (note ``extensionNote``).
    ///
    /// - Returns: the reservation with its new total: the sum of the request's `reserve` rows.
    /// - Throws: `BudgetExceededError` when the extra amount would pass a limit (nothing is written);
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
        let defaults = defaults
        let outcome: BudgetWrite.Outcome
        do {
            outcome = try await write(.failFast, .cancellable) { db in
                let open = try Self.openReservation(reservation, in: db)
                guard amount > .zero else {
                    return BudgetWrite.Outcome(amount: open.amount, tightest: reservation.tightest)
                }
                let tightest = try Self.reserve(amount, from: open.subject, at: at, defaults: defaults, in: db)
                guard let total = Self.sum(open.amount, amount) else {
                    // Its rows are undone with the error, as for any refusal.
                    throw BudgetExceededError(
                        status: tightest ?? BudgetStatus(
                            userID: open.subject.userID, limit: .zero, spent: .zero, reserved: open.amount),
                        requested: amount)
                }
                try Self.appendLedger(
                    db, open.subject, requestID: reservation.requestID, kind: "reserve", amount: amount,
                    note: Self.extensionNote, at: at)
                return BudgetWrite.Outcome(amount: total, tightest: tightest)
            }
        } catch let error as DatabaseError {
            throw failure(
                error, "cannot extend the reservation of request '\(reservation.requestID)' by \(amount)",
                "the reservation is unchanged")
        }
        var extended = reservation
        extended.amount = outcome.amount
        extended.tightest = outcome.tightest
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
            let alertsRecorded = alertsRecorded
            writer.submit(
                BudgetWrite(faults: .keepUntilWritten, apply: { [alertCheck] db in
                    try Self.write(settlement, alerts: alertCheck, in: db)
                }) { result in
                    guard case .failure(let error) = result else {
                        if (try? result.get().alerts) ?? 0 > 0 { alertsRecorded.notify() }
                        return
                    }
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

    /// Every limit of every scope of `subject` with its figures as committed, in checking order.
    public func statuses(of subject: BudgetSubject) async throws -> [BudgetStatus] {
        let at = LedgerTimestamp.string(from: now())
        let defaults = defaults
        return try await database.pool.read { db in
            try Self.statuses(of: subject, at: at, defaults: defaults, caching: false, in: db)
        }
    }

    /// The `ledger.note` of a `reserve` row written by ``extend(_:by:)``.
    public static let extensionNote = "extension of the reservation"

    /// Writes one settlement in its own transaction.
    func write(_ settlement: Settlement) async throws {
        let outcome = try await database.shortWriteTransaction(.uncancellable) { [alertCheck] db in
            try Self.write(settlement, alerts: alertCheck, in: db)
        }
        if outcome.alerts > 0 { alertsRecorded.notify() }
    }

    /// The rows of a settlement, and the alerts it crosses. - Returns: the amount settled.
    private static func write(
        _ settlement: Settlement, alerts: AlertCheck?, in db: Database
    ) throws -> BudgetWrite.Outcome {
        let reservation = settlement.reservation
        let open = try openReservation(reservation, in: db)
        try close(
            open.subject, requestID: reservation.requestID, reserved: open.amount, actual: settlement.actualCost,
            note: nil, at: settlement.at, in: db)
        let recorded =
            try alerts?.record(for: open.subject, requestID: reservation.requestID, at: settlement.at, in: db) ?? 0
        return BudgetWrite.Outcome(amount: settlement.actualCost, tightest: nil, alerts: recorded)
    }

    /// What a settlement needs to record the alerts it crosses; `nil` when no thresholds are configured.
    var alertCheck: AlertCheck? {
        alertThresholds.isEmpty ? nil : AlertCheck(thresholds: alertThresholds, defaults: defaults)
    }

    /// Runs a reservation's `body` in the writer's next group commit when there is a writer, else in a
    /// transaction of its own at once.
    private func write(
        _ faults: BudgetWrite.FaultHandling, _ cancellation: LedgerDatabase.WriteCancellation,
        _ body: @escaping @Sendable (Database) throws -> BudgetWrite.Outcome
    ) async throws -> BudgetWrite.Outcome {
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

    /// Checks `amount` against every limit of `subject` and adds it to every scope's reserved figure.
    /// - Returns: the tightest limit with `amount` reserved.
    static func reserve(
        _ amount: MicroDollars, from subject: BudgetSubject, at: String, defaults: BudgetDefaults, in db: Database
    ) throws -> BudgetStatus? {
        let statuses = try statuses(of: subject, at: at, defaults: defaults, caching: true, in: db)
        if let refusing = statuses.first(where: { !$0.fits(amount) }) {
            throw BudgetExceededError(status: refusing, requested: amount)
        }
        try addReserved(amount, to: subject, at: at, in: db)
        return BudgetStatus.tightest(statuses.map { status in
            var status = status
            status.reserved += amount
            return status
        })
    }

    /// `a + b`, or `nil` if it overflows.
    static func sum(_ a: MicroDollars, _ b: MicroDollars) -> MicroDollars? {
        let (total, overflow) = a.rawValue.addingReportingOverflow(b.rawValue)
        return overflow ? nil : MicroDollars(total)
    }

    private static func hasReservation(_ requestID: String, in db: Database) throws -> Bool {
        try Row.fetchCursor(db.cachedStatement(sql: selectReserveRow), arguments: [requestID]).next() != nil
    }

    /// The sum of the reservation's `reserve` rows and the scopes they were reserved from, checking that it
    /// exists and is not settled yet.
    private static func openReservation(_ reservation: BudgetReservation, in db: Database) throws
        -> (amount: MicroDollars, subject: BudgetSubject)
    {
        var reserved: MicroDollars?
        var subject = reservation.subject
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
            subject = BudgetSubject(userID: userID, keyID: row[3], team: row[4])
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
        return (reserved, subject)
    }

    /// Appends `settle` and (if not zero) `release` rows and moves the reservation out of every scope's `reserved`
    /// into its spend.
    static func close(
        _ subject: BudgetSubject, requestID: String, reserved: MicroDollars, actual: MicroDollars, note: String?,
        at: String, in db: Database
    ) throws {
        try appendLedger(db, subject, requestID: requestID, kind: "settle", amount: actual, note: note, at: at)
        // Both are zero or more, so the difference cannot overflow.
        let released = MicroDollars(reserved.rawValue - actual.rawValue)
        if released != .zero {
            try appendLedger(db, subject, requestID: requestID, kind: "release", amount: released, at: at)
        }
        try addSpent(actual, releasing: reserved, to: subject, at: at, in: db)
    }

    static func appendLedger(
        _ db: Database, _ subject: BudgetSubject, requestID: String?, kind: String, amount: MicroDollars,
        note: String? = nil, at: String
    ) throws {
        try db.cachedStatement(sql: insertLedger).execute(arguments: [
            subject.userID, subject.keyID, subject.team, requestID, kind, amount.rawValue, note, at,
        ])
    }

    private static let selectReserveRow = """
        SELECT 1 FROM ledger WHERE request_id = ? AND kind = 'reserve' LIMIT 1
        """
    private static let selectReservation = """
        SELECT kind, amount_usd_micros, user_id, key_id, team FROM ledger
        WHERE request_id = ? AND kind IN ('reserve', 'settle')
        """
    private static let insertLedger = """
        INSERT INTO ledger (user_id, key_id, team, request_id, kind, amount_usd_micros, note, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
}
