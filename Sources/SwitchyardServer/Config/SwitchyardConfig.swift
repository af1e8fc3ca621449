public import SwitchyardCore
public import SwitchyardProviders
public import SwitchyardStore

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
        self.providers = providers
        self.routes = routes
        self.defaultRoute = defaultRoute
        self.queue = queue
        self.healthChecks = healthChecks
        self.specialtyBoost = specialtyBoost
    }

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

/// `database:` — the SQLite ledger.
public struct DatabaseSettings: Sendable, Hashable {
    /// Default `./switchyard.sqlite`.
    public var path: String
    /// How long a writer waits on a busy database before failing. Default 5 s.
    public var busyTimeout: Duration
    /// How long a request waits for its record to be committed before it answers 503 `ledger_unavailable` (the
    /// record stays queued and is written when the ledger recovers). Default: the ledger writer's, 10 s.
    public var flushTimeout: Duration
    /// Events the ledger writer may hold uncommitted before it refuses new requests (503 `ledger_unavailable`,
    /// no provider called). Default: the ledger writer's, 100,000.
    public var maxPendingEvents: Int

    public init(
        path: String = "./switchyard.sqlite", busyTimeout: Duration = .seconds(5),
        flushTimeout: Duration = LedgerEventSink.Configuration().flushTimeout,
        maxPendingEvents: Int = LedgerEventSink.Configuration().maxPendingEvents
    ) {
        self.path = path
        self.busyTimeout = busyTimeout
        self.flushTimeout = flushTimeout
        self.maxPendingEvents = maxPendingEvents
    }
}

/// `budgets:` — per-user spending limits.
public struct BudgetSettings: Sendable, Hashable {
    /// The limit of a user without an override. Default $1.00.
    public var defaultLimit: MicroDollars

    public init(defaultLimit: MicroDollars = 1_000_000) {
        self.defaultLimit = defaultLimit
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

/// `defaults:` — resilience settings applied to providers unless overridden.
public struct ProviderDefaults: Sendable, Hashable {
    /// Deadline of a request that sets none (`timeout_ms`): every attempt, failover, queue wait and streaming
    /// together. Default 10 minutes (longer than a call's own `total_ms`, 5 minutes).
    public var timeout: Duration
    public var retry: RetryPolicy
    public var circuitBreaker: CircuitBreakerConfiguration
    public var rateLimit: RateLimitConfiguration
    /// Time-outs of HTTP providers (`timeout:`); see `ProviderTimeouts` in SwitchyardProviders for the defaults.
    public var httpTimeouts: ProviderTimeouts

    public init(
        timeout: Duration = .seconds(600),
        retry: RetryPolicy = RetryPolicy(),
        circuitBreaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        rateLimit: RateLimitConfiguration = .unlimited,
        httpTimeouts: ProviderTimeouts = ProviderTimeouts()
    ) {
        self.timeout = timeout
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.rateLimit = rateLimit
        self.httpTimeouts = httpTimeouts
    }
}

/// One entry of `providers:`.
public struct ProviderSettings: Sendable, Hashable {
    public var kind: ProviderKind
    /// Routing profile: name, quality, specialties, models and prices, retry/breaker/limits (defaults applied).
    public var profile: ProviderProfile
    /// Base URL of the API (HTTP kinds). Defaults per kind: `https://api.openai.com/v1`,
    /// `https://api.anthropic.com`, `https://generativelanguage.googleapis.com`.
    public var baseURL: String?
    /// Name of the environment variable that holds the API key (never the key itself).
    public var apiKeyEnv: String?
    public var httpTimeouts: ProviderTimeouts
    /// Behaviour of a `simulated` provider.
    public var simulated: SimulatedProvider.Configuration

    public init(
        kind: ProviderKind,
        profile: ProviderProfile,
        baseURL: String? = nil,
        apiKeyEnv: String? = nil,
        httpTimeouts: ProviderTimeouts = ProviderTimeouts(),
        simulated: SimulatedProvider.Configuration = SimulatedProvider.Configuration()
    ) {
        self.kind = kind
        self.profile = profile
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.httpTimeouts = httpTimeouts
        self.simulated = simulated
    }

    public var name: String { profile.name }
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
