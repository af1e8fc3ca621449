import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardStore

/// Expects `sql` to be refused with `code`.
private func expectRefusal(
    _ database: LedgerDatabase, _ sql: String, timeout: Duration = .seconds(5), _ code: SQLQueryError.Code,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        let result = try await database.query(sql, timeout: timeout)
        Issue.record("expected \(code) for \(sql), got \(result)", sourceLocation: sourceLocation)
    } catch let error as SQLQueryError {
        #expect(error.code == code, "\(sql): \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error) for \(sql)", sourceLocation: sourceLocation)
    }
}

@Suite(.timeLimit(.minutes(1))) struct ReadOnlyQueryTests {
    @Test(arguments: [
        "INSERT INTO budgets (user_id, updated_at) VALUES ('x', 'now')",
        "UPDATE budgets SET spent_usd_micros = 0",
        "DELETE FROM ledger",
        "REPLACE INTO budgets (user_id, updated_at) VALUES ('x', 'now')",
        "CREATE TABLE stolen (x)",
        "CREATE TEMP TABLE scratch (x)",
        "CREATE VIEW v AS SELECT 1",
        "DROP TABLE ledger",
        "ALTER TABLE ledger ADD COLUMN x",
        "CREATE INDEX i ON ledger (note)",
        "VACUUM",
        "REINDEX",
        "ANALYZE",
        "BEGIN",
        "BEGIN IMMEDIATE",
        "SAVEPOINT s",
        "DETACH DATABASE main",
        "PRAGMA writable_schema = 1",
        "PRAGMA writable_schema",
        "PRAGMA user_version = 7",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA query_only = 0",
        "SELECT load_extension('/tmp/evil.so')",
        "WITH x AS (SELECT 1) DELETE FROM ledger",
    ])
    func refusesAnythingButReading(sql: String) async throws {
        try await withLedger { database in
            await expectRefusal(database, sql, .notAllowed)
            let schemaIntact = try database.migrationStatus().isUpToDate
            #expect(schemaIntact)
        }
    }

    @Test func cannotWriteTheSchemaTable() async throws {
        try await withLedger { database in
            // SQLite itself refuses this before the authorizer is asked, as invalid SQL.
            await expectRefusal(database, "UPDATE sqlite_master SET sql = '' WHERE name = 'ledger'", .invalid)
            let schemaRows = try await database.count("sqlite_master WHERE sql <> ''")
            #expect(schemaRows > 5)
        }
    }

    @Test func refusesAttachAndVacuumIntoWithoutCreatingFiles() async throws {
        try await withLedger { database in
            let directory = URL(fileURLWithPath: database.path).deletingLastPathComponent()
            let attached = directory.appending(path: "attached.sqlite").path
            let copy = directory.appending(path: "copy.sqlite").path
            for sql in ["ATTACH DATABASE '\(attached)' AS other", "VACUUM INTO '\(copy)'"] {
                await expectRefusal(database, sql, .notAllowed)
            }
            #expect(!FileManager.default.fileExists(atPath: attached))
            #expect(!FileManager.default.fileExists(atPath: copy))
        }
    }

    @Test(arguments: [
        "SELECT 1; SELECT 2",
        "SELECT 1; DELETE FROM ledger",
        "SELECT 1;; INSERT INTO budgets (user_id, updated_at) VALUES ('x', 'y')",
        "SELECT 1; garbage",
        "SELECT * FROM pragma_table_info('ledger'); UPDATE budgets SET limit_usd_micros = 0",
    ])
    func refusesASecondStatement(sql: String) async throws {
        try await withLedger { database in
            await expectRefusal(database, sql, .multipleStatements)
            let budgetRows = try await database.count("budgets")
            #expect(budgetRows == 0)
        }
    }

    @Test func explainsEmptyAndInvalidSQL() async throws {
        try await withLedger { database in
            for (sql, code) in [
                ("", SQLQueryError.Code.empty), ("  -- only a comment\n", .empty), ("SELEC 1", .invalid),
                ("SELECT nope FROM requests", .invalid), ("SELECT * FROM no_such_table", .invalid),
            ] {
                await expectRefusal(database, sql, code)
            }
        }
    }

    @Test func readsWithColumnsTypesAndATrailingSemicolon() async throws {
        try await withLedger { database in
            let result = try await database.query(
                "SELECT 42 AS answer, 0.5 AS half, 'text' AS word, NULL AS missing, x'0aff' AS bytes; -- done")
            #expect(result.columns == ["answer", "half", "word", "missing", "bytes"])
            #expect(result.rows == [[.integer(42), .real(0.5), .text("text"), .null, .blob(Data([0x0a, 0xff]))]])
            #expect(!result.truncated)
            #expect(result.rows[0].map(\.description) == ["42", "0.5", "text", "NULL", "x'0aff'"])
            let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
            #expect(json.contains(#"[42,0.5,"text",null,"Cv8="]"#))
        }
    }

    @Test func allowsIntrospectionPragmasAndRecursiveQueries() async throws {
        try await withLedger { database in
            #expect(try await database.query("PRAGMA table_info(ledger)").rows.count >= 7)
            #expect(try await database.query("SELECT name FROM sqlite_master WHERE type = 'table'").rows.count >= 6)
            let counted = try await database.query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n")
            #expect(counted.rows == [[.integer(55)]])
        }
    }

    @Test func stopsAtTheRowLimit() async throws {
        try await withLedger { database in
            let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) SELECT i FROM n"
            let limited = try await database.query(sql, rowLimit: 10)
            #expect(limited.rows.count == 10)
            #expect(limited.truncated)
            let exact = try await database.query(sql, rowLimit: 50)
            #expect(exact.rows.count == 50)
            #expect(!exact.truncated)
        }
    }

    @Test func interruptsAQueryThatRunsTooLong() async throws {
        try await withLedger { database in
            await expectRefusal(
                database, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
                timeout: .milliseconds(50), .timeout)
        }
    }
}
