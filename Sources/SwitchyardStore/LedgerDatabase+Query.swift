import Dispatch
import Synchronization

extension LedgerDatabase {
    /// Runs one read-only SQL statement against the ledger, on its own read-only connection.
    ///
    /// Only reading is allowed: writes, schema changes, `ATTACH`/`DETACH`, `VACUUM` (and `VACUUM INTO`), pragmas
    /// other than schema introspection (`table_info`, `index_list`, ...), transactions, `load_extension()` and a
    /// second statement are refused with ``SQLQueryError/Code/notAllowed`` or
    /// ``SQLQueryError/Code/multipleStatements``.
    ///
    /// ```swift
    /// let result = try await database.query(
    ///     "SELECT user_id, sum(cost_usd_micros) FROM requests GROUP BY user_id", rowLimit: 100)
    /// print(result.columns, result.rows, result.truncated)
    /// ```
    /// - Parameters:
    ///   - sql: one statement; a trailing `;` and comments are fine.
    ///   - rowLimit: the most rows returned; ``SQLQueryResult/truncated`` tells if there were more. Default 1,000.
    ///   - timeout: the statement is interrupted after this long. Default 5 seconds.
    /// - Throws: ``SQLQueryError``.
    public func query(_ sql: String, rowLimit: Int = 1000, timeout: Duration = .seconds(5)) async throws
        -> SQLQueryResult
    {
        let query = ReadOnlyQuery(path: path, sql: sql, rowLimit: max(0, rowLimit), timeout: timeout)
        let queryGuard = ReadOnlyQuery.Guard(deadline: .now + timeout)
        return try await withTaskCancellationHandler {
            // SQLite blocks while it runs: keep it off the concurrency pool's few threads.
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global(qos: .userInitiated).async {
                    continuation.resume(with: Result { () throws(SQLQueryError) in try query.run(guard: queryGuard) })
                }
            }
        } onCancel: {
            queryGuard.cancelled.store(true, ordering: .relaxed)
        }
    }
}
