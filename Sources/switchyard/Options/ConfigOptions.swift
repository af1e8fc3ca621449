import ArgumentParser
import Foundation
import SwitchyardServer

/// `--config` and `--db`, shared by every command that reads the configuration or the ledger.
///
/// The configuration is `--config`, else `$SWITCHYARD_CONFIG`, else the built-in demo; the ledger is `--db`, else
/// `$SWITCHYARD_DB`, else the configuration's `database.url` or `database.path` (`./switchyard.sqlite` by default);
/// `--db` and `$SWITCHYARD_DB` take a file path or a `postgresql://` URL.
struct ConfigOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The YAML configuration file (default: $SWITCHYARD_CONFIG, else the built-in demo).", valueName: "file"))
    var config: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The ledger: an SQLite file, or a postgresql:// URL (default: $SWITCHYARD_DB, else the "
                + "configuration's database.url or database.path, ./switchyard.sqlite unless set).",
            valueName: "path-or-url"))
    var db: String?

    /// The configuration with `--db` applied, and where it came from (a path or `built-in demo`).
    ///
    /// - Throws: ``ConfigError`` when the file cannot be read or is not valid.
    func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (config: SwitchyardConfig, source: String) {
        var (config, source) = try SwitchyardConfig.resolve(configPath: config, environment: environment)
        if let db, !db.isEmpty { config.database.select(db) }
        return (config, source)
    }
}
