import PostgresNIO
import SwitchyardStore

/// Tells a failure of the PostgreSQL server or the connection to it (retried: nothing is lost) from a rejection of
/// what was written (not retried), as `LedgerFault` does for SQLite.
///
/// Retried: no connection of the pool came within its time-out (`ledger_unavailable`), the connection could not be
/// made or was lost (the server restarts, the network drops), the pool is
/// busy past its time-out, and the SQLSTATE classes that say *now* rather than *this*: 08 (connection exception),
/// 40 (serialization failure, deadlock: the transaction is rolled back and may be run again), 53 (insufficient
/// resources: disk full, out of memory, too many connections), 57 (operator intervention: shutdown, query
/// cancelled by an administrator or a statement time-out) and 58 (system error: I/O).
///
/// Everything else (a constraint, a type mismatch, a syntax error, a missing table) rejects the statement.
enum PostgresFault {
    /// Whether `error` is a passing failure that a later retry of the same write may not meet.
    static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? LedgerError { return error.code == .unavailable }  // no connection in time
        if let error = error as? PostgresTransactionError {
            return [error.beginError, error.closureError, error.commitError].contains { $0.map(isRetryable) ?? false }
        }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .server:
            guard let state = error.serverInfo?[.sqlState] else { return false }
            return ["08", "40", "53", "57", "58"].contains(String(state.prefix(2)))
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown,
            .sslUnsupported, .messageDecodingFailure, .unexpectedBackendMessage, .queryCancelled:
            return true
        default:
            return false
        }
    }

    /// The SQLSTATE of a server error, if `error` is one.
    static func sqlState(_ error: any Error) -> String? {
        if let error = error as? PostgresTransactionError {
            return [error.closureError, error.commitError, error.beginError].lazy.compactMap { $0.flatMap(sqlState) }
                .first
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The server's message (and detail) for a server error, else what the client says: PSQLError's own
    /// description hides the server's words.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            return [error.closureError, error.commitError, error.beginError].lazy.compactMap { $0.map(describe) }
                .first ?? "\(error)"
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let detail = info[.detail].map { ": \($0)" } ?? ""
            return message + detail + state
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
