import Foundation
import PostgresNIO
import SwitchyardCore
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// Whether the PostgreSQL cases run (`SWITCHYARD_TEST_POSTGRES_URL`, see ``LedgerEngine``).
private let postgresAvailable = LedgerEngine.available.contains(.postgres)

/// After a query, refused or not: no connection of the pool is left in a transaction, holds an advisory lock or
/// has a changed setting, and the pool still reads and writes.
private func expectPoolIsClean(_ ledger: PostgresLedger, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    func integer(_ sql: String) async throws -> Int64? {
        guard case .integer(let value) = try await ledger.rows(PostgresQuery(unsafeSQL: sql)).first?.sqlValues.first
        else { return nil }
        return value
    }
    let inTransaction = try await integer(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            + "AND state LIKE 'idle in transaction%'")
    #expect(inTransaction == 0, "connections left in a transaction", sourceLocation: sourceLocation)
    #expect(
        try await integer(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 0,
        "advisory locks left", sourceLocation: sourceLocation)
    // Hold several connections at once, so that the one the query used is among them.
    let settings = try await withThrowingTaskGroup(of: [SQLValue].self) { group in
        for _ in 0..<4 {
            group.addTask {
                try await ledger.rows(
                    PostgresQuery(
                        unsafeSQL: "SELECT current_setting('statement_timeout'), current_setting('transaction_read_only'), "
                            + "current_setting('standard_conforming_strings'), (SELECT 1 FROM pg_sleep(0.05))")
                ).first?.sqlValues ?? []
            }
        }
        return try await group.reduce(into: Set<[SQLValue]>()) { $0.insert($1) }
    }
    #expect(
        settings == [[.text("0"), .text("off"), .text("on"), .integer(1)]], "settings changed",
        sourceLocation: sourceLocation)
    _ = try await ledger.rows("INSERT INTO budgets (user_id, updated_at) VALUES ('pool-probe', 'now')")
    _ = try await ledger.rows("DELETE FROM budgets WHERE user_id = 'pool-probe'")
    #expect(try await ledger.query("SELECT 1 AS one").rows == [[.integer(1)]], sourceLocation: sourceLocation)
}

/// What only the PostgreSQL read-only query must refuse or do; the engine-neutral cases are in ReadOnlyQueryTests.
@Suite(.timeLimit(.minutes(5)), .enabled(if: postgresAvailable)) struct PostgresReadOnlyQueryTests {
    @Test(arguments: [
        "COPY ledger TO STDOUT",
        "COPY ledger TO '/tmp/switchyard-stolen.csv'",
        "COPY (SELECT 1) TO PROGRAM 'touch /tmp/switchyard-program-ran'",
        "COPY budgets FROM STDIN",
        "SELECT dblink('host=127.0.0.1', 'DELETE FROM ledger')",
        "SELECT * FROM dblink_exec('dbname=x', 'DROP TABLE ledger')",
        "SELECT postgres_fdw_disconnect_all()",
        "SELECT pg_read_file('PG_VERSION')",
        "SELECT pg_read_binary_file('PG_VERSION')",
        "SELECT * FROM pg_ls_dir('.')",
        "SELECT pg_stat_file('PG_VERSION')",
        "SELECT lo_import('/etc/passwd')",
        "SELECT lo_export(1, '/tmp/switchyard-lo')",
        "SELECT set_config('statement_timeout', '0', false)",
        "SELECT set_config('transaction_read_only', 'off', true)",
        "SET statement_timeout = 0",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "RESET ALL",
        "SELECT pg_advisory_lock(1)",
        "SELECT pg_try_advisory_lock(1)",
        "SELECT pg_advisory_xact_lock(1)",
        "SELECT pg_terminate_backend(pg_backend_pid())",
        "SELECT pg_cancel_backend(1)",
        "SELECT pg_reload_conf()",
        "SELECT nextval('ledger_id_seq')",
        "SELECT setval('ledger_id_seq', 1)",
        "SELECT txid_current()",
        "LISTEN ledger",
        "NOTIFY ledger, 'x'",
        "SELECT pg_notify('ledger', 'x')",
        "UNLISTEN *",
        "PREPARE p AS SELECT 1",
        "EXECUTE p",
        "DEALLOCATE ALL",
        "DO $$ BEGIN DELETE FROM ledger; END $$",
        "CALL some_procedure()",
        "VACUUM ledger",
        "SELECT id FROM ledger FOR UPDATE",
        "SELECT id FROM ledger FOR NO KEY UPDATE",
        "SELECT id FROM ledger FOR SHARE",
        "SELECT id FROM ledger FOR KEY SHARE SKIP LOCKED",
        "SELECT * INTO stolen FROM ledger",
        "SELECT 1 INTO TEMP scratch",
        "BEGIN",
        "BEGIN READ WRITE",
        "START TRANSACTION",
        "COMMIT",
        "ROLLBACK",
        "END",
        "ABORT",
        "WITH x AS (DELETE FROM ledger RETURNING *) SELECT * FROM x",
        "WITH x AS (INSERT INTO budgets (user_id, updated_at) VALUES ('x', 'y') RETURNING *) SELECT * FROM x",
        "WITH x AS (UPDATE budgets SET spent_usd_micros = 0 RETURNING *) SELECT count(*) FROM x",
        "WITH x AS (SELECT 1) MERGE INTO budgets USING x ON true WHEN MATCHED THEN DELETE",
        "EXPLAIN ANALYZE DELETE FROM ledger",
        "EXPLAIN ANALYZE CREATE TABLE stolen AS SELECT 1",
        "EXPLAIN EXECUTE p",
        "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
        "CREATE TABLE stolen AS SELECT * FROM ledger",
        "TRUNCATE ledger",
        "LOCK TABLE ledger",
        "DISCARD ALL",
        "LOAD 'plpgsql'",
        "CHECKPOINT",
        "REFRESH MATERIALIZED VIEW v",
        "GRANT ALL ON ledger TO PUBLIC",
        "SECURITY LABEL ON TABLE ledger IS 'x'",
        "COMMENT ON TABLE ledger IS 'x'",
        "SELECT query_to_xml('SELECT pg_read_file(''PG_VERSION'')', true, true, '')",
        "SELECT ts_stat('SELECT 1')",
        // Spelled to slip past a check that reads words naively.
        "SELECT PG_READ_FILE('PG_VERSION')",
        #"SELECT "pg_read_file"('PG_VERSION')"#,
        "SELECT pg_catalog.pg_read_file('PG_VERSION')",
        "SELECT pg_read_file /* a comment */ ('PG_VERSION')",
        "SELECT pg_read_file\n-- a comment\n('PG_VERSION')",
        #"SELECT U&"\0070g_read_file"('PG_VERSION')"#,
        "SELECT 1pg_advisory_lock(1)",
        "SELECT $$ a string $$, pg_advisory_lock(1)",
        "SELECT E'\\' DELETE', pg_advisory_lock(1)",
        "SELECT 'it''s', pg_advisory_lock(1)",
        "(SELECT 1) UNION (SELECT nextval('ledger_id_seq'))",
    ])
    func refusesWhatEscapesTheTransaction(sql: String) async throws {
        try await withEngine(.postgres) { harness in
            let budgets = harness.store()
            _ = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 100)
            await expectRefusal(harness, sql, .notAllowed)
            #expect(try await harness.integer("SELECT count(*) FROM ledger") == 1)
            #expect(try await schemaIsCurrent(harness))
            #expect(!FileManager.default.fileExists(atPath: "/tmp/switchyard-program-ran"))
            try await expectPoolIsClean(harness.postgres!)
        }
    }

    @Test func denialsDoNotReachIntoStringsCommentsOrNames() async throws {
        try await withEngine(.postgres) { harness in
            let result = try await harness.query(
                """
                SELECT 'DELETE FROM ledger; pg_read_file(1)' AS a, $tag$ INSERT INTO x $tag$ AS b,
                    E'it\\'s UPDATE' AS c, "note" IS NULL AS d, substring('abcdef' FROM 2 FOR 3) AS e
                -- DROP TABLE ledger; SELECT pg_sleep(100)
                /* nested /* COPY */ still a comment; */
                FROM (SELECT NULL AS note) AS updates_not;
                """)
            #expect(result.columns == ["a", "b", "c", "d", "e"])
            #expect(
                result.rows == [
                    [.text("DELETE FROM ledger; pg_read_file(1)"), .text(" INSERT INTO x "), .text("it's UPDATE"),
                        .integer(1), .text("bcd")]
                ])
            try await expectPoolIsClean(harness.postgres!)
        }
    }

    /// The statements are sent without the token check: the read-only transaction and the cursor refuse them on
    /// their own.
    @Test(arguments: [
        ("WITH x AS (DELETE FROM ledger RETURNING 1) SELECT * FROM x", PostgresReadOnlyQuery.Kind.cursor),
        ("SELECT nextval('ledger_id_seq')", .cursor),
        ("SELECT * INTO stolen FROM ledger", .cursor),
        ("SELECT id FROM ledger FOR UPDATE", .cursor),
        ("SELECT set_config('transaction_read_only', 'off', true)", .cursor),
        ("DELETE FROM ledger", .direct),
        ("INSERT INTO budgets (user_id, updated_at) VALUES ('x', 'y')", .direct),
        ("CREATE TABLE stolen (x int)", .direct),
    ])
    func theServerRefusesWritesOnItsOwn(sql: String, kind: PostgresReadOnlyQuery.Kind) async throws {
        try await withEngine(.postgres) { harness in
            let ledger = harness.postgres!
            _ = try await harness.store().reserve(userID: "alice", requestID: "r1", amount: 100)
            await #expect(throws: SQLQueryError.self) {
                try await ledger.run(
                    PostgresReadOnlyQuery(statement: sql, kind: kind), rowLimit: 10, timeout: .seconds(5))
            }
            #expect(try await harness.integer("SELECT count(*) FROM ledger") == 1)
            #expect(try await harness.integer("SELECT count(*) FROM budgets WHERE user_id = 'x'") == 0)
            #expect(try await schemaIsCurrent(harness))
            try await expectPoolIsClean(ledger)
        }
    }

    /// Sent without the token check, these run; the rollback undoes them, so the connection goes back as it came.
    @Test(arguments: [
        ("SET SESSION statement_timeout = 1", PostgresReadOnlyQuery.Kind.direct),
        ("SELECT set_config('statement_timeout', '1', false)", .cursor),
        ("SELECT set_config('standard_conforming_strings', 'off', false)", .cursor),
        ("COMMIT", .direct),
    ])
    func theRollbackUndoesSessionSettings(sql: String, kind: PostgresReadOnlyQuery.Kind) async throws {
        try await withEngine(.postgres) { harness in
            _ = try? await harness.postgres!.run(
                PostgresReadOnlyQuery(statement: sql, kind: kind), rowLimit: 10, timeout: .seconds(5))
            try await expectPoolIsClean(harness.postgres!)
        }
    }

    @Test func stopsASleepAtTheTimeout() async throws {
        try await withEngine(.postgres) { harness in
            let clock = ContinuousClock()
            for sql in ["SELECT pg_sleep(10)", "SELECT pg_sleep_for('10 seconds')", "EXPLAIN ANALYZE SELECT pg_sleep(10)"] {
                let elapsed = await clock.measure {
                    await expectRefusal(harness, sql, timeout: .milliseconds(200), .timeout)
                }
                #expect(elapsed < .seconds(5), "\(sql) took \(elapsed)")
                try await expectPoolIsClean(harness.postgres!)
            }
            // Within the time-out, sleeping is only slow.
            #expect(try await harness.query("SELECT 1 AS slept FROM pg_sleep(0.01)").rows == [[.integer(1)]])
        }
    }

    @Test func fetchesOnlyUpToTheRowLimit() async throws {
        try await withEngine(.postgres) { harness in
            // Ten million rows would not arrive within the second: the cursor fetches eleven.
            let result = try await harness.query(
                "SELECT generate_series(1, 10000000) AS i", rowLimit: 10, timeout: .seconds(1))
            #expect(result.rows == (1...10).map { [.integer(Int64($0))] })
            #expect(result.truncated)
            try await expectPoolIsClean(harness.postgres!)
        }
    }

    @Test func failuresWhileRunningLeaveThePoolClean() async throws {
        try await withEngine(.postgres) { harness in
            for (sql, code) in [
                ("SELECT 1 / 0", SQLQueryError.Code.failed), ("SELECT 'x'::int", .failed),
                ("SELECT nope FROM ledger", .invalid), ("SELECT (", .invalid), ("SELECT 1)", .invalid),
                ("SELECT 'unterminated", .invalid), ("SELECT 1 /* unterminated", .invalid),
            ] {
                await expectRefusal(harness, sql, code)
                try await expectPoolIsClean(harness.postgres!)
            }
        }
    }

    @Test func explainAndShowRun() async throws {
        try await withEngine(.postgres) { harness in
            let plan = try await harness.query("EXPLAIN SELECT * FROM ledger WHERE user_id = 'alice'")
            #expect(plan.columns == ["QUERY PLAN"])
            #expect(!plan.rows.isEmpty)
            let json = try await harness.query("EXPLAIN (FORMAT JSON) SELECT 1")
            guard case .text(let text) = json.rows.first?.first else {
                Issue.record("expected the plan as text, got \(json)")
                return
            }
            #expect(text.contains("\"Plan\""))
            #expect(try await harness.query("SHOW standard_conforming_strings").rows == [[.text("on")]])
            #expect(try await harness.query("TABLE budgets").columns.contains("user_id"))
            #expect(try await harness.query("VALUES (1, 'a'), (2, 'b')").rows.count == 2)
        }
    }

    /// Values of types without a Swift counterpart come as the text PostgreSQL prints for them.
    @Test func showsOtherTypesAsPostgreSQLsText() async throws {
        try await withEngine(.postgres) { harness in
            let expressions = [
                "'2025-06-15 12:00:00.5'::timestamp", "'2025-06-15 12:34:56.123456'::timestamp",
                "'0044-03-15 12:00 BC'::timestamp", "'infinity'::timestamp", "'-infinity'::timestamp",
                "'2025-06-15'::date", "'0044-03-15 BC'::date", "'1999-12-31'::date", "'12:34:56.5'::time",
                "'12:34:56.5+05:30'::timetz", "'1 year 2 mons 3 days 04:05:06.5'::interval", "'-1 day -2 hours'::interval",
                "'-14 mons'::interval", "'0'::interval", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
                #"'{"a": [1, 2]}'::json"#, #"'{"a": [1, 2], "b": null}'::jsonb"#, "ARRAY[1, 2, NULL]",
                "ARRAY['a', 'b c', NULL, '', 'NULL', 'q\"']", "ARRAY[[1, 2], [3, 4]]", "'[0:1]={1,2}'::int[]",
                "ARRAY[true, false]", "'{}'::int[]", "ARRAY[1.5, 2]::float8[]", "ARRAY['2025-06-15'::date]",
                "B'0101'", "'Y'::\"char\"", "'x'::name",
            ]
            for expression in expressions {
                let shown = try await harness.query("SELECT \(expression) AS v").rows
                let text = try await harness.rows("SELECT (\(expression))::text")
                #expect(shown == text, "\(expression)")
            }
            let zoned = try await harness.query("SELECT '2025-06-15 12:00:00+02'::timestamptz AS v").rows
            #expect(zoned == [[.text("2025-06-15 10:00:00+00")]])
            let values = try await harness.query(
                "SELECT 'pg_class'::regclass AS c, 12.5::numeric AS n, 10::numeric AS whole, 1.5::real AS r")
            #expect(values.rows == [[.integer(1259), .real(12.5), .integer(10), .real(1.5)]])
        }
    }
}
