public import Logging
import PostgresNIO
public import SwitchyardCore
public import SwitchyardStore
import Synchronization

public import struct Foundation.Date

/// Budgets per user, API key and team on a PostgreSQL ledger shared by several instances, with the same rows and
/// the same guarantee as ``SQLiteBudgetStore``: no number of concurrent requests, on any number of instances, can
/// reserve past any limit of any scope.
///
/// Each reservation, extension and settlement is one short transaction. It first locks the figures row of every
/// scope of the request (`budgets` for the user, `budget_scopes` for its key and team), always in the order user,
/// key, team, so that two transactions never wait for each other in a cycle; then it reads the limits and the spend
/// in each calendar window from the ledger, checks `spent + reserved + amount <= limit` for every one, appends the
/// `ledger` row and moves the figures. Two reservations for the same user, key or team are thus serialised by the
/// database, whichever instances make them.
///
/// A `reserve` row carries the instance's id (`ledger.instance_id`). Reservations an instance leaves open when it
/// dies are settled at their reserved amount by a survivor once the instance's lease expires
/// (``PostgresInstanceLease``), the crash rule of the SQLite store; settlements that fail on a passing fault are
/// retried, then parked and written by ``writeParkedSettlements()`` (the lease's heartbeat calls it).
///
/// Unlike the SQLite store it keeps no `budget_windows` rows: a window's spend is summed from the ledger by index
/// (`ledger_user_at`, `ledger_key_at`, `ledger_team_at`) inside the transaction that holds the scope's lock, which
/// is exact under concurrency without a second figure to keep in step.
public final class PostgresBudgetStore: BudgetStore {
    public let ledger: PostgresLedger
    /// Written on every reservation: whose it is, for the crash rule.
    public let instanceID: String
    public let defaults: BudgetDefaults
    /// Percentages of a limit whose crossing records a budget alert (see `PostgresBudgetAlertStore`); empty for none.
    public let alertThresholds: [Int]
    /// Told after a commit of this store that recorded budget alerts, so that whoever sends them need not poll.
    /// (Alerts another instance records are found by polling: `budget_alerts` is shared.)
    public let alertsRecorded = LedgerSignal()
    let settleAttempts: Int
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    let parked = Mutex<[Settlement]>([])

    struct Settlement: Sendable {
        var reservation: BudgetReservation
        var actualCost: MicroDollars
        var at: String
    }

    /// - Parameters:
    ///   - ledger: the PostgreSQL ledger.
    ///   - instanceID: this instance's id, as registered by its ``PostgresInstanceLease``.
    ///   - defaults: the limits of scopes without their own; users $1.00 over their lifetime unless given.
    ///   - alertThresholds: percentages of a limit (e.g. 50, 80, 100) at which a settlement records a budget alert,
    ///     once per scope, window and threshold whichever instance settles; none unless given.
    ///   - settleAttempts: how often a settlement is tried on a passing fault before it is parked.
    ///   - clock: what the waits between those tries are measured on.
    ///   - now: the wall clock for `at` and `updated_at`; injectable for tests.
    public init(
        ledger: PostgresLedger,
        instanceID: String,
        defaults: BudgetDefaults = BudgetDefaults(),
        alertThresholds: [Int] = [],
        settleAttempts: Int = 3,
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.ledger = ledger
        self.instanceID = instanceID
        self.defaults = defaults
        self.alertThresholds = BudgetAlertCrossing.normalized(alertThresholds)
        self.settleAttempts = max(1, settleAttempts)
        self.clock = clock
        self.now = now
    }

    public func reserve(_ subject: BudgetSubject, requestID: String, amount: MicroDollars) async throws
        -> BudgetReservation
    {
        guard amount >= .zero else {
            throw LedgerError(.invalidAmount, "cannot reserve a negative amount (\(amount)) for request '\(requestID)'")
        }
        let at = LedgerTimestamp.string(from: now())
        let tightest = try await write("cannot reserve \(amount) for request '\(requestID)'", "nothing was reserved") {
            connection in
            let statuses = try await lockedStatuses(of: subject, at: at, on: connection)
            guard try await connection.query(
                "SELECT 1 FROM ledger WHERE request_id = \(requestID) AND kind = 'reserve' LIMIT 1",
                logger: ledger.logger
            ).collect().isEmpty else {
                throw LedgerError(
                    .duplicateReservation,
                    "request '\(requestID)' already has a reservation; reserve once per request id (extend it to "
                        + "reserve more)")
            }
            return try await reserve(
                amount, subject: subject, requestID: requestID, statuses: statuses, note: nil, at: at, on: connection)
        }
        return BudgetReservation(subject: subject, requestID: requestID, amount: amount, tightest: tightest)
    }

    public func extend(_ reservation: BudgetReservation, by amount: MicroDollars) async throws -> BudgetReservation {
        guard amount >= .zero else {
            throw LedgerError(
                .invalidAmount,
                "cannot extend the reservation of request '\(reservation.requestID)' by a negative amount (\(amount))")
        }
        let at = LedgerTimestamp.string(from: now())
        let (total, tightest) = try await write(
            "cannot extend the reservation of request '\(reservation.requestID)' by \(amount)",
            "the reservation is unchanged"
        ) { connection -> (MicroDollars, BudgetStatus?) in
            let statuses = try await lockedStatuses(of: reservation.subject, at: at, on: connection)
            let open = try await openReservation(reservation, on: connection)
            guard amount > .zero else { return (open, reservation.tightest) }
            guard let total = open.adding(amount) else {
                throw LedgerError(
                    .invalidAmount, "the reservation of request '\(reservation.requestID)' overflows a 64-bit sum")
            }
            let tightest = try await reserve(
                amount, subject: reservation.subject, requestID: reservation.requestID, statuses: statuses,
                note: SQLiteBudgetStore.extensionNote, at: at, on: connection)
            return (total, tightest)
        }
        var extended = reservation
        extended.amount = total
        extended.tightest = tightest
        return extended
    }

    /// Settles in a transaction of its own, retrying a passing fault ``settleAttempts`` times; then parks the
    /// settlement (written later by ``writeParkedSettlements()``) and throws `ledger_unavailable`. Not cancelled
    /// with the calling task: money is always settled.
    public func settle(_ reservation: BudgetReservation, actualCost: MicroDollars) async throws {
        guard actualCost >= .zero else {
            throw LedgerError(
                .invalidAmount, "cannot settle request '\(reservation.requestID)' at a negative cost (\(actualCost))")
        }
        let settlement = Settlement(
            reservation: reservation, actualCost: actualCost, at: LedgerTimestamp.string(from: now()))
        let task = Task { try await settleRetrying(settlement) }
        try await task.value
    }

    private func settleRetrying(_ settlement: Settlement) async throws {
        var failures = 0
        while true {
            do {
                try await write(settlement, note: nil)
                return
            } catch let error as LedgerError where error.code == .unavailable {
                failures += 1
                guard failures < settleAttempts else {
                    parked.withLock { $0.append(settlement) }
                    throw LedgerError(
                        .unavailable,
                        "the settlement of request '\(settlement.reservation.requestID)' is kept and written when "
                            + "the database recovers: \(error.message)")
                }
                try? await clock.sleep(for: .milliseconds(50 << min(failures, 5)))
            }
        }
    }

    /// Writes the settlements parked during a fault; those that fail again stay parked.
    /// - Returns: how many are still parked.
    @discardableResult
    public func writeParkedSettlements() async -> Int {
        let settlements = parked.withLock { parked in
            defer { parked = [] }
            return parked
        }
        var failed: [Settlement] = []
        for settlement in settlements {
            do {
                try await write(settlement, note: nil)
            } catch let error as LedgerError where error.code == .unavailable {
                failed.append(settlement)
            } catch {
                ledger.logger.error(
                    "parked settlement rejected; the reservation is settled at its reserved amount once this instance stops",
                    metadata: ["request_id": "\(settlement.reservation.requestID)", "error": "\(error)"])
            }
        }
        return parked.withLock { parked in
            parked.insert(contentsOf: failed, at: 0)
            return parked.count
        }
    }

    public func statuses(of subject: BudgetSubject) async throws -> [BudgetStatus] {
        let at = LedgerTimestamp.string(from: now())
        return try await ledger.connection { connection in
            var statuses: [BudgetStatus] = []
            for (scope, id) in subject.scopes {
                let figures = try await figures(scope, id, locking: false, at: at, on: connection)
                statuses += try await self.statuses(scope, id, figures: figures, at: at, on: connection)
            }
            return statuses
        }
    }

    // MARK: Steps inside a transaction

    /// Writes one settlement: `settle` and `release` rows, figures moved, and the budget alerts it crosses (tells
    /// ``alertsRecorded`` after the commit when there are some).
    /// - Parameter note: the settle row's note (the crash rule's). A settlement by the crash rule records no
    ///   alerts, as the SQLite store's recovery at start-up does not.
    func write(_ settlement: Settlement, note: String?) async throws {
        let reservation = settlement.reservation
        let alerts = try await write("cannot settle request '\(reservation.requestID)'", "the reservation stays open") {
            connection in
            _ = try await lockedStatuses(of: reservation.subject, at: settlement.at, on: connection, readLimits: false)
            let reserved = try await openReservation(reservation, on: connection)
            try await close(
                reservation.subject, requestID: reservation.requestID, reserved: reserved,
                actual: settlement.actualCost, note: note, at: settlement.at, on: connection)
            guard note == nil else { return 0 }
            return try await recordAlerts(
                for: reservation.subject, requestID: reservation.requestID, at: settlement.at, on: connection)
        }
        if alerts > 0 { alertsRecorded.notify() }
    }

    /// Checks `amount` against `statuses`, appends a `reserve` row and adds it to every scope's reserved figure.
    private func reserve(
        _ amount: MicroDollars, subject: BudgetSubject, requestID: String, statuses: [BudgetStatus], note: String?,
        at: String, on connection: PostgresConnection
    ) async throws -> BudgetStatus? {
        if let refusing = statuses.first(where: { !$0.fits(amount) }) {
            throw BudgetExceededError(status: refusing, requested: amount)
        }
        for (scope, id) in subject.scopes {
            try await connection.query(
                scope == .user
                    ? """
                    UPDATE budgets SET reserved_usd_micros = reserved_usd_micros + \(amount.rawValue),
                        updated_at = \(at) WHERE user_id = \(id)
                    """
                    : """
                    UPDATE budget_scopes SET reserved_usd_micros = reserved_usd_micros + \(amount.rawValue),
                        updated_at = \(at) WHERE scope = \(scope.rawValue) AND scope_id = \(id)
                    """, logger: ledger.logger)
        }
        try await appendLedger(subject, requestID: requestID, kind: "reserve", amount: amount, note: note, at: at, on: connection)
        return BudgetStatus.tightest(statuses.map { status in
            var status = status
            status.reserved += amount
            return status
        })
    }

    /// Appends `settle` and (if not zero) `release` rows and moves the reservation from every scope's reserved
    /// figure into its spend.
    func close(
        _ subject: BudgetSubject, requestID: String, reserved: MicroDollars, actual: MicroDollars, note: String?,
        at: String, on connection: PostgresConnection
    ) async throws {
        try await appendLedger(subject, requestID: requestID, kind: "settle", amount: actual, note: note, at: at, on: connection)
        // Both are zero or more, so the difference cannot overflow.
        let released = MicroDollars(reserved.rawValue - actual.rawValue)
        if released != .zero {
            try await appendLedger(
                subject, requestID: requestID, kind: "release", amount: released, note: nil, at: at, on: connection)
        }
        for (scope, id) in subject.scopes {
            try await connection.query(
                scope == .user
                    ? """
                    UPDATE budgets SET spent_usd_micros = spent_usd_micros + \(actual.rawValue),
                        reserved_usd_micros = reserved_usd_micros - \(reserved.rawValue), updated_at = \(at)
                    WHERE user_id = \(id)
                    """
                    : """
                    UPDATE budget_scopes SET spent_usd_micros = spent_usd_micros + \(actual.rawValue),
                        reserved_usd_micros = reserved_usd_micros - \(reserved.rawValue), updated_at = \(at)
                    WHERE scope = \(scope.rawValue) AND scope_id = \(id)
                    """, logger: ledger.logger)
        }
    }

    private func appendLedger(
        _ subject: BudgetSubject, requestID: String?, kind: String, amount: MicroDollars, note: String?, at: String,
        on connection: PostgresConnection
    ) async throws {
        let instance: String? = kind == "reserve" ? instanceID : nil
        try await connection.query(
            """
            INSERT INTO ledger (user_id, key_id, team, request_id, kind, amount_usd_micros, note, at, instance_id)
            VALUES (\(subject.userID), \(subject.keyID), \(subject.team), \(requestID), \(kind), \(amount.rawValue),
                    \(note), \(at), \(instance))
            """, logger: ledger.logger)
    }

    /// The sum of the request's `reserve` rows, checking that it has some and no `settle` row yet.
    private func openReservation(_ reservation: BudgetReservation, on connection: PostgresConnection) async throws
        -> MicroDollars
    {
        var reserved: MicroDollars?
        var settled = false
        let rows = try await connection.query(
            """
            SELECT kind, amount_usd_micros FROM ledger
            WHERE request_id = \(reservation.requestID) AND user_id = \(reservation.userID)
              AND kind IN ('reserve', 'settle')
            """, logger: ledger.logger)
        for try await (kind, amount) in rows.decode((String, Int64).self) {
            guard kind == "reserve" else {
                settled = true
                continue
            }
            guard let total = (reserved ?? .zero).adding(MicroDollars(amount)) else {
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

    /// Runs `body` in a transaction; a database error becomes `ledger_unavailable` (a passing fault) or
    /// `ledger_database_error`, with `what` and its `consequence`. A refusal (`BudgetExceededError`, a
    /// `LedgerError`) comes out as it is.
    func write<Result: Sendable>(
        _ what: String, _ consequence: String, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await ledger.transaction(body)
        } catch let error as BudgetExceededError {
            throw error
        } catch let error as LedgerError {
            throw error
        } catch where PostgresFault.sqlState(error) == "23505" {
            // A unique index caught a second settle or release: another instance settled it first.
            throw LedgerError(
                .reservationAlreadySettled, "\(what): the reservation is already settled (by another instance)")
        } catch where PostgresFault.isRetryable(error) {
            throw LedgerError(
                .unavailable,
                "\(what): the ledger at \(ledger.location) cannot be written now (\(PostgresFault.describe(error))); "
                    + "\(consequence). Try again later: it recovers by itself when the database does.")
        } catch {
            throw LedgerError(.databaseError, "\(what) in \(ledger.location): \(PostgresFault.describe(error))")
        }
    }
}

extension MicroDollars {
    /// `self + other`, or `nil` if it overflows.
    func adding(_ other: MicroDollars) -> MicroDollars? {
        let (total, overflow) = rawValue.addingReportingOverflow(other.rawValue)
        return overflow ? nil : MicroDollars(total)
    }
}
