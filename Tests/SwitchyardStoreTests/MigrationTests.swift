import Foundation
import GRDB
import Testing

@testable import SwitchyardStore

@Suite struct MigrationTests {
    /// The tables and columns users may rely on (docs/ledger.md); a migration may add, never remove or rename.
    static let contract: [String: [String]] = [
        "requests": [
            "id", "user_id", "route", "requested_model", "priority", "classification", "stream", "status", "provider",
            "model", "prompt_tokens", "completion_tokens", "cost_usd_micros", "latency_ms", "error_code",
            "created_at", "finished_at",
        ],
        "attempts": [
            "request_id", "seq", "tier", "provider", "model", "outcome", "http_status", "error", "prompt_tokens",
            "completion_tokens", "cost_usd_micros", "latency_ms", "started_at",
        ],
        "breaker_transitions": ["provider", "from_state", "to_state", "reason", "at"],
        "budgets": ["user_id", "limit_usd_micros", "spent_usd_micros", "reserved_usd_micros", "updated_at"],
        "ledger": ["user_id", "request_id", "kind", "amount_usd_micros", "at"],
    ]

    @Test func embeddedMigrationsMatchTheFilesOnDisk() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "migrations")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        #expect(LedgerMigrations.identifiers == files.map { $0.deletingPathExtension().lastPathComponent })
        #expect(LedgerMigrations.identifiers.first == "0001_initial")
        for file in files {
            let identifier = file.deletingPathExtension().lastPathComponent
            #expect(LedgerMigrations.sql(of: identifier) == (try String(contentsOf: file, encoding: .utf8)))
        }
    }

    @Test func migratesAnEmptyFileToTheContractSchema() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let unmigrated = try LedgerDatabase(path: path, migrate: false)
            let before = try unmigrated.migrationStatus()
            #expect(before.pending == LedgerMigrations.identifiers)
            #expect(!before.isUpToDate)
            try unmigrated.close()

            let database = try LedgerDatabase(path: path)
            #expect(try database.migrationStatus().isUpToDate)
            for (table, columns) in Self.contract {
                let result = try await database.query("SELECT name FROM pragma_table_info('\(table)')")
                let actual = Set(result.rows.map { $0[0].description })
                #expect(Set(columns).isSubset(of: actual), "table \(table) lacks \(Set(columns).subtracting(actual))")
            }
            // Opening again is a no-op.
            try database.migrate()
            #expect(try database.migrationStatus().isUpToDate)
        }
    }

    @Test(arguments: LedgerMigrations.identifiers.indices)
    func migratesFromEachEarlierVersion(appliedCount: Int) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let old = try LedgerDatabase(path: path, migrate: false)
            try old.migrate(upTo: LedgerMigrations.identifiers[appliedCount])
            let status = try old.migrationStatus()
            #expect(status.pending == Array(LedgerMigrations.identifiers.dropFirst(appliedCount + 1)))
            // Data written at that version survives the upgrade.
            try await old.pool.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO budgets (user_id, limit_usd_micros, updated_at) VALUES ('u', 5, '2025-01-01 00:00:00.000')"
                )
            }
            try old.close()

            let upgraded = try LedgerDatabase(path: path)
            #expect(try upgraded.migrationStatus().isUpToDate)
            #expect(try await upgraded.integer("SELECT limit_usd_micros FROM budgets WHERE user_id = 'u'") == 5)
        }
    }

    @Test func refusesAFileMigratedByANewerVersion() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path)
            try await database.pool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')")
            }
            #expect(try database.migrationStatus().unknownApplied == ["9999_from_the_future"])
            try database.close()
            #expect { try LedgerDatabase(path: path) } throws: { error in
                (error as? LedgerError)?.code == .schemaTooNew
            }
        }
    }

    @Test func reportsAFileThatCannotBeOpened() {
        #expect { try LedgerDatabase(path: "/nonexistent-directory/ledger.sqlite") } throws: { error in
            (error as? LedgerError)?.code == .openFailed
        }
    }
}
