import GRDB

extension LedgerDatabase {
    /// Runs `body` on a ``LedgerReader`` over one snapshot of the file (a read transaction on a connection of its
    /// own, so that `body` may suspend between statements); any failure is a ``LedgerError/Code/databaseError``
    /// naming `what`.
    func read<T: Sendable>(_ what: String, _ body: (LedgerReader) async throws -> T) async throws -> T {
        do {
            let snapshot = try pool.makeSnapshot()
            return try await body(LedgerReader(SQLiteLedgerSnapshot(snapshot: snapshot)))
        } catch let error as LedgerError {
            throw LedgerError(error.code, "cannot compute \(what) from '\(path)': \(error.message)")
        } catch {
            throw LedgerError(.databaseError, "cannot compute \(what) from '\(path)': \(error)")
        }
    }
}

/// A ``LedgerSnapshot`` over a GRDB snapshot: a read-only connection that stays in one read transaction until
/// released, so all its statements see the same commit.
struct SQLiteLedgerSnapshot: LedgerSnapshot {
    let snapshot: DatabaseSnapshot

    var dialect: SQLDialect { .sqlite }

    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) async throws {
        // `body` runs on the snapshot's queue while this call awaits it, one row after another: it never runs
        // concurrently with its caller, nor after this call returns.
        try await withoutActuallyEscaping(body) { body in
            let body = UncheckedSendable(value: body)
            try await snapshot.read { db in
                let rows = try Row.fetchCursor(
                    db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
                while let row = try rows.next() {
                    try body.value((0..<row.count).map { (row[$0] as DatabaseValue).sqlValue })
                }
            }
        }
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

extension SQLValue {
    fileprivate var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .blob(let value): value.databaseValue
        }
    }
}

extension DatabaseValue {
    fileprivate var sqlValue: SQLValue {
        switch storage {
        case .null: .null
        case .int64(let value): .integer(value)
        case .double(let value): .real(value)
        case .string(let value): .text(value)
        case .blob(let value): .blob(value)
        }
    }
}
