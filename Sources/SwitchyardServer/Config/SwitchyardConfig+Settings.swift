import Foundation
import SwitchyardCore
import SwitchyardProviders
import SwitchyardSettings
import SwitchyardStore
import SwitchyardPostgres
import Yams

// Every key of the configuration file, declared once: these sections read the file, write it back
// (`effectiveYAML()`, what `switchyard config check` prints) and make the reference in docs/configuration.md.
// A provider kind's keys are declared with the kind, in SwitchyardProviders.

extension SwitchyardConfig {
    /// The top level, in the order keys are read (a key may depend on those before it: providers on `defaults`,
    /// routes on providers) and written.
    static var settings: SettingsSection<SwitchyardConfig> {
        SettingsSection([
            .section("server", \.server, "Where and how the HTTP service listens.", ServerSettings.settings),
            .section("database", \.database, "The ledger: an SQLite file, or a PostgreSQL database.", DatabaseSettings.settings),
            .section("budgets", \.budgets, "Spending limits per user, API key and team; budget alerts.",
                BudgetSettings.settings),
            .section("keys", \.keys, "Users' API keys.", KeySettings.settings),
            .section("defaults", \.defaults, "What every provider gets unless its entry says otherwise.",
                ProviderDefaults.settings),
            .optional("prices_file", \.pricesFile,
                "A local copy of LiteLLM's price table (`model_prices_and_context_window.json`) that prices every model "
                    + "whose entry sets no price; a path relative to the working directory (default none).",
                read: { try $0.string("a file path") }, write: YAMLTree.string),
            SettingKey.custom(
                "providers", "The providers, at least one.",
                read: { value, config in
                    config.providers = try ProviderSettings.readList(value, defaults: config.defaults)
                },
                write: { YAMLTree.list($0.providers.map(\.node)) },
                nested: { config, prefix in
                    ProviderSettings.reference(prefix: prefix + "[].", defaults: config.defaults).common
                }
            ).required("a list of providers; at least one is needed"),
            .custom(
                "routes", "Failover chains of tiers (default: one route `default`, a tier per provider in order).",
                read: { value, config in
                    config.routes =
                        value.isNull ? [Route.synthesized(from: config.providers.map(\.profile))] : try Route.readList(value)
                },
                absent: { _, config in config.routes = [Route.synthesized(from: config.providers.map(\.profile))] },
                write: { YAMLTree.list($0.routes.map(Route.settings.node)) },
                nested: { _, prefix in Route.settings.reference(Route(name: "", tiers: []), prefix: prefix + "[].") }),
            .custom(
                "default_route", "The route of requests that name none (default: the first route).",
                read: { value, config in
                    config.defaultRoute = value.isNull ? config.routes.first?.name : try value.string("a route name")
                },
                absent: { _, config in config.defaultRoute = config.routes.first?.name },
                write: { YAMLTree.optional($0.defaultRoute, YAMLTree.string) }),
            .double("specialty_boost", \.specialtyBoost,
                "Score added to a provider whose specialties match the prompt's class.",
                in: 0...Double.greatestFiniteMagnitude, "a score"),
            .section("queue", \.queue, "The bounded wait when no provider is available.", QueueConfiguration.settings),
            .section("health_checks", \.healthChecks, "The background prober.", HealthCheckSettings.settings),
        ])
    }
}

extension ServerSettings {
    static var settings: SettingsSection<ServerSettings> {
        SettingsSection([
            .string("host", \.host, "Address to listen on.", "a host name or IP address"),
            .int("port", \.port, "Port to listen on (0 picks a free one).", in: 0...65535, "a port number"),
            .optional("admin_key_env", \.adminKeyEnv,
                "Name of the environment variable holding the admin key; without one, admin endpoints answer only on a loopback address.",
                read: EnvironmentVariableName.read, write: YAMLTree.string),
            .int("max_body_bytes", \.maxBodyBytes, "Largest accepted request body.", in: 1...Int.max, "a number of bytes"),
            .milliseconds("stream_stall_timeout_ms", \.streamStallTimeout,
                "How long a streaming client may take no data before it is treated as gone.", minimum: 1),
            .milliseconds("sse_heartbeat_ms", \.sseHeartbeat, "How often a quiet stream gets an SSE comment line.",
                minimum: 1),
        ])
    }
}

extension DatabaseSettings {
    static var settings: SettingsSection<DatabaseSettings> {
        SettingsSection([
            .string("path", \.path, "The ledger's SQLite file (unless `url` is set).", "a file path"),
            .optional("url", \.url,
                "A PostgreSQL ledger shared by several instances: `postgresql://user@host[:port]/database[?sslmode=disable|prefer|require]` (no password in it; see `password_env`).",
                read: { value in
                    let url = try value.string("a postgresql:// URL")
                    do {
                        _ = try PostgresLocation(url: url)
                    } catch let error as LedgerError {
                        throw value.error(.invalidValue, error.message)
                    }
                    return url
                }, write: YAMLTree.string),
            .optional("password_env", \.passwordEnv,
                "Name of the environment variable holding the PostgreSQL password, if the server asks for one (unset: `PGPASSWORD`, if set).",
                read: EnvironmentVariableName.read, write: YAMLTree.string),
            .int("pool_size", \.poolSize, "PostgreSQL connections this instance may open.", in: 1...1_000,
                "a number of connections"),
            .milliseconds("lease_heartbeat_ms", \.leaseHeartbeat,
                "How often an instance renews its lease on a PostgreSQL ledger.", minimum: 100),
            .milliseconds("lease_timeout_ms", \.leaseTimeout,
                "How long after its last heartbeat an instance counts as dead; its open reservations are then settled by another at their reserved amount (at least twice the heartbeat).",
                minimum: 200),
            .milliseconds("busy_timeout_ms", \.busyTimeout, "How long a writer waits on a busy database."),
            .choice("durability", \.durability,
                "What a commit survives: `process_crash`, or `power_loss` (an fsync per commit).",
                LedgerConfiguration.Durability.allCases),
            .int("readers", \.readerCount, "Read-only connections reports may use at once.", in: 1...64,
                "a number of connections"),
            .int("wal_autocheckpoint_pages", \.walAutocheckpointPages,
                "WAL pages (4 KiB) at which a commit checkpoints the WAL itself (a back-stop: the background "
                    + "checkpointer normally keeps the WAL far below).", in: 1...10_000_000, "a number of pages"),
            .milliseconds("checkpoint_interval_ms", \.checkpointInterval,
                "How often the background checkpointer copies the WAL into the database file.", minimum: 1),
            .milliseconds("flush_timeout_ms", \.flushTimeout,
                "How long a request waits for its record to commit before answering 503 `ledger_unavailable`.",
                minimum: 1),
            .int("max_pending_events", \.maxPendingEvents,
                "Uncommitted events above which new requests are refused (503 `ledger_unavailable`).",
                in: 1...100_000_000, "a number of events"),
            .milliseconds("group_commit_window_ms", \.groupCommitWindow,
                "How long the writer waits after a batch's first event for more."),
            .int("group_commit_max_batch", \.groupCommitMaxBatch, "The most events committed in one transaction.",
                in: 1...1_000_000, "a number of events"),
        ])
    }
}

extension BudgetSettings {
    static var settings: SettingsSection<BudgetSettings> {
        SettingsSection([
            .value("default_limit_usd", \.defaultLimit, "Every user's lifetime limit unless set with `budget set`.",
                read: { try $0.dollars() }, write: YAMLTree.dollars),
            .value("time_zone", \.timeZone,
                "The IANA time zone whose calendar days, weeks (from Monday) and months periodic limits follow.",
                read: { value in
                    let name = try value.string("an IANA time zone name")
                    guard let zone = TimeZone(identifier: name) else {
                        throw value.expected("an IANA time zone name such as UTC or Europe/Paris", code: .invalidValue)
                    }
                    return zone
                },
                write: { YAMLTree.string($0.identifier) }),
            .section("users", \.users, "Limits per calendar window every user has unless set.",
                PeriodLimits.settings(periods: [.daily, .weekly, .monthly])),
            .section("keys", \.keys, "Limits every API key has unless set.",
                PeriodLimits.settings(periods: BudgetPeriod.allCases)),
            .section("teams", \.teams, "Limits every team has unless set.",
                PeriodLimits.settings(periods: BudgetPeriod.allCases)),
            .section("alerts", \.alerts, "A JSON webhook when spend reaches a share of a limit.",
                BudgetAlertSettings.settings),
        ])
    }
}

extension PeriodLimits {
    static func settings(periods: [BudgetPeriod]) -> SettingsSection<PeriodLimits> {
        SettingsSection(
            paths.filter { periods.contains($0.0) }.map { period, path in
                .optional("\(period.rawValue)_usd", path,
                    period == .lifetime ? "The limit over all time (default none)." : "The limit per calendar \(period.noun) (default none).",
                    read: { try $0.dollars() }, write: YAMLTree.dollars)
            })
    }
}

extension BudgetPeriod {
    /// `day`, `week`, `month`.
    var noun: String {
        switch self {
        case .lifetime: "lifetime"
        case .daily: "day"
        case .weekly: "week"
        case .monthly: "month"
        }
    }
}

extension BudgetAlertSettings {
    static var settings: SettingsSection<BudgetAlertSettings> {
        SettingsSection([
            .custom(
                "thresholds_percent", "Percentages of a limit (e.g. [50, 80, 100]) whose crossing records an alert (default none).",
                read: { value, alerts in
                    alerts.thresholds = value.isNull ? [] : try value.list(of: "percentages").map {
                        try $0.int(in: 1...1000, "a percentage from 1 to 1000")
                    }
                },
                write: { YAMLTree.flowList($0.thresholds.map(YAMLTree.int)) }),
            .optional("webhook_url", \.webhookURL, "Where alerts are posted as JSON (default none: recorded only).",
                read: { try $0.httpURL(example: "https://hooks.example.com/switchyard") },
                write: { YAMLTree.string(YAMLTree.maskedURL($0)) }),
            .milliseconds("timeout_ms", \.timeout, "How long one webhook delivery may take.", minimum: 1),
        ])
    }
}

extension KeySettings {
    static var settings: SettingsSection<KeySettings> {
        SettingsSection([
            .bool("required", \.required,
                "Chat requests must send a user key (`sy-…`); otherwise a request without one is made as its `user`.")
        ])
    }
}

extension HealthCheckSettings {
    static var settings: SettingsSection<HealthCheckSettings> {
        SettingsSection([
            .bool("enabled", \.enabled, "Probe providers in the background."),
            .milliseconds("interval_ms", \.interval, "Time between probes of a provider.", minimum: 1),
            .milliseconds("timeout_ms", \.timeout, "How long a probe may take.", minimum: 1),
        ])
    }
}
