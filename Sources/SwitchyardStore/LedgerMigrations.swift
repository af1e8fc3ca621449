import GRDB

/// The ledger's schema migrations: the top-level `migrations/*.sql` files, embedded into the binary at build time by
/// the `EmbedMigrations` build-tool plugin and applied in file-name order by GRDB's `DatabaseMigrator`, each under
/// its file name without `.sql` (`0001_initial`). A released file is never edited, only followed by a new one.
public enum LedgerMigrations {
    /// Every migration this binary knows, in the order they apply.
    public static var identifiers: [String] { EmbeddedMigrations.all.map(\.identifier) }

    /// The SQL of one migration, or `nil` if this binary does not know it.
    public static func sql(of identifier: String) -> String? {
        EmbeddedMigrations.all.first { $0.identifier == identifier }?.sql
    }

    /// A migrator with every known migration registered.
    static func migrator() -> DatabaseMigrator {
        migrator(upTo: nil)
    }

    /// A migrator with the migrations up to and including `lastIdentifier` (all of them when `nil`).
    static func migrator(upTo lastIdentifier: String?) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in EmbeddedMigrations.all {
            let sql = migration.sql
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: sql)
            }
            if migration.identifier == lastIdentifier { break }
        }
        return migrator
    }
}

/// Which migrations a database file has: what `switchyard migrate --status` prints.
public struct MigrationStatus: Sendable, Hashable, Codable {
    /// One known migration and whether the file has it.
    public struct Migration: Sendable, Hashable, Codable {
        public var identifier: String
        public var isApplied: Bool

        public init(identifier: String, isApplied: Bool) {
            self.identifier = identifier
            self.isApplied = isApplied
        }
    }

    /// Every migration this binary knows, in order.
    public var migrations: [Migration]
    /// Migrations recorded in the file that this binary does not know: a newer Switchyard migrated it.
    public var unknownApplied: [String]

    /// The migrations still to apply.
    public var pending: [String] { migrations.filter { !$0.isApplied }.map(\.identifier) }

    /// `true` when the file has exactly the schema this binary expects.
    public var isUpToDate: Bool { pending.isEmpty && unknownApplied.isEmpty }

    public init(migrations: [Migration], unknownApplied: [String]) {
        self.migrations = migrations
        self.unknownApplied = unknownApplied
    }
}
