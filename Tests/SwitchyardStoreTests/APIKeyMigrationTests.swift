import Foundation
import GRDB
import SwitchyardCore
import Testing

@testable import SwitchyardStore

@Suite(.timeLimit(.minutes(1))) struct APIKeyMigrationTests {
    @Test func theKeysTableHasTheDocumentedColumnsAndIndexes() async throws {
        try await withLedger { database in
            let columns = try await database.query("SELECT name FROM pragma_table_info('api_keys') ORDER BY cid")
            #expect(
                columns.rows.map { $0[0].description } == [
                    "id", "key_prefix", "key_hash", "user_id", "name", "created_at", "revoked_at", "last_used_at", "kind",
                    "team",
                ])
            // Lookups by hash and prefix use indexes, not scans.
            for (sql, index) in [
                ("SELECT user_id FROM api_keys WHERE key_hash = 'x'", "sqlite_autoindex_api_keys_1"),
                ("SELECT id FROM api_keys WHERE key_prefix = 'x'", "api_keys_prefix"),
                ("SELECT id FROM api_keys WHERE user_id = 'x' ORDER BY id", "api_keys_user"),
            ] {
                let plan = try await database.pool.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
                }
                #expect(plan.contains { $0.contains(index) }, "\(sql): \(plan)")
            }
        }
    }

    @Test func upgradingFrom0001KeepsEverythingAndAddsKeys() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let old = try LedgerDatabase(path: path, migrate: false)
            try old.migrate(upTo: "0001_initial")
            #expect(try old.migrationStatus().pending.first == "0002_api_keys")
            // What version 0001 wrote for a reservation of 500 settled at 200, and a limit override.
            try await old.pool.write { db in
                let at = LedgerTimestamp.string(from: testDate())
                try db.execute(
                    sql: """
                        INSERT INTO ledger (user_id, request_id, kind, amount_usd_micros, at) VALUES
                            ('alice', 'r1', 'reserve', 500, ?1), ('alice', 'r1', 'settle', 200, ?1),
                            ('alice', 'r1', 'release', 300, ?1)
                        """, arguments: [at])
                try db.execute(
                    sql: """
                        INSERT INTO budgets (user_id, limit_usd_micros, spent_usd_micros, reserved_usd_micros, updated_at)
                        VALUES ('alice', NULL, 200, 0, ?1), ('bob', 5000000, 0, 0, ?1);
                        """, arguments: [at])
                try db.execute(
                    sql: """
                        INSERT INTO requests (id, user_id, status, created_at) VALUES ('r1', 'alice', 'success', ?)
                        """, arguments: [LedgerTimestamp.string(from: testDate())])
            }
            try old.close()

            let upgraded = try LedgerDatabase(path: path)
            #expect(try upgraded.migrationStatus().isUpToDate)
            #expect(try await upgraded.count("requests") == 1)
            #expect(try await upgraded.count("ledger") == 3)
            let upgradedBudgets = SQLiteBudgetStore(database: upgraded)
            #expect(try await upgradedBudgets.status(userID: "alice").spent == 200)
            #expect(try await upgradedBudgets.status(userID: "bob").limit == 5_000_000)
            #expect(try await upgradedBudgets.verify().isEmpty)

            let keys = APIKeyStore(database: upgraded)
            #expect(try await keys.listKeys().isEmpty)
            let created = try await keys.createKey(userID: "alice")
            #expect(try await keys.authenticate(key: created.key) == "alice")
        }
    }
}
