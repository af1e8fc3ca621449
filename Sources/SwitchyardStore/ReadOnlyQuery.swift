import Foundation
import GRDBSQLite
import Synchronization

/// Runs one user statement on a fresh read-only SQLite connection that can only read.
///
/// Opening the file read-only is not enough: SQLite still accepts `ATTACH` and `VACUUM INTO` (which create and
/// write other files) and `PRAGMA writable_schema` there. So the connection also has
/// - an authorizer (`sqlite3_set_authorizer`) that allows only `SELECT`, reading tables, recursive CTEs, functions
///   other than ``deniedFunctions`` and the introspection pragmas in ``allowedPragmas``, and denies everything else
///   (writes, DDL, `ATTACH`/`DETACH` — which `VACUUM INTO` uses —, transactions, other pragmas);
/// - `PRAGMA query_only = 1` and `SQLITE_LIMIT_ATTACHED = 0`;
/// - a check that the compiled statement is read-only (`sqlite3_stmt_readonly`, which is false for `VACUUM`);
/// - a check that nothing but blanks and comments follows the first statement;
/// - a progress handler that interrupts it after the time limit or when the calling task is cancelled.
///
/// The connection is raw SQLite rather than GRDB because GRDB installs its own authorizer on its connections.
struct ReadOnlyQuery {
    /// Pragmas that only describe the schema, whatever their argument.
    static let allowedPragmas: Set<String> = [
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
        "collation_list", "function_list", "module_list", "pragma_list", "compile_options",
    ]
    /// Functions that reach outside the database.
    static let deniedFunctions: Set<String> = ["load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"]

    var path: String
    var sql: String
    var rowLimit: Int
    var timeout: Duration

    /// Shared with SQLite's C callbacks: the first denial and the interrupt conditions.
    final class Guard: @unchecked Sendable {
        // Written only on the query's thread, inside SQLite callbacks.
        var denial: String?
        var sawSelect = false
        let deadline: ContinuousClock.Instant
        let cancelled = Atomic<Bool>(false)
        init(deadline: ContinuousClock.Instant) { self.deadline = deadline }
        var shouldInterrupt: Bool { cancelled.load(ordering: .relaxed) || ContinuousClock.now >= deadline }
    }

    /// Runs the query on the calling thread.
    func run(guard queryGuard: Guard) throws(SQLQueryError) -> SQLQueryResult {
        var connection: OpaquePointer?
        let openResult = sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        defer { sqlite3_close_v2(connection) }
        guard openResult == SQLITE_OK, let db = connection else {
            throw SQLQueryError(
                .unavailable, "cannot open the ledger at '\(path)' for reading: \(Self.message(connection))")
        }
        sqlite3_busy_timeout(db, Int32(clamping: timeout.roundedMilliseconds))
        sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0)
        guard sqlite3_exec(db, "PRAGMA query_only = 1", nil, nil, nil) == SQLITE_OK else {
            throw SQLQueryError(.unavailable, "cannot make the connection query-only: \(Self.message(db))")
        }
        let context = Unmanaged.passUnretained(queryGuard).toOpaque()
        sqlite3_set_authorizer(db, authorize, context)
        sqlite3_progress_handler(db, 1000, interrupt, context)
        return try withExtendedLifetime(queryGuard) { () throws(SQLQueryError) -> SQLQueryResult in
            let statement = try prepare(db, guard: queryGuard)
            defer { sqlite3_finalize(statement) }
            return try fetch(statement, db: db, guard: queryGuard)
        }
    }

    private func prepare(_ db: OpaquePointer, guard queryGuard: Guard) throws(SQLQueryError) -> OpaquePointer {
        let utf8 = Array(sql.utf8CString)
        let outcome: Result<OpaquePointer, SQLQueryError> = utf8.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress!
            var statement: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v2(db, start, Int32(buffer.count - 1), &statement, &tail)
            guard result == SQLITE_OK else {
                if let denial = queryGuard.denial {
                    return .failure(SQLQueryError(.notAllowed, "\(denial); only reading the ledger is allowed"))
                }
                return .failure(SQLQueryError(.invalid, Self.message(db)))
            }
            guard let statement else {
                return .failure(SQLQueryError(.empty, "the query holds no SQL statement"))
            }
            // Anything after the first statement except blanks and comments compiles to a second statement (or
            // fails to compile): either way it is refused.
            if let tail, tail.pointee != 0 {
                var next: OpaquePointer?
                let nextResult = sqlite3_prepare_v2(db, tail, -1, &next, nil)
                sqlite3_finalize(next)
                if nextResult != SQLITE_OK || next != nil {
                    sqlite3_finalize(statement)
                    return .failure(
                        SQLQueryError(
                            .multipleStatements, "the query holds more than one statement; send exactly one"))
                }
            }
            guard sqlite3_stmt_readonly(statement) != 0 else {
                sqlite3_finalize(statement)
                return .failure(
                    SQLQueryError(.notAllowed, "the statement would write; only reading the ledger is allowed"))
            }
            return .success(statement)
        }
        return try outcome.get()
    }

    private func fetch(
        _ statement: OpaquePointer, db: OpaquePointer, guard queryGuard: Guard
    ) throws(SQLQueryError) -> SQLQueryResult {
        let columnCount = sqlite3_column_count(statement)
        let columns = (0..<columnCount).map { String(cString: sqlite3_column_name(statement, $0)) }
        var rows: [[SQLValue]] = []
        while true {
            let result = sqlite3_step(statement)
            if result == SQLITE_DONE { return SQLQueryResult(columns: columns, rows: rows, truncated: false) }
            guard result == SQLITE_ROW else {
                if result == SQLITE_INTERRUPT {
                    if queryGuard.cancelled.load(ordering: .relaxed) {
                        throw SQLQueryError(.failed, "the query was cancelled")
                    }
                    throw SQLQueryError(
                        .timeout, "the query ran longer than \(timeout) and was stopped; narrow it down")
                }
                throw SQLQueryError(.failed, Self.message(db))
            }
            guard rows.count < rowLimit else { return SQLQueryResult(columns: columns, rows: rows, truncated: true) }
            rows.append((0..<columnCount).map { Self.value(statement, column: $0) })
        }
    }

    private static func value(_ statement: OpaquePointer, column: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, column)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default: return .null
        }
    }

    private static func message(_ db: OpaquePointer?) -> String {
        guard let db, let message = sqlite3_errmsg(db) else { return "out of memory" }
        return String(cString: message)
    }
}

/// SQLite's authorizer callback for ``ReadOnlyQuery``.
private func authorize(
    _ context: UnsafeMutableRawPointer?, _ action: Int32, _ argument1: UnsafePointer<CChar>?,
    _ argument2: UnsafePointer<CChar>?, _ database: UnsafePointer<CChar>?, _ trigger: UnsafePointer<CChar>?
) -> Int32 {
    let queryGuard = Unmanaged<ReadOnlyQuery.Guard>.fromOpaque(context!).takeUnretainedValue()
    let first = argument1.map { String(cString: $0) }
    let second = argument2.map { String(cString: $0) }
    let denial: String
    switch action {
    case SQLITE_SELECT:
        queryGuard.sawSelect = true
        return SQLITE_OK
    case SQLITE_READ, SQLITE_RECURSIVE:
        return SQLITE_OK
    case SQLITE_UPDATE where queryGuard.sawSelect && first == "sqlite_master":
        // Inside a SELECT, SQLite reports this while it sets up an eponymous virtual table such as
        // `pragma_table_info(...)`. A real write to sqlite_master is impossible anyway: the connection is read-only
        // and query-only, `writable_schema` cannot be set, and the statement must be read-only.
        return SQLITE_OK
    case SQLITE_FUNCTION:
        guard let name = second?.lowercased(), ReadOnlyQuery.deniedFunctions.contains(name) else { return SQLITE_OK }
        denial = "the function \(name)() is not allowed"
    case SQLITE_PRAGMA:
        let name = first?.lowercased() ?? ""
        if ReadOnlyQuery.allowedPragmas.contains(name) { return SQLITE_OK }
        let allowed = ReadOnlyQuery.allowedPragmas.sorted().joined(separator: ", ")
        denial = "PRAGMA \(name) is not allowed (allowed: \(allowed))"
    case SQLITE_ATTACH: denial = "ATTACH is not allowed"
    case SQLITE_DETACH: denial = "DETACH is not allowed"
    case SQLITE_INSERT: denial = "INSERT into \(first ?? "a table") is not allowed"
    case SQLITE_UPDATE: denial = "UPDATE of \(first ?? "a table") is not allowed"
    case SQLITE_DELETE: denial = "DELETE from \(first ?? "a table") is not allowed"
    case SQLITE_TRANSACTION, SQLITE_SAVEPOINT: denial = "transaction control is not allowed"
    default: denial = "this kind of statement (SQLite action \(action)) is not allowed"
    }
    if queryGuard.denial == nil { queryGuard.denial = denial }
    return SQLITE_DENY
}

/// SQLite's progress handler for ``ReadOnlyQuery``: a non-zero return interrupts the statement.
private func interrupt(_ context: UnsafeMutableRawPointer?) -> Int32 {
    Unmanaged<ReadOnlyQuery.Guard>.fromOpaque(context!).takeUnretainedValue().shouldInterrupt ? 1 : 0
}
