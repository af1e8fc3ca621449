import PostgresNIO
public import SwitchyardStore

extension PostgresLedger {
    /// Runs one read-only SQL statement against the ledger, as ``LedgerDatabase/query(_:rowLimit:timeout:)`` does
    /// for SQLite, and returns the same ``SQLQueryResult``.
    ///
    /// Only reading is allowed. The guards, in depth:
    /// - The statement runs in a `READ ONLY` transaction that is always rolled back, with
    ///   `statement_timeout` (from `timeout`) and `standard_conforming_strings = on` set for that transaction only
    ///   (`set_config(..., true)`), so the connection goes back to the pool as it came. The server refuses writes,
    ///   DDL, `nextval()`, `SELECT INTO`, `FOR UPDATE` in it, and a switch back to read-write.
    /// - `SELECT`, `WITH`, `VALUES` and `TABLE` queries are read through a cursor (`DECLARE ... NO SCROLL CURSOR`,
    ///   `FETCH FORWARD rowLimit + 1`): the server stops after the row limit, and refuses data-modifying `WITH`
    ///   and `SELECT INTO` there too. `EXPLAIN` and `SHOW` run as they are.
    /// - Before anything is sent, a check of the statement's tokens (comments and string constants left out)
    ///   refuses a second statement; every other command (`COPY`, `SET`/`RESET`, `LISTEN`/`NOTIFY`,
    ///   `PREPARE`/`EXECUTE`, `DO`, `CALL`, `VACUUM`, `BEGIN`/`COMMIT`/`ROLLBACK`, DDL, ...); `INSERT`, `UPDATE`,
    ///   `DELETE`, `MERGE`, `INTO`, `FOR SHARE`, `FOR UPDATE` anywhere; and functions that escape the transaction
    ///   or reach outside the database, which a read-only transaction allows: files (`pg_read_file`, `pg_ls_dir`,
    ///   `lo_import`, `lo_export`, ...), session-level advisory locks, `pg_terminate_backend`/`pg_cancel_backend`,
    ///   `set_config`, `nextval`/`setval`, `pg_notify`, `dblink`/`postgres_fdw`, replication and backup control,
    ///   and `query_to_xml` and the like, which run SQL given as text (the full list: `PostgresReadOnlyQuery`).
    /// - `pg_sleep` and any other long statement is stopped by the time-out.
    ///
    /// What this cannot do is take privileges away: the statement runs as the ledger's login, which owns the
    /// tables. Functions of extensions or of other schemas the login may call are not checked; if the login is a
    /// superuser, file access rests on the function check alone. Give the ledger a login that is not a superuser
    /// and holds no `pg_read_server_files`, `pg_write_server_files`, `pg_execute_server_program` or
    /// `pg_signal_backend` membership.
    ///
    /// Values arrive as ``SQLValue``: integers, reals, `bytea` as blobs, booleans as 0/1, and timestamps, dates,
    /// intervals, `uuid`, `json`, arrays and other types as their text (see `PostgresCell.sqlValue`).
    ///
    /// ```swift
    /// let result = try await ledger.query(
    ///     "SELECT user_id, sum(cost_usd_micros) FROM requests GROUP BY user_id", rowLimit: 100)
    /// print(result.columns, result.rows, result.truncated)
    /// ```
    /// - Parameters:
    ///   - sql: one statement; a trailing `;` and comments are fine.
    ///   - rowLimit: the most rows returned; ``SQLQueryResult/truncated`` tells if there were more. Default 1,000.
    ///   - timeout: the statement is stopped after this long. Default 5 seconds.
    /// - Throws: ``SQLQueryError``: `sql_empty`, `sql_multiple_statements`, `sql_not_allowed`, `sql_invalid`
    ///   (syntax, unknown table or column), `sql_timeout`, `sql_failed` (an error while running),
    ///   `sql_unavailable` (the server cannot be reached).
    public func query(_ sql: String, rowLimit: Int = 1000, timeout: Duration = .seconds(5)) async throws
        -> SQLQueryResult
    {
        try await run(PostgresReadOnlyQuery.check(sql), rowLimit: rowLimit, timeout: timeout)
    }

    /// Runs a checked statement in a read-only transaction, rolled back whatever happens.
    func run(_ query: PostgresReadOnlyQuery, rowLimit: Int, timeout: Duration) async throws(SQLQueryError)
        -> SQLQueryResult
    {
        let limit = min(max(0, rowLimit), Int(Int32.max) - 1)
        let deadline = ContinuousClock.now + timeout
        if Task.isCancelled { throw SQLQueryError(.failed, "the query was cancelled") }
        do {
            return try await self.connection { connection in
                try await connection.query("BEGIN TRANSACTION READ ONLY", logger: logger)
                do {
                    try await setTimeout(on: connection, until: deadline, timeout: timeout)
                    let result: SQLQueryResult
                    switch query.kind {
                    case .cursor:
                        result = try await fetch(
                            query.statement, on: connection, limit: limit, deadline: deadline, timeout: timeout)
                    case .direct:
                        result = try await direct(query.statement, on: connection, limit: limit)
                    }
                    await rollBack(connection)
                    return result
                } catch {
                    await rollBack(connection)
                    throw error
                }
            }
        } catch let error as SQLQueryError {
            throw error
        } catch {
            throw queryError(error, timeout: timeout)
        }
    }

    private func fetch(
        _ statement: String, on connection: PostgresConnection, limit: Int, deadline: ContinuousClock.Instant,
        timeout: Duration
    ) async throws -> SQLQueryResult {
        try await connection.query(
            PostgresQuery(unsafeSQL: "DECLARE switchyard_query NO SCROLL CURSOR FOR\n" + statement), logger: logger)
        try await setTimeout(on: connection, until: deadline, timeout: timeout)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "FETCH FORWARD \(limit + 1) FROM switchyard_query"), logger: logger
        ).collect()
        var columns = rows.first?.columnNames
        if columns == nil {
            // Rows carry the column names; without a row, ask for a row of NULLs with the same columns (LIMIT 0:
            // the statement is planned again but not run).
            let empty = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT switchyard_result.* FROM (VALUES (0)) AS switchyard_one LEFT JOIN "
                        + "(SELECT * FROM (\n\(statement)\n) AS switchyard_inner LIMIT 0) AS switchyard_result ON true"),
                logger: logger
            ).collect()
            columns = empty.first?.columnNames
        }
        return SQLQueryResult(
            columns: columns ?? [], rows: rows.prefix(limit).map(\.sqlValues), truncated: rows.count > limit)
    }

    private func direct(_ statement: String, on connection: PostgresConnection, limit: Int) async throws
        -> SQLQueryResult
    {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
        return SQLQueryResult(
            columns: rows.first?.columnNames ?? [], rows: rows.prefix(limit).map(\.sqlValues),
            truncated: rows.count > limit)
    }

    /// Sets `statement_timeout` to what is left until `deadline`, for this transaction only (0 would mean none).
    private func setTimeout(
        on connection: PostgresConnection, until deadline: ContinuousClock.Instant, timeout: Duration
    ) async throws {
        let left = deadline - ContinuousClock.now
        guard left > .zero else { throw Self.timedOut(timeout) }
        let milliseconds = max(1, Int((left / .milliseconds(1)).rounded(.up)))
        let settings: PostgresQuery = """
            SELECT set_config('statement_timeout', \(String(milliseconds)), true),
                set_config('standard_conforming_strings', 'on', true)
            """
        try await connection.query(settings, logger: logger)
    }

    /// Ends the transaction; a connection that cannot is closed, so that the pool never hands it out again.
    private func rollBack(_ connection: PostgresConnection) async {
        do {
            try await connection.query("ROLLBACK", logger: logger)
        } catch {
            logger.warning(
                "closing a PostgreSQL connection that could not roll back a read-only query",
                metadata: ["error": "\(PostgresFault.describe(error))"])
            try? await connection.close()
        }
    }

    private static func timedOut(_ timeout: Duration) -> SQLQueryError {
        SQLQueryError(.timeout, "the query ran longer than \(timeout) and was stopped; narrow it down")
    }

    private func queryError(_ error: any Error, timeout: Duration) -> SQLQueryError {
        let message = PostgresFault.describe(error)
        guard let state = PostgresFault.sqlState(error) else {
            return SQLQueryError(.unavailable, "cannot query the PostgreSQL ledger at \(location): \(message)")
        }
        switch state {
        case "57014": return Self.timedOut(timeout)
        case "25006", "42501": return SQLQueryError(.notAllowed, "\(message); only reading the ledger is allowed")
        case _ where state.hasPrefix("42"): return SQLQueryError(.invalid, message)
        case _ where ["08", "53", "57", "58"].contains(String(state.prefix(2))):
            return SQLQueryError(.unavailable, "the PostgreSQL ledger at \(location) failed: \(message)")
        default: return SQLQueryError(.failed, message)
        }
    }
}
