import GRDB

/// Tells a failure of the database (retried: nothing is lost) from a rejection of what was written (not retried).
///
/// Retried, because they say the file or its lock cannot be written *now*, whatever is written, and go away when
/// the cause does: `SQLITE_BUSY` and `SQLITE_LOCKED` (another connection holds the lock past the busy time-out),
/// `SQLITE_FULL` (disk or `max_page_count` full), `SQLITE_IOERR*`, `SQLITE_CANTOPEN`, `SQLITE_READONLY`,
/// `SQLITE_PROTOCOL`, `SQLITE_NOMEM`, and `SQLITE_CORRUPT` / `SQLITE_NOTADB` (a damaged file: writing nothing and
/// refusing new requests is safer than dropping every record; an operator must repair it).
///
/// Everything else (a constraint, a type mismatch, an SQL error such as a missing table, an error that is not
/// SQLite's) is a rejection of the statement: the event or operation that caused it is at fault, not the database.
enum LedgerFault {
    /// Whether `error` is a passing failure of the database that a later retry of the same write may not meet.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY,
            .SQLITE_PROTOCOL, .SQLITE_NOMEM, .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return true
        default:
            return false
        }
    }
}
