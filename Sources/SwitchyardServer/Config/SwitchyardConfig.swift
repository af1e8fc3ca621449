public import struct Foundation.TimeZone
public import SwitchyardCore
public import SwitchyardProviders
public import SwitchyardStore
public import SwitchyardPostgres

/// The whole configuration of a Switchyard service, as read from YAML (see `SwitchyardConfig+YAML.swift`) or built
/// in code. Every field has a documented default; ``SwitchyardConfig/demo`` is what runs with no config file.
public struct SwitchyardConfig: Sendable, Hashable {
    public var server: ServerSettings
    public var database: DatabaseSettings
    public var budgets: BudgetSettings
    /// Users' API keys: whether chat requests must present one.
    public var keys: KeySettings
    /// Resilience settings every provider gets unless it overrides them.
    public var defaults: ProviderDefaults
    /// A local copy of LiteLLM's price table that prices the models whose entry sets no price (read when the
    /// configuration is). Default none.
    public var pricesFile: String?
    public var providers: [ProviderSettings]
    public var routes: [Route]
    /// The route for requests that name none (and for the simple API). Default: the first route.
    public var defaultRoute: String?
    public var queue: QueueConfiguration
    public var healthChecks: HealthCheckSettings
    /// Score added for a provider whose specialties match the prompt's class. Default 0.25.
    public var specialtyBoost: Double

    public init(
        server: ServerSettings = ServerSettings(),
        database: DatabaseSettings = DatabaseSettings(),
        budgets: BudgetSettings = BudgetSettings(),
        keys: KeySettings = KeySettings(),
        defaults: ProviderDefaults = ProviderDefaults(),
        pricesFile: String? = nil,
        providers: [ProviderSettings] = [],
        routes: [Route] = [],
        defaultRoute: String? = nil,
        queue: QueueConfiguration = QueueConfiguration(),
        healthChecks: HealthCheckSettings = HealthCheckSettings(),
        specialtyBoost: Double = 0.25
    ) {
        self.server = server
        self.database = database
        self.budgets = budgets
        self.keys = keys
        self.defaults = defaults
        self.pricesFile = pricesFile
        self.providers = providers
        self.routes = routes
        self.defaultRoute = defaultRoute
        self.queue = queue
        self.healthChecks = healthChecks
        self.specialtyBoost = specialtyBoost
    }

    /// Every model's price, by provider and model.
    public var priceTable: PriceTable { PriceTable(providers.map(\.profile)) }

    /// The router's part of the configuration.
    public var routerConfiguration: RouterConfiguration {
        RouterConfiguration(
            providers: providers.map(\.profile), routes: routes, defaultRoute: defaultRoute, queue: queue,
            specialtyBoost: specialtyBoost, defaultTimeout: defaults.timeout)
    }
}

/// `server:` — where and how the HTTP service listens.
public struct ServerSettings: Sendable, Hashable {
    /// Default `127.0.0.1`.
    public var host: String
    /// Default 8080.
    public var port: Int
    /// Name of the environment variable holding the admin key. Without it, admin endpoints answer only on a
    /// loopback address.
    public var adminKeyEnv: String?
    /// Largest accepted request body, in bytes. Default 1 MiB.
    public var maxBodyBytes: Int
    /// How long a streaming client may take no data before it is treated as gone: its request is stopped (and
    /// billed for what the provider produced), so a client that stops reading pins neither memory nor a provider
    /// call. Default 30 s.
    public var streamStallTimeout: Duration
    /// How often a quiet stream gets an SSE comment line, so a client that went away is noticed (and its provider
    /// call stopped) and proxies keep the connection open. Default 15 s.
    public var sseHeartbeat: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 8080, adminKeyEnv: String? = nil, maxBodyBytes: Int = 1 << 20,
        streamStallTimeout: Duration = .seconds(30), sseHeartbeat: Duration = .seconds(15)
    ) {
        self.host = host
        self.port = port
        self.adminKeyEnv = adminKeyEnv
        self.maxBodyBytes = maxBodyBytes
        self.streamStallTimeout = streamStallTimeout
        self.sseHeartbeat = sseHeartbeat
    }
}

/// `database:` — the ledger: an SQLite file (the default), or a PostgreSQL database shared by several instances.
public struct DatabaseSettings: Sendable, Hashable {
    /// The SQLite file. Default `./switchyard.sqlite`; ignored when ``url`` is set.
    public var path: String
    /// A PostgreSQL database, `postgresql://user@host[:port]/database[?sslmode=...]`; when set, the ledger is there
    /// and ``path`` is ignored. Default none (SQLite).
    public var url: String?
    /// The environment variable holding the PostgreSQL password, if the server asks for one. Default none: then
    /// `PGPASSWORD`, if set (libpq's convention).
    public var passwordEnv: String?
    /// PostgreSQL connections this instance may open. Default 20.
    public var poolSize: Int
    /// How often an instance renews its lease on a PostgreSQL ledger. Default 5 s.
    public var leaseHeartbeat: Duration
    /// How long after its last heartbeat an instance counts as dead, and its open reservations are settled by
    /// another at their reserved amount. Default 30 s.
    public var leaseTimeout: Duration
    /// How long a writer waits on a busy database before failing. Default 5 s.
    public var busyTimeout: Duration
    /// What a commit survives. Default: a crash of the process (`process_crash`); `power_loss` fsyncs every commit.
    public var durability: LedgerConfiguration.Durability
    /// Read-only connections reports may use at once. Default 4.
    public var readerCount: Int
    /// WAL pages (4 KiB) at which a commit also checkpoints the WAL, a back-stop behind the background
    /// checkpointer. Default 10,000.
    public var walAutocheckpointPages: Int
    /// How often the background checkpointer copies the WAL into the database file. Default 10 ms.
    public var checkpointInterval: Duration
    /// How long a request waits for its record to be committed before it answers 503 `ledger_unavailable` (the
    /// record stays queued and is written when the ledger recovers). Default: the ledger writer's, 10 s.
    public var flushTimeout: Duration
    /// Events the ledger writer may hold uncommitted before it refuses new requests (503 `ledger_unavailable`,
    /// no provider called). Default: the ledger writer's, 100,000.
    public var maxPendingEvents: Int
    /// How long the ledger writer waits after a batch's first event for more. Default 1 ms.
    public var groupCommitWindow: Duration
    /// The most events committed in one transaction. Default: the ledger writer's, 2,048.
    public var groupCommitMaxBatch: Int

    public init(
        path: String = "./switchyard.sqlite", url: String? = nil, passwordEnv: String? = nil,
        poolSize: Int = PostgresLocation.defaultPoolSize,
        leaseHeartbeat: Duration = PostgresInstanceLease.Configuration().heartbeat,
        leaseTimeout: Duration = PostgresInstanceLease.Configuration().timeout,
        busyTimeout: Duration = .seconds(5),
        durability: LedgerConfiguration.Durability = LedgerConfiguration().durability,
        readerCount: Int = LedgerConfiguration().maximumReaderCount,
        walAutocheckpointPages: Int = LedgerConfiguration().walAutocheckpointPages,
        checkpointInterval: Duration = LedgerCheckpointer.Configuration().interval,
        flushTimeout: Duration = LedgerEventSink.Configuration().flushTimeout,
        maxPendingEvents: Int = LedgerEventSink.Configuration().maxPendingEvents,
        groupCommitWindow: Duration = .milliseconds(1),
        groupCommitMaxBatch: Int = LedgerEventSink.Configuration().maxBatchSize
    ) {
        self.path = path
        self.url = url
        self.passwordEnv = passwordEnv
        self.poolSize = poolSize
        self.leaseHeartbeat = leaseHeartbeat
        self.leaseTimeout = leaseTimeout
        self.busyTimeout = busyTimeout
        self.durability = durability
        self.readerCount = readerCount
        self.walAutocheckpointPages = walAutocheckpointPages
        self.checkpointInterval = checkpointInterval
        self.flushTimeout = flushTimeout
        self.maxPendingEvents = maxPendingEvents
        self.groupCommitWindow = groupCommitWindow
        self.groupCommitMaxBatch = groupCommitMaxBatch
    }

    /// Where the ledger is, for messages: the file, or the URL.
    public var location: String { url ?? path }

    /// Sets the ledger from a `--db` value or `$SWITCHYARD_DB`: a `postgresql://` URL, else an SQLite file.
    public mutating func select(_ value: String) {
        if PostgresLocation.isURL(value) {
            url = value
        } else {
            path = value
            url = nil
        }
    }

    /// The PostgreSQL database, with its password read from ``passwordEnv``; `nil` for an SQLite ledger.
    /// - Throws: `ledger_open_failed` for a URL that cannot be used or a password variable that is not set.
    public func postgresLocation(environment: [String: String]) throws -> PostgresLocation? {
        guard let url else { return nil }
        let variable = passwordEnv ?? (environment[Self.conventionalPasswordVariable] == nil ? nil : Self.conventionalPasswordVariable)
        var location = try PostgresLocation(url: url, passwordVariable: variable, environment: environment)
        location.poolSize = poolSize
        return location
    }

    /// Where the PostgreSQL password is read when ``passwordEnv`` names no variable.
    public static let conventionalPasswordVariable = "PGPASSWORD"

    /// How an instance keeps its lease on a PostgreSQL ledger.
    public var lease: PostgresInstanceLease.Configuration {
        PostgresInstanceLease.Configuration(heartbeat: leaseHeartbeat, timeout: leaseTimeout)
    }

    /// How the ledger opens its file.
    public var ledger: LedgerConfiguration {
        LedgerConfiguration(
            busyTimeout: busyTimeout, durability: durability, maximumReaderCount: readerCount,
            walAutocheckpointPages: walAutocheckpointPages)
    }

    /// How the background checkpointer runs.
    public var checkpointer: LedgerCheckpointer.Configuration {
        LedgerCheckpointer.Configuration(interval: checkpointInterval)
    }

    /// How the ledger writer commits.
    public var writer: LedgerEventSink.Configuration {
        LedgerEventSink.Configuration(
            window: groupCommitWindow, maxBatchSize: groupCommitMaxBatch, flushTimeout: flushTimeout,
            maxPendingEvents: maxPendingEvents)
    }
}

/// `budgets:` — spending limits per user, API key and team, and budget alerts.
public struct BudgetSettings: Sendable, Hashable {
    /// Every user's lifetime limit unless set with `budget set`. Default $1.00.
    public var defaultLimit: MicroDollars
    /// The zone whose calendar days, weeks (from Monday) and months the periodic limits follow. Default UTC.
    public var timeZone: TimeZone
    /// Limits per calendar window every user has unless set (their lifetime one is ``defaultLimit``). Default none.
    public var users: PeriodLimits
    /// Limits every API key has unless set. Default none.
    public var keys: PeriodLimits
    /// Limits every team has unless set. Default none.
    public var teams: PeriodLimits
    public var alerts: BudgetAlertSettings

    public init(
        defaultLimit: MicroDollars = BudgetDefaults.userLifetimeLimit, timeZone: TimeZone = TimeZone(identifier: "UTC")!,
        users: PeriodLimits = PeriodLimits(), keys: PeriodLimits = PeriodLimits(), teams: PeriodLimits = PeriodLimits(),
        alerts: BudgetAlertSettings = BudgetAlertSettings()
    ) {
        self.defaultLimit = defaultLimit
        self.timeZone = timeZone
        self.users = users
        self.keys = keys
        self.teams = teams
        self.alerts = alerts
    }

    /// What the budget store applies to scopes without limits of their own.
    public var defaults: BudgetDefaults {
        var users = users.byPeriod
        users[.lifetime] = defaultLimit
        return BudgetDefaults(limits: [.user: users, .key: keys.byPeriod, .team: teams.byPeriod], timeZone: timeZone)
    }
}

/// Default limits of one scope, by period; `nil` is no limit.
public struct PeriodLimits: Sendable, Hashable {
    public var lifetime: MicroDollars?
    public var daily: MicroDollars?
    public var weekly: MicroDollars?
    public var monthly: MicroDollars?

    public init(
        lifetime: MicroDollars? = nil, daily: MicroDollars? = nil, weekly: MicroDollars? = nil,
        monthly: MicroDollars? = nil
    ) {
        self.lifetime = lifetime
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
    }

    /// The limits that are set.
    public var byPeriod: [BudgetPeriod: MicroDollars] {
        var limits: [BudgetPeriod: MicroDollars] = [:]
        for (period, path) in Self.paths { limits[period] = self[keyPath: path] }
        return limits
    }

    static var paths: [(BudgetPeriod, WritableKeyPath<PeriodLimits, MicroDollars?>)] {
        [
            (.lifetime, \.lifetime), (.daily, \.daily), (.weekly, \.weekly), (.monthly, \.monthly),
        ]
    }
}

/// `budgets.alerts:` — a JSON webhook when a scope's spend reaches a share of a limit.
public struct BudgetAlertSettings: Sendable, Hashable {
    /// Percentages of a limit (1 to 1000) whose crossing records an alert, once per scope, window and threshold.
    /// Default none: no alerts.
    public var thresholds: [Int]
    /// Where alerts are posted (`POST`, JSON); `nil` records them in the ledger only (`GET /budgets/alerts`).
    public var webhookURL: String?
    /// How long one delivery may take. Default 5 s.
    public var timeout: Duration

    public init(thresholds: [Int] = [], webhookURL: String? = nil, timeout: Duration = .seconds(5)) {
        self.thresholds = thresholds
        self.webhookURL = webhookURL
        self.timeout = timeout
    }
}

/// `keys:` — users' API keys (`sy-…`), created with `switchyard keys create` and stored in the ledger only as
/// hashes.
///
/// Whatever ``required`` says, a request that presents a valid key is made as the key's user, and one that presents
/// a bad `sy-` key (unknown, revoked, malformed) is refused with HTTP 401. The admin key (`server.admin_key_env`) is
/// separate.
public struct KeySettings: Sendable, Hashable {
    /// `true`: chat requests must send `Authorization: Bearer <user key>`, and are made as the key's user.
    /// `false` (the default): a request without a key is made as its `user` / `user_id`, else `anonymous`.
    public var required: Bool

    public init(required: Bool = false) {
        self.required = required
    }
}

/// `health_checks:` — the background prober.
public struct HealthCheckSettings: Sendable, Hashable {
    /// Default true.
    public var enabled: Bool
    /// Default 30 s.
    public var interval: Duration
    /// Default 5 s.
    public var timeout: Duration

    public init(enabled: Bool = true, interval: Duration = .seconds(30), timeout: Duration = .seconds(5)) {
        self.enabled = enabled
        self.interval = interval
        self.timeout = timeout
    }
}
