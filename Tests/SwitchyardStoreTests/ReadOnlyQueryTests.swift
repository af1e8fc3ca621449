import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// Expects `sql` to be refused with `code` by the engine's read-only query.
func expectRefusal(
    _ harness: EngineHarness, _ sql: String, timeout: Duration = .seconds(5), _ code: SQLQueryError.Code,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        let result = try await harness.query(sql, timeout: timeout)
        Issue.record("expected \(code) for \(sql), got \(result)", sourceLocation: sourceLocation)
    } catch let error as SQLQueryError {
        #expect(error.code == code, "\(sql): \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error) for \(sql)", sourceLocation: sourceLocation)
    }
}

/// Whether the engine's schema is still the migrated one.
func schemaIsCurrent(_ harness: EngineHarness) async throws -> Bool {
    if let database = harness.sqlite { return try database.migrationStatus().isUpToDate }
    try await PostgresMigrations.checkCurrent(harness.postgres!)
    return try await harness.integer("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ledger'") == 1
}

/// The read-only query on each engine (``LedgerEngine/available``): what both must refuse and how both read.
/// SQLite-only refusals are at the end; PostgreSQL-only ones in PostgresReadOnlyQueryTests.
@Suite(.timeLimit(.minutes(5))) struct ReadOnlyQueryTests {
    @Test(
        arguments: LedgerEngine.available,
        [
            "INSERT INTO budgets (user_id, updated_at) VALUES ('x', 'now')",
            "UPDATE budgets SET spent_usd_micros = 0",
            "DELETE FROM ledger",
            "CREATE TABLE stolen (x int)",
            "CREATE TEMP TABLE scratch (x int)",
            "CREATE VIEW v AS SELECT 1",
            "DROP TABLE ledger",
            "ALTER TABLE ledger ADD COLUMN x int",
            "CREATE INDEX i ON ledger (note)",
            "VACUUM",
            "REINDEX",
            "ANALYZE",
            "BEGIN",
            "SAVEPOINT s",
            "WITH x AS (SELECT 1) DELETE FROM ledger",
        ])
    func refusesAnythingButReading(_ engine: LedgerEngine, sql: String) async throws {
        try await withEngine(engine) { harness in
            await expectRefusal(harness, sql, .notAllowed)
            let schemaIntact = try await schemaIsCurrent(harness)
            #expect(schemaIntact)
        }
    }

    @Test(
        arguments: LedgerEngine.available,
        [
            "SELECT 1; SELECT 2",
            "SELECT 1; DELETE FROM ledger",
            "SELECT 1;; INSERT INTO budgets (user_id, updated_at) VALUES ('x', 'y')",
            "SELECT 1; garbage",
            "SELECT count(*) FROM ledger; UPDATE budgets SET limit_usd_micros = 0",
        ])
    func refusesASecondStatement(_ engine: LedgerEngine, sql: String) async throws {
        try await withEngine(engine) { harness in
            await expectRefusal(harness, sql, .multipleStatements)
            let budgetRows = try await harness.integer("SELECT count(*) FROM budgets")
            #expect(budgetRows == 0)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func explainsEmptyAndInvalidSQL(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            for (sql, code) in [
                ("", SQLQueryError.Code.empty), ("  -- only a comment\n", .empty), ("SELEC 1", .invalid),
                ("SELECT nope FROM requests", .invalid), ("SELECT * FROM no_such_table", .invalid),
            ] {
                await expectRefusal(harness, sql, code)
            }
        }
    }

    @Test(arguments: LedgerEngine.available)
    func readsWithColumnsTypesAndATrailingSemicolon(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let bytes = engine == .sqlite ? "x'0aff'" : #"'\x0aff'::bytea"#
            let result = try await harness.query(
                "SELECT 42 AS answer, 0.5 AS half, 'text' AS word, NULL AS missing, \(bytes) AS bytes; -- done")
            #expect(result.columns == ["answer", "half", "word", "missing", "bytes"])
            #expect(result.rows == [[.integer(42), .real(0.5), .text("text"), .null, .blob(Data([0x0a, 0xff]))]])
            #expect(!result.truncated)
            #expect(result.rows[0].map(\.description) == ["42", "0.5", "text", "NULL", "x'0aff'"])
            let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
            #expect(json.contains(#"[42,0.5,"text",null,"Cv8="]"#))
        }
    }

    @Test(arguments: LedgerEngine.available)
    func namesTheColumnsOfAnEmptyResult(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let result = try await harness.query("SELECT user_id, limit_usd_micros AS budget FROM budgets")
            #expect(result.columns == ["user_id", "budget"])
            #expect(result.rows.isEmpty)
            #expect(!result.truncated)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func allowsRecursiveQueriesAndIntrospection(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let counted = try await harness.query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n")
            #expect(counted.rows == [[.integer(55)]])
            switch engine {
            case .sqlite:
                #expect(try await harness.query("PRAGMA table_info(ledger)").rows.count >= 7)
                #expect(try await harness.query("SELECT name FROM sqlite_master WHERE type = 'table'").rows.count >= 6)
            case .postgres:
                let columns = try await harness.query(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'ledger'")
                #expect(columns.rows.count >= 7)
                #expect(try await harness.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").rows.count >= 6)
            }
        }
    }

    @Test(arguments: LedgerEngine.available)
    func stopsAtTheRowLimit(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) SELECT i FROM n"
            let limited = try await harness.query(sql, rowLimit: 10)
            #expect(limited.rows.count == 10)
            #expect(limited.rows.first == [.integer(1)])
            #expect(limited.truncated)
            let exact = try await harness.query(sql, rowLimit: 50)
            #expect(exact.rows.count == 50)
            #expect(!exact.truncated)
            let none = try await harness.query(sql, rowLimit: 0)
            #expect(none.rows.isEmpty)
            #expect(none.truncated)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func interruptsAQueryThatRunsTooLong(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            await expectRefusal(
                harness, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
                timeout: .milliseconds(50), .timeout)
        }
    }

    // MARK: SQLite only

    @Test(arguments: [
        ("REPLACE INTO budgets (user_id, updated_at) VALUES ('x', 'now')", SQLQueryError.Code.notAllowed),
        ("BEGIN IMMEDIATE", .notAllowed),
        ("DETACH DATABASE main", .notAllowed),
        ("PRAGMA writable_schema = 1", .notAllowed),
        ("PRAGMA writable_schema", .notAllowed),
        ("PRAGMA user_version = 7", .notAllowed),
        ("PRAGMA journal_mode = DELETE", .notAllowed),
        ("PRAGMA query_only = 0", .notAllowed),
        ("SELECT load_extension('/tmp/evil.so')", .notAllowed),
        // SQLite itself refuses this before the authorizer is asked, as invalid SQL.
        ("UPDATE sqlite_master SET sql = '' WHERE name = 'ledger'", .invalid),
        ("SELECT * FROM pragma_table_info('ledger'); UPDATE budgets SET limit_usd_micros = 0", .multipleStatements),
    ])
    func sqliteRefusesItsOwnEscapes(sql: String, code: SQLQueryError.Code) async throws {
        try await withEngine(.sqlite) { harness in
            await expectRefusal(harness, sql, code)
            let schemaIntact = try await schemaIsCurrent(harness)
            #expect(schemaIntact)
            let schemaRows = try await harness.integer("SELECT count(*) FROM sqlite_master WHERE sql <> ''")
            #expect(schemaRows ?? 0 > 5)
        }
    }

    @Test func sqliteRefusesAttachAndVacuumIntoWithoutCreatingFiles() async throws {
        try await withEngine(.sqlite) { harness in
            let directory = URL(fileURLWithPath: harness.sqlite!.path).deletingLastPathComponent()
            let attached = directory.appending(path: "attached.sqlite").path
            let copy = directory.appending(path: "copy.sqlite").path
            for sql in ["ATTACH DATABASE '\(attached)' AS other", "VACUUM INTO '\(copy)'"] {
                await expectRefusal(harness, sql, .notAllowed)
            }
            #expect(!FileManager.default.fileExists(atPath: attached))
            #expect(!FileManager.default.fileExists(atPath: copy))
        }
    }
}
