import Foundation
import PostgresNIO
public import SwitchyardStore

/// The PostgreSQL schema's migrations: `migrations/postgres/*.sql`, embedded at build time by the `EmbedMigrations`
/// plugin, applied in file-name order, each in its own transaction and recorded in `schema_migrations`.
///
/// Several instances may start at once: each takes the same session advisory lock (``advisoryLockKey``) before it
/// reads what is applied, so one migrates and the others find the work done.
public enum PostgresMigrations {
    /// Every migration this binary knows, in the order they apply.
    public static var identifiers: [String] { EmbeddedMigrations.all.map(\.identifier) }

    /// The key of the advisory lock held while migrating ('swyd' as a 32-bit number).
    static let advisoryLockKey: Int64 = 0x7377_7964

    /// Applies every migration not yet applied.
    /// - Returns: the identifiers applied now.
    @discardableResult
    public static func migrate(_ ledger: PostgresLedger) async throws -> [String] {
        try await ledger.connection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(advisoryLockKey))", logger: ledger.logger)
            do {
                let applied = try await apply(on: connection, ledger: ledger)
                try await connection.query("SELECT pg_advisory_unlock(\(advisoryLockKey))", logger: ledger.logger)
                return applied
            } catch {
                // The lock goes with the session; unlock so that the connection returns to the pool clean.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(advisoryLockKey))", logger: ledger.logger)
                throw error
            }
        }
    }

    private static func apply(on connection: PostgresConnection, ledger: PostgresLedger) async throws -> [String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                identifier TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """, logger: ledger.logger)
        let status = try await status(on: connection, ledger: ledger)
        guard status.unknownApplied.isEmpty else { throw tooNew(status, ledger) }
        var applied: [String] = []
        for migration in EmbeddedMigrations.all where status.pending.contains(migration.identifier) {
            do {
                try await connection.withTransaction(logger: ledger.logger) { connection in
                    for statement in statements(of: migration.sql) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: ledger.logger)
                    }
                    try await connection.query(
                        "INSERT INTO schema_migrations (identifier) VALUES (\(migration.identifier))",
                        logger: ledger.logger)
                }
            } catch {
                throw LedgerError(
                    .migrationFailed,
                    "migration \(migration.identifier) failed on \(ledger.location): \(PostgresFault.describe(error)); "
                        + "the database is left at the migration before it")
            }
            applied.append(migration.identifier)
            ledger.logger.notice("applied migration", metadata: ["migration": "\(migration.identifier)"])
        }
        return applied
    }

    /// The statements of a migration file, one by one (the extended protocol takes one statement at a time):
    /// `--` comments removed, split at each `;`. The files keep to that: no `;` or `--` inside a literal.
    static func statements(of sql: String) -> [String] {
        let uncommented = sql.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.range(of: "--").map { line[..<$0.lowerBound] } ?? line
        }.joined(separator: "\n")
        return uncommented.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    /// Which migrations the database has.
    public static func status(_ ledger: PostgresLedger) async throws -> MigrationStatus {
        try await ledger.connection { connection in try await status(on: connection, ledger: ledger) }
    }

    private static func status(on connection: PostgresConnection, ledger: PostgresLedger) async throws
        -> MigrationStatus
    {
        let exists = try await connection.query(
            "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: ledger.logger
        ).collect().first?.decode(Bool.self) ?? false
        var recorded: Set<String> = []
        if exists {
            for try await identifier in try await connection.query(
                "SELECT identifier FROM schema_migrations", logger: ledger.logger
            ).decode(String.self) {
                recorded.insert(identifier)
            }
        }
        let known = identifiers
        return MigrationStatus(
            migrations: known.map { MigrationStatus.Migration(identifier: $0, isApplied: recorded.contains($0)) },
            unknownApplied: recorded.subtracting(known).sorted())
    }

    /// Throws unless the database has exactly this binary's schema.
    static func checkCurrent(_ ledger: PostgresLedger) async throws {
        let status = try await status(ledger)
        guard status.unknownApplied.isEmpty else { throw tooNew(status, ledger) }
        guard status.pending.isEmpty else {
            throw LedgerError(
                .schemaOutdated,
                "the PostgreSQL ledger at \(ledger.location) lacks migrations "
                    + "\(status.pending.joined(separator: ", ")); run `switchyard migrate --db <url>`")
        }
    }

    private static func tooNew(_ status: MigrationStatus, _ ledger: PostgresLedger) -> LedgerError {
        LedgerError(
            .schemaTooNew,
            "the PostgreSQL ledger at \(ledger.location) was migrated by a newer Switchyard (it has "
                + "\(status.unknownApplied.joined(separator: ", "))); run that version or newer")
    }
}
