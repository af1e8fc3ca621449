import Foundation
import SwitchyardServer
import SwitchyardStore
import SwitchyardPostgres
import Logging

/// Opening the ledger the way each kind of command needs it.
enum LedgerAccess {
    /// Opens an existing ledger to read it, without creating or migrating it.
    ///
    /// - Throws: ``CLIError`` when the file does not exist (a mistyped `--db` must not leave an empty ledger
    ///   behind) or still needs migrations; ``LedgerError`` when it cannot be opened.
    static func openExisting(_ settings: DatabaseSettings) throws -> LedgerDatabase {
        guard FileManager.default.fileExists(atPath: settings.path) else {
            throw CLIError(
                "no ledger database at '\(settings.path)': pass --db (or set SWITCHYARD_DB) to the file "
                    + "`switchyard serve` writes, or create it with `switchyard migrate --db \(settings.path)`")
        }
        let database = try LedgerDatabase(path: settings.path, configuration: settings.ledger, migrate: false)
        let status = try database.migrationStatus()
        if !status.pending.isEmpty {
            throw CLIError(
                "the ledger at '\(settings.path)' needs migrations (\(status.pending.joined(separator: ", "))): "
                    + "run `switchyard migrate --db \(settings.path)` first")
        }
        if !status.unknownApplied.isEmpty {
            Console.note(
                "warning: the ledger at '\(settings.path)' was migrated by a newer Switchyard "
                    + "(\(status.unknownApplied.joined(separator: ", "))); figures may be incomplete")
        }
        return database
    }

    /// Opens the ledger to change it, creating and migrating the file if needed.
    static func openForWriting(_ settings: DatabaseSettings) throws -> LedgerDatabase {
        try LedgerDatabase(path: settings.path, configuration: settings.ledger)
    }

    /// Runs `body` with the configured ledger, SQLite or PostgreSQL (an existing, current one; or created and
    /// migrated when `writing`), and closes it afterwards.
    static func withStore<T>(
        _ config: SwitchyardConfig, writing: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment, _ body: (LedgerStore) async throws -> T
    ) async throws -> T {
        if let location = try config.database.postgresLocation(environment: environment) {
            return try await PostgresLedger.withLedger(
                location, schema: writing ? .migrate : .requireCurrent, logger: quietLogger) { ledger in
                try await body(.postgres(ledger))
            }
        }
        let database = try writing ? openForWriting(config.database) : openExisting(config.database)
        defer { try? database.close() }
        return try await body(.sqlite(database))
    }

    /// Runs `body` with the budgets of the configured ledger (see ``withStore(_:writing:environment:_:)``).
    static func withBudgets<T>(
        _ config: SwitchyardConfig, writing: Bool = false, _ body: (any BudgetAdministration) async throws -> T
    ) async throws -> T {
        try await withStore(config, writing: writing) { store in try await body(store.budgets(config.budgets)) }
    }

    /// Commands print their own errors; the pool's messages would only repeat them.
    static var quietLogger: Logger {
        var logger = Logger(label: "switchyard.cli")
        logger.logLevel = .error
        return logger
    }
}
