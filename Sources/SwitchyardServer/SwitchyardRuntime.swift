public import Logging
public import SwitchyardCore
public import SwitchyardStore
public import SwitchyardPostgres
public import SwitchyardProviders
import SwitchyardSettings
public import Foundation

/// Everything a running Switchyard needs, built from a ``SwitchyardConfig``: the ledger (an SQLite file, or a
/// PostgreSQL database shared with other instances), budgets, providers and the router, with breakers restored and
/// crash-left reservations settled.
///
/// A runtime is a scoped resource: ``withRuntime(config:environment:recoverReservations:sseHeartbeat:logger:_:)``
/// opens it, hands it to a closure and closes it (HTTP clients, database file, serve lock) however the closure ends.
///
/// ```swift
/// try await SwitchyardRuntime.withRuntime(config: .demo, logger: logger) { runtime in
///     try await runtime.run()      // serves until SIGTERM/SIGINT, then drains and flushes the ledger
/// }
/// ```
public final class SwitchyardRuntime: Sendable {
    public let config: SwitchyardConfig
    /// The ledger's engine: what reports, SQL, keys and breakers are read from.
    public let store: LedgerStore
    /// This process's id (`<host>-<pid>-<random>`): on a PostgreSQL ledger, its lease's and the id on its
    /// reservations and breaker transitions; shown by `GET /providers` on either engine.
    public let instanceID = PostgresInstanceLease.makeInstanceID()
    /// The ledger writer: every router event is committed through it before the answer.
    public let ledger: LedgerEventSink
    /// Copies the WAL into the database file off the write path (SQLite).
    let checkpointer: LedgerCheckpointer?
    /// This instance's lease on a shared PostgreSQL ledger, and the crash rule for the others.
    let lease: PostgresInstanceLease?
    /// What `GET /metrics` shows: fed by the router's events, the ledger writer's commits and the budgets'
    /// refusals, with the breakers, queue and ledger sampled at each scrape.
    public let metrics: SwitchyardMetrics
    public let budgets: any BudgetAdministration
    public let router: SwitchyardCore.Router<ContinuousClock>
    public let providers: [String: any LLMProvider]
    /// The HTTP clients of the providers, one per distinct connect time-out.
    public let httpClients: ProviderHTTPClients
    /// Posts budget alerts, when `budgets.alerts.webhook_url` is set.
    public let alertNotifier: BudgetAlertNotifier?
    /// The ledger file's serve lock, held while this runtime owns the file (see `recoverReservations`).
    let serveLock: LedgerServeLock?
    /// The admin key read from `server.admin_key_env`, if any.
    let adminKey: String?
    /// How often a quiet SSE stream gets a comment line, so a client that went away is noticed and its upstream
    /// call cancelled (and proxies keep the connection open).
    public let sseHeartbeat: Duration
    public let logger: Logger

    /// The SQLite database, when that is the engine.
    public var database: LedgerDatabase? { store.sqlite }

    /// Opens the ledger, recovers it, builds the providers and the router, runs `body` with them, and closes them
    /// when `body` returns or throws.
    ///
    /// - Parameters:
    ///   - config: the service configuration.
    ///   - environment: where API keys and the admin key are read.
    ///   - recoverReservations: own the database: take its serve lock (so a second serving process on the same
    ///     file fails with `ledger_in_use`) and settle reservations left open by a crash (at their reserved
    ///     amount). A one-off command beside a running service must pass `false`, or it would settle that
    ///     service's in-flight requests. On PostgreSQL every runtime registers an instance lease and settles only
    ///     the reservations of instances whose lease expired, so this makes no difference there.
    ///   - sseHeartbeat: how often a quiet stream gets an SSE comment line; `server.sse_heartbeat_ms` unless given.
    ///   - logger: the service's logger.
    ///   - body: what to do with the runtime; it must not keep it.
    /// - Throws: ``ConfigError`` for a missing key variable, `ledger_in_use` when another service owns the file, what
    ///   opening the ledger throws, and what `body` throws.
    public static func withRuntime<Result>(
        config: SwitchyardConfig,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        recoverReservations: Bool = true,
        sseHeartbeat: Duration? = nil,
        logger: Logger = Logger(label: "switchyard"),
        _ body: (SwitchyardRuntime) async throws -> Result
    ) async throws -> Result {
        if let location = try config.database.postgresLocation(environment: environment) {
            return try await PostgresLedger.withLedger(location, logger: logger) { postgres in
                try await withRuntime(
                    store: .postgres(postgres), serveLock: nil, config: config, environment: environment,
                    recoverReservations: recoverReservations, sseHeartbeat: sseHeartbeat, logger: logger, body)
            }
        }
        // The owner of the file (the one that recovers reservations) holds its serve lock: a second serving process
        // on the same file would settle this one's reservations. Released with the runtime, or here if it fails.
        let serveLock = recoverReservations ? try LedgerServeLock.acquire(databasePath: config.database.path) : nil
        let database: LedgerDatabase
        do {
            database = try LedgerDatabase(path: config.database.path, configuration: config.database.ledger)
        } catch {
            serveLock?.release()
            throw error
        }
        return try await withRuntime(
            store: .sqlite(database), serveLock: serveLock, config: config, environment: environment,
            recoverReservations: recoverReservations, sseHeartbeat: sseHeartbeat, logger: logger, body)
    }

    private static func withRuntime<Result>(
        store: LedgerStore, serveLock: LedgerServeLock?, config: SwitchyardConfig, environment: [String: String],
        recoverReservations: Bool, sseHeartbeat: Duration?, logger: Logger,
        _ body: (SwitchyardRuntime) async throws -> Result
    ) async throws -> Result {
        let runtime: SwitchyardRuntime
        do {
            runtime = try await SwitchyardRuntime(
                store: store, serveLock: serveLock, config: config, environment: environment,
                recoverReservations: recoverReservations, sseHeartbeat: sseHeartbeat, logger: logger)
        } catch {
            try? store.sqlite?.close()
            serveLock?.release()
            throw error
        }
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(try await body(runtime))
        } catch {
            result = .failure(error)
        }
        do {
            try await runtime.shutdown()
        } catch {
            if case .success = result { throw error }
        }
        return try result.get()
    }

    private init(
        store: LedgerStore,
        serveLock: LedgerServeLock?,
        config: SwitchyardConfig,
        environment: [String: String],
        recoverReservations: Bool,
        sseHeartbeat: Duration?,
        logger: Logger
    ) async throws {
        self.config = config
        self.store = store
        self.serveLock = serveLock
        self.logger = logger
        self.sseHeartbeat = sseHeartbeat ?? config.server.sseHeartbeat
        if let variable = config.server.adminKeyEnv {
            guard let key = environment[variable], !key.isEmpty else {
                throw ConfigError(
                    code: .missingKey, path: "server.admin_key_env",
                    message: "environment variable \(variable) is not set or empty")
            }
            adminKey = key
        } else {
            adminKey = nil
        }
        let defaults = config.budgets.defaults
        // Told after a commit that recorded budget alerts, so that the notifier need not poll.
        let alertsRecorded: LedgerSignal
        let metrics = SwitchyardMetrics(providers: config.providers.map(\.name))
        self.metrics = metrics
        ledger = store.makeWriter(
            instanceID: instanceID, configuration: config.database.writer, logger: logger,
            onCommit: { metrics.record($0) })
        switch store {
        case .sqlite(let database):
            let budgets = SQLiteBudgetStore(
                database: database, writer: ledger, defaults: defaults,
                alertThresholds: config.budgets.alerts.thresholds)
            self.budgets = budgets
            alertsRecorded = budgets.alertsRecorded
            let recovered = recoverReservations ? try await budgets.recoverOpenReservations() : []
            if !recovered.isEmpty {
                logger.warning(
                    "settled reservations left open by an earlier crash at their reserved amount",
                    metadata: ["count": "\(recovered.count)"])
            }
            checkpointer = try LedgerCheckpointer(
                database: database, configuration: config.database.checkpointer, logger: logger)
            lease = nil
        case .postgres(let postgres):
            let budgets = PostgresBudgetStore(
                ledger: postgres, instanceID: instanceID, defaults: defaults,
                alertThresholds: config.budgets.alerts.thresholds)
            self.budgets = budgets
            alertsRecorded = budgets.alertsRecorded
            // Registering also settles the open reservations of instances whose lease expired (the crash rule).
            let lease = PostgresInstanceLease(budgets: budgets, configuration: config.database.lease, logger: logger)
            try await lease.register()
            self.lease = lease
            checkpointer = nil
            logger.info("ledger instance registered", metadata: ["instance": "\(instanceID)"])
        }
        let events = MetricsEventSink(forwardingTo: ledger, registry: metrics.registry)
        // The router's budgets report refusals to the metrics; administration uses `budgets` itself.
        let routerBudgets = RefusalReportingBudgetStore(
            base: self.budgets, onRefusal: { metrics.recordRefusal(scope: $0) })

        httpClients = ProviderHTTPClients()
        var providers: [String: any LLMProvider] = [:]
        let context = ProviderBuildContext(clients: httpClients, environment: environment, logger: logger)
        do {
            for settings in config.providers {
                providers[settings.name] = try Self.makeProvider(settings, context: context)
            }
            router = try SwitchyardCore.Router(
                configuration: config.routerConfiguration, providers: providers, clock: ContinuousClock(),
                eventSink: events, budget: routerBudgets)
            router.restoreBreakers(from: try await store.lastBreakerTransitions())
            let alerts = config.budgets.alerts
            if alerts.webhookURL != nil, alerts.thresholds.isEmpty {
                logger.warning(
                    """
                    budgets.alerts.webhook_url is set but budgets.alerts.thresholds_percent is empty: no alert is \
                    ever recorded, so none is sent; set thresholds such as [80, 100]
                    """)
            }
            if let url = alerts.webhookURL {
                alertNotifier = BudgetAlertNotifier(
                    alerts: store.alerts, recorded: alertsRecorded, webhookURL: url,
                    timeout: alerts.timeout, client: try httpClients.client(connectTimeout: alerts.timeout),
                    logger: logger)
            } else {
                alertNotifier = nil
            }
        } catch {
            // An HTTP client must be shut down before it is released.
            try? await httpClients.shutdown()
            await lease?.stop()
            throw error
        }
        self.providers = providers
    }

    private static func makeProvider(
        _ settings: ProviderSettings,
        context: ProviderBuildContext
    ) throws -> any LLMProvider {
        do {
            return try settings.makeProvider(context: context)
        } catch let error as MissingAPIKeyError {
            throw ConfigError(code: .missingKey, path: "providers[\(settings.name)].api_key_env", message: error.description)
        }
    }

    /// Whether admin endpoints may be served without a key: only when listening on a loopback address.
    var listensOnLoopback: Bool {
        ["127.0.0.1", "localhost", "::1", "[::1]"].contains(config.server.host) || config.server.host.hasPrefix("127.")
    }

    /// Stops the HTTP clients and closes the database; ``withRuntime(config:environment:recoverReservations:sseHeartbeat:logger:_:)``
    /// calls it once ``run()`` or whatever else was done has returned.
    private func shutdown() async throws {
        try await httpClients.shutdown()
        // Stopped, the instance's leftover reservations (if any) are settled by another at once.
        await lease?.stop()
        try store.sqlite?.close()
        serveLock?.release()
    }
}
