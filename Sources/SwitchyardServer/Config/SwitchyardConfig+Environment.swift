extension SwitchyardConfig {
    /// The environment variable naming the config file when `--config` is not given.
    public static let configPathVariable = "SWITCHYARD_CONFIG"
    /// The environment variable that overrides the ledger: an SQLite file path or a `postgresql://` URL.
    public static let databasePathVariable = "SWITCHYARD_DB"

    /// Picks and loads the configuration for `switchyard serve`.
    ///
    /// The file is `configPath` (from `--config`) if given, else `$SWITCHYARD_CONFIG` if set and not empty, else
    /// none, and then the built-in ``demo`` runs. `$SWITCHYARD_DB`, if set and not empty, replaces the ledger
    /// (`database.path`, or `database.url` for a `postgresql://` URL; a `--db` flag, applied by the caller
    /// afterwards, wins over both).
    ///
    /// - Parameters:
    ///   - configPath: the `--config` argument, if any.
    ///   - environment: the process environment (`ProcessInfo.processInfo.environment`).
    /// - Returns: the configuration and where it came from, for the start-up log line: the file path (with
    ///   `(from SWITCHYARD_CONFIG)` when it came from there) or `built-in demo`.
    /// - Throws: ``ConfigError`` when the file cannot be read or is not valid.
    public static func resolve(
        configPath: String?,
        environment: [String: String]
    ) throws -> (config: SwitchyardConfig, source: String) {
        var config: SwitchyardConfig
        let source: String
        if let configPath, !configPath.isEmpty {
            config = try load(path: configPath)
            source = configPath
        } else if let path = environment[configPathVariable], !path.isEmpty {
            config = try load(path: path)
            source = "\(path) (from \(configPathVariable))"
        } else {
            config = demo
            source = "built-in demo"
        }
        if let databasePath = environment[databasePathVariable], !databasePath.isEmpty {
            config.database.select(databasePath)
        }
        return (config, source)
    }
}
