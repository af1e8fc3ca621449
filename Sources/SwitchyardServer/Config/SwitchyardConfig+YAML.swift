import Foundation
import SwitchyardCore
import Yams

extension SwitchyardConfig {
    /// Reads a configuration from YAML text, filling in every default and checking every key and value.
    ///
    /// Unknown keys, values of the wrong type or out of range, and names that refer to nothing are rejected with
    /// a ``ConfigError`` that names the key path and what was expected. See `docs/configuration.md`.
    ///
    /// ```swift
    /// let config = try SwitchyardConfig(yaml: """
    ///     providers:
    ///       - name: local
    ///         kind: simulated
    ///         models: [small]
    ///     """)
    /// ```
    public init(yaml: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError(yamlError: error)
        }
        self = try Self.read(ConfigValue(root ?? Node(""), path: ""))
    }

    /// Reads the configuration file at `path`.
    ///
    /// - Throws: ``ConfigError`` (with ``ConfigError/file`` set) when the file cannot be read or is not valid.
    public static func load(path: String) throws -> SwitchyardConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(code: .unreadable, path: "", message: "no such configuration file", file: path)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(
                code: .unreadable, path: "", message: "cannot read the configuration file as UTF-8 text", file: path)
        }
        do {
            return try SwitchyardConfig(yaml: text)
        } catch var error as ConfigError {
            error.file = path
            throw error
        }
    }

    static let topLevelKeys = [
        "server", "database", "budgets", "keys", "defaults", "providers", "routes", "default_route", "specialty_boost",
        "queue", "health_checks",
    ]

    static func read(_ root: ConfigValue) throws -> SwitchyardConfig {
        let top = try root.mapping(keys: topLevelKeys, ignoringExtensionKeys: true)
        var config = SwitchyardConfig()
        if let value = top["server"] { config.server = try ServerSettings(reading: value) }
        if let value = top["database"] { config.database = try DatabaseSettings(reading: value) }
        if let value = top["budgets"] { config.budgets = try BudgetSettings(reading: value) }
        if let value = top["keys"] { config.keys = try KeySettings(reading: value) }
        if let value = top["defaults"] { config.defaults = try ProviderDefaults(reading: value) }
        config.providers = try ProviderSettings.readList(top, defaults: config.defaults)
        config.routes = try Route.readList(top["routes"], providers: config.providers)
        try top.read("specialty_boost", into: &config.specialtyBoost) {
            try $0.double(in: 0...Double.greatestFiniteMagnitude, "a score")
        }
        if let value = top["queue"] { config.queue = try QueueConfiguration(reading: value) }
        if let value = top["health_checks"] { config.healthChecks = try HealthCheckSettings(reading: value) }

        if let value = top.present("default_route") {
            let name = try value.string("a route name")
            guard config.routes.contains(where: { $0.name == name }) else {
                throw value.error(.unknownReference, Route.unknownRouteMessage(name, routes: config.routes))
            }
            config.defaultRoute = name
        } else {
            config.defaultRoute = config.routes.first?.name
        }
        return config
    }
}

extension ServerSettings {
    static let keys = ["host", "port", "admin_key_env", "max_body_bytes", "stream_stall_timeout_ms", "sse_heartbeat_ms"]

    init(reading value: ConfigValue) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init()
        try map.read("host", into: &host) { try $0.string("a host name or IP address") }
        try map.read("port", into: &port) { try $0.int(in: 0...65535, "a port number") }
        try map.readOptional("admin_key_env", into: &adminKeyEnv, EnvironmentVariableName.read)
        try map.read("max_body_bytes", into: &maxBodyBytes) { try $0.int(in: 1...Int.max, "a number of bytes") }
        try map.read("stream_stall_timeout_ms", into: &streamStallTimeout) { try $0.milliseconds(minimum: 1) }
        try map.read("sse_heartbeat_ms", into: &sseHeartbeat) { try $0.milliseconds(minimum: 1) }
    }
}

extension DatabaseSettings {
    static let keys = ["path", "busy_timeout_ms", "flush_timeout_ms", "max_pending_events"]

    init(reading value: ConfigValue) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init()
        try map.read("path", into: &path) { try $0.string("a file path") }
        try map.read("busy_timeout_ms", into: &busyTimeout) { try $0.milliseconds() }
        try map.read("flush_timeout_ms", into: &flushTimeout) { try $0.milliseconds(minimum: 1) }
        try map.read("max_pending_events", into: &maxPendingEvents) { try $0.int(in: 1...100_000_000, "a number of events") }
    }
}

extension BudgetSettings {
    static let keys = ["default_limit_usd"]

    init(reading value: ConfigValue) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init()
        try map.read("default_limit_usd", into: &defaultLimit) { try $0.dollars() }
    }
}

extension KeySettings {
    static let keys = ["required"]

    init(reading value: ConfigValue) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init()
        try map.read("required", into: &required) { try $0.bool() }
    }
}

extension QueueConfiguration {
    static let keys = ["max_length", "max_wait_ms"]

    init(reading value: ConfigValue) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init()
        try map.read("max_length", into: &maxLength) { try $0.int(in: 0...Int.max, "a number of requests") }
        try map.read("max_wait_ms", into: &maxWait) { try $0.milliseconds() }
    }
}

extension HealthCheckSettings {
    static let keys = ["enabled", "interval_ms", "timeout_ms"]

    init(reading value: ConfigValue) throws {
        let map = try value.mapping(keys: Self.keys)
        self.init()
        try map.read("enabled", into: &enabled) { try $0.bool() }
        try map.read("interval_ms", into: &interval) { try $0.milliseconds(minimum: 1) }
        try map.read("timeout_ms", into: &timeout) { try $0.milliseconds(minimum: 1) }
    }
}

extension ConfigError {
    /// Wraps what Yams threw for text that is not YAML.
    init(yamlError: any Error) {
        switch yamlError as? YamlError {
        case .scanner(let context, let problem, let mark, _)?, .parser(let context, let problem, let mark, _)?,
            .composer(let context, let problem, let mark, _)?:
            let detail = context.map { " \($0.text)" } ?? ""
            self.init(
                code: .syntax, path: "", message: "invalid YAML: \(problem)\(detail)", line: mark.line,
                column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            self.init(
                code: .duplicate, path: "", message: "a key appears twice in one mapping: \(keys)",
                line: context.mark.line, column: context.mark.column)
        case .reader(let problem, _, _, _)?:
            self.init(code: .syntax, path: "", message: "invalid YAML text: \(problem)")
        default:
            self.init(code: .syntax, path: "", message: "invalid YAML: \(yamlError)")
        }
    }
}
