import ArgumentParser
import Foundation
import SwitchyardServer
import SwitchyardStore

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

            Examples:
              switchyard migrate --db /data/switchyard.sqlite
              switchyard migrate --status
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "List every migration and whether the database has it; change nothing.")
    var status = false

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .table

    func run() async throws {
        let settings = try options.resolve().config.database
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
        if applied.isEmpty {
            Console.note("\(settings.path): up to date, nothing to apply")
        } else {
            Console.note("\(settings.path): applied \(applied.joined(separator: ", "))")
        }
    }

    private func showStatus(_ settings: DatabaseSettings) throws {
        var table = OutputTable(columns: [.text("migration", "MIGRATION"), .text("status", "STATUS")])
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
                    ? "\(settings.path): up to date"
                    : "\(settings.path): \(status.pending.count) pending; run `switchyard migrate` to apply")
        }
    }
}
