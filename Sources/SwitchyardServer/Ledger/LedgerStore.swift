public import Logging
public import SwitchyardCore
public import SwitchyardPostgres
public import SwitchyardStore

/// The ledger a runtime or a command works on: an SQLite file, or a PostgreSQL database shared by several instances.
///
/// The one place that switches on the engine: everything else asks this for the part it needs (the writer's
/// committer, the budgets, the breakers to restore, reports, SQL), so the HTTP service and the commands do not care
/// which engine they talk to.
public enum LedgerStore: Sendable {
    case sqlite(LedgerDatabase)
    case postgres(PostgresLedger)

    /// The SQLite database, if that is the engine.
    public var sqlite: LedgerDatabase? {
        if case .sqlite(let database) = self { database } else { nil }
    }

    /// Where the ledger is, for messages: the file path, or the URL without its password.
    public var location: String {
        switch self {
        case .sqlite(let database): database.path
        case .postgres(let ledger): ledger.location.description
        }
    }

    /// The ledger writer for `instanceID`'s events, committing to this ledger; `onCommit` is told of every
    /// transaction it tried.
    func makeWriter(
        instanceID: String, configuration: LedgerEventSink.Configuration, logger: Logger,
        onCommit: (@Sendable (LedgerCommitReport) -> Void)? = nil
    ) -> LedgerEventSink {
        switch self {
        case .sqlite(let database):
            LedgerEventSink(database: database, configuration: configuration, logger: logger, onCommit: onCommit)
        case .postgres(let ledger):
            LedgerEventSink(
                ledger: ledger, instanceID: instanceID, configuration: configuration, logger: logger,
                onCommit: onCommit)
        }
    }

    /// The budgets on this ledger, for administration (commands that reserve nothing, so no instance lease).
    public func budgets(_ settings: BudgetSettings) -> any BudgetAdministration {
        switch self {
        case .sqlite(let database):
            SQLiteBudgetStore(
                database: database, defaults: settings.defaults, alertThresholds: settings.alerts.thresholds)
        case .postgres(let ledger):
            PostgresBudgetStore(
                ledger: ledger, instanceID: "admin", defaults: settings.defaults,
                alertThresholds: settings.alerts.thresholds)
        }
    }

    /// The users' API keys.
    public func keys(logger: Logger = Logger(label: "switchyard.keys")) -> any APIKeyDirectory {
        switch self {
        case .sqlite(let database): APIKeyStore(database: database, logger: logger)
        case .postgres(let ledger): PostgresAPIKeyStore(ledger: ledger, logger: logger)
        }
    }

    /// The budget alerts recorded by settlements.
    public var alerts: any BudgetAlertDirectory {
        switch self {
        case .sqlite(let database): BudgetAlertStore(database: database)
        case .postgres(let ledger): PostgresBudgetAlertStore(ledger: ledger)
        }
    }

    /// Computes the report `request` asks for, over every instance's history on a shared ledger.
    public func report<Request: LedgerReportRequest>(_ request: Request) async throws -> Request.Report {
        switch self {
        case .sqlite(let database): try await database.report(request)
        case .postgres(let ledger): try await ledger.report(request)
        }
    }

    /// The all-time totals of `/routing/analytics`.
    public func totals() async throws -> LedgerTotals {
        switch self {
        case .sqlite(let database): try await database.totals()
        case .postgres(let ledger): try await ledger.totals()
        }
    }

    /// Runs a read-only SQL statement (`switchyard query`): at most `rowLimit` rows, stopped after `timeout`.
    public func query(_ sql: String, rowLimit: Int = 1000, timeout: Duration = .seconds(5)) async throws
        -> SQLQueryResult
    {
        switch self {
        case .sqlite(let database): try await database.query(sql, rowLimit: rowLimit, timeout: timeout)
        case .postgres(let ledger): try await ledger.query(sql, rowLimit: rowLimit, timeout: timeout)
        }
    }

    /// The last recorded state of each provider's breaker, to restore at start-up. On PostgreSQL, the latest
    /// transition of each provider whichever instance recorded it: a new instance starts from the freshest view.
    public func lastBreakerTransitions() async throws -> [BreakerTransition] {
        switch self {
        case .sqlite(let database): try database.lastBreakerTransitions()
        case .postgres(let ledger): try await ledger.lastBreakerTransitions()
        }
    }
}
