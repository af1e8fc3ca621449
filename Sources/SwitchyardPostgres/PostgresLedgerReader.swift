import Foundation
import Logging
import PostgresNIO
import SwitchyardStore

extension PostgresLedger {
    /// Runs `body` on a ``SwitchyardStore/LedgerReader`` over one `REPEATABLE READ READ ONLY` transaction on one
    /// connection of the pool (every statement sees the snapshot its first one took), without JIT compilation;
    /// any failure is a
    /// ``SwitchyardStore/LedgerError/Code/databaseError`` naming `what`.
    func read<T: Sendable>(_ what: String, _ body: (LedgerReader) async throws -> T) async throws -> T {
        do {
            return try await transaction { connection in
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                // A report's grouped scan is costly enough to the planner to be compiled with JIT, which took 1.3 s of
                // the reliability report's second over a week at a million rows, for a query that runs in 0.1 s.
                try await connection.query("SET LOCAL jit = off", logger: logger)
                return try await body(LedgerReader(PostgresLedgerSnapshot(connection: connection, logger: logger)))
            }
        } catch let error as LedgerError {
            throw LedgerError(error.code, "cannot compute \(what) from \(location): \(error.message)")
        } catch {
            throw LedgerError(
                .databaseError, "cannot compute \(what) from \(location): \(PostgresFault.describe(error))")
        }
    }
}

/// A ``SwitchyardStore/LedgerSnapshot`` on a connection inside a read-only transaction: `?` placeholders arrive as
/// `$1`, `$2`, ... (the reader converts them) and ``SwitchyardStore/SQLValue`` arguments are bound as `bigint`,
/// `double precision`, `text` or `bytea`.
struct PostgresLedgerSnapshot: LedgerSnapshot {
    let connection: PostgresConnection
    let logger: Logger

    var dialect: SQLDialect { .postgres }

    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) async throws {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .blob(let value): try bindings.append(value)
            }
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        for try await row in rows {
            try body(row.sqlValues)
        }
    }
}
