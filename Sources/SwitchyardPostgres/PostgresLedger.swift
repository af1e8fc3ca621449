public import Logging
import NIOCore
public import PostgresNIO
import SwitchyardStore
import Synchronization

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
    /// How long an operation waits for a connection of the pool (the server down, the pool exhausted) before it
    /// fails with `ledger_unavailable`. Once it has one, the statement runs to its end.
    public let connectionTimeout: Duration
    let client: PostgresClient
    let logger: Logger
    /// The pool's `run()`, for as long as the ledger is open.
    private let running: Task<Void, Never>

    private init(location: PostgresLocation, connectionTimeout: Duration, logger: Logger) {
        self.location = location
        self.connectionTimeout = connectionTimeout
        self.logger = logger
        // The pool's own messages (each failed connection attempt while the server is down) only at error level:
        // what a failure means for the ledger is logged by the writer and the stores.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: poolLogger)
        self.client = client
        running = Task { await client.run() }
    }

    /// What opening does with the schema.
    public enum SchemaHandling: Sendable {
        /// Apply the pending migrations (the service, and commands that write).
        case migrate
        /// Refuse a schema that is not exactly this binary's (commands that read).
        case requireCurrent
        /// Leave it as it is (`switchyard migrate --status`).
        case leave
    }

    /// Opens a pool to `location`, checks that the server answers, handles the schema as `schema` says, runs `body`,
    /// and closes the pool however `body` ends.
    ///
    /// - Throws: ``LedgerError`` `ledger_open_failed` when the server cannot be reached or refuses the login,
    ///   `ledger_migration_failed`, `ledger_schema_too_new`, `ledger_schema_outdated` (``SchemaHandling/requireCurrent``),
    ///   and what `body` throws.
    public static func withLedger<Result>(
        _ location: PostgresLocation,
        schema: SchemaHandling = .migrate,
        connectionTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "switchyard.postgres"),
        _ body: (PostgresLedger) async throws -> Result
    ) async throws -> Result {
        let ledger = try await open(location, schema: schema, connectionTimeout: connectionTimeout, logger: logger)
        do {
            let result = try await body(ledger)
            await ledger.close()
            return result
        } catch {
            await ledger.close()
            throw error
        }
    }

    /// Opens the ledger as ``withLedger(_:schema:connectionTimeout:logger:_:)`` does, for an owner that cannot keep
    /// it in one scope (a benchmark's fixture); it must ``close()`` it.
    public static func open(
        _ location: PostgresLocation,
        schema: SchemaHandling = .migrate,
        connectionTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "switchyard.postgres")
    ) async throws -> PostgresLedger {
        let ledger = PostgresLedger(location: location, connectionTimeout: connectionTimeout, logger: logger)
        do {
            try await ledger.checkConnection()
            switch schema {
            case .migrate: try await PostgresMigrations.migrate(ledger)
            case .requireCurrent: try await PostgresMigrations.checkCurrent(ledger)
            case .leave: break
            }
        } catch {
            await ledger.close()
            throw error
        }
        return ledger
    }

    /// Closes the pool's connections; operations after it fail.
    public func close() async {
        running.cancel()
        await running.value
    }

    private func checkConnection() async throws {
        do {
            _ = try await rows("SELECT 1")
        } catch {
            let cause =
                (error as? LedgerError)?.code == .unavailable
                ? "no connection within \(connectionTimeout)" : PostgresFault.describe(error)
            throw LedgerError(
                .openFailed,
                "cannot connect to the PostgreSQL ledger at \(location) (\(cause)): check that the server runs and "
                    + "listens there, and accepts this user and database (with the password of database.password_env, "
                    + "if it needs one)")
        }
    }

    /// Runs `body` in a transaction on one connection of the pool (committed when `body` returns, rolled back when
    /// it throws); the error `body` throws comes out unwrapped.
    func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await connection { connection in
                try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Runs one statement on any connection and returns its rows.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection { connection in try await connection.query(query, logger: logger).collect() }
    }

    /// Runs `body` with a connection of the pool, waiting at most ``connectionTimeout`` for one.
    /// - Throws: ``LedgerError`` `ledger_unavailable` when no connection came in time; what `body` throws.
    func connection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let wait = ConnectionWait()
        do {
            // The operation runs in a child task, so the time-out cancels that task alone: cancelling the caller's
            // would be for good (a long-lived caller such as the ledger writer could never query again).
            return try await withoutActuallyEscaping(body) { body in
                let body = UncheckedSendableBody(body: body)
                return try await withThrowingTaskGroup(of: Result?.self) { group in
                    group.addTask { [client] in
                        try await client.withConnection { connection in
                            try wait.begin()
                            return try await body.body(connection)
                        }
                    }
                    group.addTask { [connectionTimeout] in
                        try? await Task.sleep(for: connectionTimeout)
                        return nil
                    }
                    while let next = try await group.next() {
                        if let result = next {
                            group.cancelAll()
                            return result
                        }
                        if wait.timeOut() { group.cancelAll() }
                    }
                    throw CancellationError()
                }
            }
        } catch where wait.timedOut {
            throw LedgerError(
                .unavailable,
                "no connection to the PostgreSQL ledger at \(location) within \(connectionTimeout) (the server is down "
                    + "or unreachable, or all \(location.poolSize) connections are busy); it is retried when it recovers")
        }
    }
}

/// Whether an operation still waits for its connection: the time-out cancels it only then, so a statement that has
/// begun is never interrupted.
private final class ConnectionWait: Sendable {
    enum State { case waiting, running, timedOut }
    let state = Mutex(State.waiting)

    var timedOut: Bool { state.withLock { $0 == .timedOut } }

    /// The connection arrived: from now on nothing cancels the operation.
    func begin() throws {
        try state.withLock { state in
            guard state == .waiting else { throw CancellationError() }
            state = .running
        }
    }

    /// The time-out passed: whether the operation is to be cancelled (it still waits for its connection).
    func timeOut() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return false }
            state = .timedOut
            return true
        }
    }
}

/// An operation's body, handed to the child task that runs it; the task group ends before `connection(_:)` returns,
/// so the body never outlives its caller.
private struct UncheckedSendableBody<Result>: @unchecked Sendable {
    let body: (PostgresConnection) async throws -> Result
}
