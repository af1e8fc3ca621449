import ArgumentParser
import Foundation
import SwitchyardServer
import SwitchyardStore
import SwitchyardPostgres

/// `switchyard migrate`: applies or lists the ledger's schema migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the ledger's pending schema migrations, or list them with --status.",
        discussion: """
            Creates the database file if it does not exist (its directory must). `switchyard serve` migrates at \
            start-up too, so this is for preparing a database ahead of time or checking one.

            Safe beside a running service: when the service holds the write lock, migrate waits for it (up to \
            database.busy_timeout_ms, 5 s by default) instead of failing at once.

            On PostgreSQL (a postgresql:// URL), the migrations of migrations/postgres/ are applied under an \
            advisory lock, so several instances starting at once (or this command beside them) migrate once.

            Examples:
              switchyard migrate --db /data/switchyard.sqlite
              switchyard migrate --db postgresql://switchyard@db.internal/switchyard
              switchyard migrate --status
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "List every migration and whether the database has it; change nothing.")
    var status = false

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .table

    func run() async throws {
        let settings = try options.resolve().config.database
        if let location = try settings.postgresLocation(environment: ProcessInfo.processInfo.environment) {
            try await PostgresLedger.withLedger(location, schema: .leave, logger: LedgerAccess.quietLogger) { ledger in
                if status {
                    show(try await PostgresMigrations.status(ledger), location: settings.location)
                    return
                }
                let applied = try await Progress.while("migrating \(settings.location)") {
                    try await PostgresMigrations.migrate(ledger)
                }
                report(applied, location: settings.location)
            }
            return
        }
        if status {
            try showStatus(settings)
            return
        }
        let applied = try await Progress.while("migrating \(settings.path)") {
            let database = try LedgerDatabase(
                path: settings.path, configuration: LedgerConfiguration(busyTimeout: settings.busyTimeout),
                migrate: false)
            defer { try? database.close() }
            let pending = try database.migrationStatus().pending
            if !pending.isEmpty { try database.migrate() }
            return pending
        }
        report(applied, location: settings.path)
    }

    private func report(_ applied: [String], location: String) {
        if applied.isEmpty {
            Console.note("\(location): up to date, nothing to apply")
        } else {
            Console.note("\(location): applied \(applied.joined(separator: ", "))")
        }
    }

    private func showStatus(_ settings: DatabaseSettings) throws {
        let status: MigrationStatus
        if FileManager.default.fileExists(atPath: settings.path) {
            let database = try LedgerDatabase(
                path: settings.path, configuration: LedgerConfiguration(busyTimeout: settings.busyTimeout),
                migrate: false)
            defer { try? database.close() }
            status = try database.migrationStatus()
        } else {
            Console.note("no database at '\(settings.path)' yet: every migration is pending")
            status = MigrationStatus(
                migrations: LedgerMigrations.identifiers.map { .init(identifier: $0, isApplied: false) },
                unknownApplied: [])
        }
        show(status, location: settings.path)
    }

    private func show(_ status: MigrationStatus, location: String) {
        var table = OutputTable(columns: [.text("migration", "MIGRATION"), .text("status", "STATUS")])
        for migration in status.migrations {
            table.rows.append([.text(migration.identifier), .text(migration.isApplied ? "applied" : "pending")])
        }
        for identifier in status.unknownApplied {
            table.rows.append([.text(identifier), .text("applied (unknown to this binary: a newer Switchyard)")])
        }
        Console.write(table.rendered(as: format))
        if format == .table {
            Console.note(
                status.isUpToDate
                    ? "\(location): up to date"
                    : "\(location): \(status.pending.count) pending; run `switchyard migrate` to apply")
        }
    }
}
