import GRDB
import Synchronization

/// What the ledger writer (``LedgerEventSink``) commits its batches to: the SQLite file (``SQLiteLedgerCommitter``)
/// or the PostgreSQL database. The writer's queue, group commit, flush waiters and fault handling are the same for
/// both; only the transaction and the fault classification differ.
package protocol LedgerCommitter: Sendable {
    /// Where the ledger is, for messages: a file path or a URL without its password.
    var location: String { get }

    /// Commits `writes` in one transaction, each budget write in a savepoint of its own.
    /// - Returns: the result of each budget write, in order.
    /// - Throws: the error that rolled the whole transaction back.
    func commit(_ writes: [LedgerWrite]) async throws -> [Result<BudgetWrite.Outcome, any Error>]

    /// Whether `error` is a passing failure of the database (retried; nothing is lost) rather than a rejection of
    /// what was written.
    func isRetryable(_ error: any Error) -> Bool
}

/// Commits the writer's batches to the SQLite ledger with ``LedgerEventRecorder``.
final class SQLiteLedgerCommitter: LedgerCommitter {
    let database: LedgerDatabase
    /// `prices.id` of every price this writer has committed a row for, so that a batch looks a price up only once per
    /// process. Only the writer's loop uses it; ids learned in a transaction join it only once that transaction commits.
    let committedPriceIDs = Mutex<[LedgerEventRecorder.PriceKey: Int64]>([:])

    init(database: LedgerDatabase) {
        self.database = database
    }

    var location: String { database.path }

    func commit(_ writes: [LedgerWrite]) async throws -> [Result<BudgetWrite.Outcome, any Error>] {
        // `.cancellable` costs no extra task, and nothing cancels the writer's loop (see `LedgerEventSink.run()`).
        let known = committedPriceIDs.withLock { $0 }
        let (results, priceIDs) = try await database.writeTransaction(.cancellable) { db in
            try LedgerEventRecorder.record(writes, in: db, priceIDs: known)
        }
        if priceIDs.count != known.count { committedPriceIDs.withLock { $0 = priceIDs } }
        return results
    }

    func isRetryable(_ error: any Error) -> Bool { LedgerFault.isRetryable(error) }
}
