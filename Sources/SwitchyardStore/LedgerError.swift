/// Something the ledger could not do: open or migrate its database, record events, or move money.
///
/// Compare ``code`` (stable across releases) rather than the message, which is for people:
///
/// ```swift
/// do { try await budgets.settle(reservation, actualCost: cost) }
/// catch let error as LedgerError where error.code == .reservationAlreadySettled { ... }
/// ```
public struct LedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code. Its `rawValue` is what the HTTP and CLI layers print.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The database file could not be opened or configured.
        public static let openFailed = Code(rawValue: "ledger_open_failed")
        /// Applying a migration failed; the database is left at the last good migration.
        public static let migrationFailed = Code(rawValue: "ledger_migration_failed")
        /// The database was migrated by a newer Switchyard that knows migrations this one does not.
        public static let schemaTooNew = Code(rawValue: "ledger_schema_too_new")
        /// The database has not been migrated to the schema this binary expects.
        public static let schemaOutdated = Code(rawValue: "ledger_schema_outdated")
        /// Events could not be committed; the request they belong to must not be reported as recorded.
        public static let writeFailed = Code(rawValue: "ledger_write_failed")
        /// The event writer has stopped (shutdown), so events can no longer be made durable.
        public static let writerStopped = Code(rawValue: "ledger_writer_stopped")
        /// `run()` was called on a sink that is already running or has already run.
        public static let writerAlreadyRunning = Code(rawValue: "ledger_writer_already_running")
        /// A money amount was negative where only zero or more makes sense.
        public static let invalidAmount = Code(rawValue: "ledger_invalid_amount")
        /// A request id was reserved twice.
        public static let duplicateReservation = Code(rawValue: "ledger_duplicate_reservation")
        /// A settle named a reservation that the ledger does not have.
        public static let unknownReservation = Code(rawValue: "ledger_unknown_reservation")
        /// A reservation was settled twice.
        public static let reservationAlreadySettled = Code(rawValue: "ledger_reservation_already_settled")
        /// The ledger cannot write now (a lock held past the busy time-out, a full disk, a full backlog); it retries
        /// by itself and recovers when the cause goes away. Nothing was lost; try the request again later.
        public static let unavailable = Code(rawValue: "ledger_unavailable")
        /// Another process serves from the same ledger file (it holds `<database>.lock`); only one may, or each
        /// would settle the other's reservations. Stop it, or give this one another database file.
        public static let inUse = Code(rawValue: "ledger_in_use")
        /// Any other database failure; the message carries SQLite's own explanation.
        public static let databaseError = Code(rawValue: "ledger_database_error")
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// What went wrong and what to do about it, for people.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
