public import Logging
import NIOCore
public import PostgresNIO
import SwitchyardStore

/// A connection pool to the PostgreSQL ledger, open for as long as the value lives in its scope: what every part of
/// the PostgreSQL store (events, budgets, leases, reports) runs its statements on.
///
/// ``withLedger(_:logger:_:)`` opens it (the pool's `run()` in a task of its own), applies the migrations under an
/// advisory lock so several instances can start at once, runs `body` and closes the pool however `body` ends.
///
/// ```swift
/// let location = try PostgresLocation(url: "postgresql://switchyard@127.0.0.1/switchyard", environment: [:])
/// try await PostgresLedger.withLedger(location) { ledger in
///     let budgets = PostgresBudgetStore(ledger: ledger, instanceID: "a")
///     _ = try await budgets.reserve(userID: "alice", requestID: "req-1", amount: 2_500)
/// }
/// ```
public final class PostgresLedger: Sendable {
    /// Where the ledger is, for messages (the URL without its password).
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger

    private init(location: PostgresLocation, client: PostgresClient, logger: Logger) {
        self.location = location
        self.client = client
        self.logger = logger
    }

    /// Opens a pool to `location`, checks that the server answers, migrates the schema (unless `migrate` is
    /// false, then it only checks that it is current), runs `body`, and closes the pool.
    ///
    /// - Throws: ``LedgerError`` `ledger_open_failed` when the server cannot be reached or refuses the login,
    ///   `ledger_migration_failed`, `ledger_schema_too_new`, `ledger_schema_outdated` (with `migrate: false`),
    ///   and what `body` throws.
    public static func withLedger<Result: Sendable>(
        _ location: PostgresLocation,
        migrate: Bool = true,
        logger: Logger = Logger(label: "switchyard.postgres"),
        _ body: (PostgresLedger) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        let run = Task { await client.run() }
        defer { run.cancel() }
        let ledger = PostgresLedger(location: location, client: client, logger: logger)
        do {
            try await ledger.checkConnection()
            if migrate {
                try await PostgresMigrations.migrate(ledger)
            } else {
                try await PostgresMigrations.checkCurrent(ledger)
            }
        }
        let result = try await body(ledger)
        run.cancel()
        await run.value
        return result
    }

    private func checkConnection() async throws {
        do {
            try await client.query("SELECT 1", logger: logger)
        } catch {
            throw LedgerError(
                .openFailed,
                "cannot connect to the PostgreSQL ledger at \(location): \(PostgresFault.describe(error)). Check "
                    + "that the server runs and accepts this user (and the password variable, if it needs one).")
        }
    }

    /// Runs `body` in a transaction on one connection of the pool (committed when `body` returns, rolled back when
    /// it throws); the error `body` throws comes out unwrapped.
    func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Runs one statement on any connection and returns its rows.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }
}
