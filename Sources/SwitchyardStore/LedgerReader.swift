/// One consistent, read-only view of the ledger, on either engine: what a ``LedgerReportRequest`` computes its
/// report from. Every statement run through one reader sees the same committed state (SQLite: one snapshot;
/// PostgreSQL: one `REPEATABLE READ READ ONLY` transaction), so a report's figures add up even while the ledger
/// is written.
///
/// A reader lives as long as the call that opened it (``LedgerDatabase/report(_:)``, or the PostgreSQL ledger's);
/// do not keep it.
public struct LedgerReader: Sendable {
    private let snapshot: any LedgerSnapshot

    package init(_ snapshot: any LedgerSnapshot) {
        self.snapshot = snapshot
    }

    /// The engine the statements run on.
    package var dialect: SQLDialect { snapshot.dialect }

    /// Runs one statement (placeholders written `?`, see ``SQLDialect/placeholders(in:)``) and hands `body` each row,
    /// in order, without holding them all.
    package func forEachRow(
        _ sql: String, _ arguments: [SQLValue] = [], _ body: (LedgerRow) throws -> Void
    ) async throws {
        try await snapshot.forEachRow(dialect.placeholders(in: sql), arguments) { values in
            try body(LedgerRow(values: values))
        }
    }

    /// Runs one statement and returns all its rows.
    package func rows(_ sql: String, _ arguments: [SQLValue] = []) async throws -> [LedgerRow] {
        var rows: [LedgerRow] = []
        try await forEachRow(sql, arguments) { rows.append($0) }
        return rows
    }
}

/// What an engine implements for a ``LedgerReader``: statements run in one read-only snapshot of the ledger.
package protocol LedgerSnapshot: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `sql` (placeholders already in the engine's form) with `arguments` bound in order, and hands `body` each
    /// row's values, in order.
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) async throws
}
