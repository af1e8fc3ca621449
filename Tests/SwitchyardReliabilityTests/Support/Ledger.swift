import Foundation
import GRDB

/// Reads the server's SQLite ledger directly, on a fresh read-only connection per call (so every read sees the
/// latest commits), with the column names docs/ledger.md promises.
struct Ledger: Sendable {
    let path: String

    struct RequestRow: Sendable, CustomStringConvertible {
        var id: String
        var userID: String
        var status: String
        var provider: String?
        var costMicros: Int64
        var tokensEstimated: Bool
        var errorCode: String?
        var attemptCount: Int?
        var description: String {
            "\(id) \(status) provider=\(provider ?? "-") cost=\(costMicros) estimated=\(tokensEstimated) "
                + "error=\(errorCode ?? "-")"
        }
    }

    struct AttemptRow: Sendable, CustomStringConvertible {
        var requestID: String
        var seq: Int
        var provider: String
        var outcome: String
        var errorCode: String?
        var httpStatus: Int?
        var costMicros: Int64
        var tokensEstimated: Bool
        var description: String {
            "#\(seq) \(provider) \(outcome) error=\(errorCode ?? "-") http=\(httpStatus.map(String.init) ?? "-") "
                + "cost=\(costMicros)"
        }
    }

    struct Transition: Sendable, CustomStringConvertible {
        var provider: String
        var from: String
        var to: String
        var description: String { "\(provider): \(from) → \(to)" }
    }

    struct LedgerRow: Sendable {
        var userID: String
        var requestID: String?
        var kind: String
        var amountMicros: Int64
        var note: String?
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(body)
    }

    func request(_ id: String) throws -> RequestRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM requests WHERE id = ?", arguments: [id]).map(Self.requestRow)
        }
    }

    func requests(user: String? = nil) throws -> [RequestRow] {
        try read { db in
            if let user {
                return try Row.fetchAll(db, sql: "SELECT * FROM requests WHERE user_id = ?", arguments: [user])
                    .map(Self.requestRow)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM requests").map(Self.requestRow)
        }
    }

    func attempts(_ requestID: String) throws -> [AttemptRow] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM attempts WHERE request_id = ? ORDER BY seq", arguments: [requestID]
            ).map(Self.attemptRow)
        }
    }

    func allAttempts() throws -> [AttemptRow] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM attempts").map(Self.attemptRow) }
    }

    func transitions(_ provider: String? = nil) throws -> [Transition] {
        try read { db in
            let rows =
                try provider.map {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM breaker_transitions WHERE provider = ? ORDER BY id", arguments: [$0])
                } ?? Row.fetchAll(db, sql: "SELECT * FROM breaker_transitions ORDER BY id")
            return rows.map { Transition(provider: $0["provider"], from: $0["from_state"], to: $0["to_state"]) }
        }
    }

    func ledgerRows(user: String? = nil) throws -> [LedgerRow] {
        try read { db in
            let rows =
                try user.map {
                    try Row.fetchAll(db, sql: "SELECT * FROM ledger WHERE user_id = ? ORDER BY id", arguments: [$0])
                } ?? Row.fetchAll(db, sql: "SELECT * FROM ledger ORDER BY id")
            return rows.map {
                LedgerRow(
                    userID: $0["user_id"], requestID: $0["request_id"], kind: $0["kind"],
                    amountMicros: $0["amount_usd_micros"], note: $0["note"])
            }
        }
    }

    /// `spent` and `reserved` of a user's `budgets` row (zeros without one).
    func budget(_ user: String) throws -> (spent: Int64, reserved: Int64) {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT spent_usd_micros, reserved_usd_micros FROM budgets WHERE user_id = ?",
                    arguments: [user])
            else { return (0, 0) }
            return (row[0], row[1])
        }
    }

    func count(_ sql: String) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    private static func requestRow(_ row: Row) -> RequestRow {
        RequestRow(
            id: row["id"], userID: row["user_id"], status: row["status"], provider: row["provider"],
            costMicros: (row["cost_usd_micros"] as Int64?) ?? 0,
            tokensEstimated: (row["tokens_estimated"] as Int?) == 1,
            errorCode: row["error_code"], attemptCount: row["attempt_count"])
    }

    private static func attemptRow(_ row: Row) -> AttemptRow {
        AttemptRow(
            requestID: row["request_id"], seq: row["seq"], provider: row["provider"], outcome: row["outcome"],
            errorCode: row["error_code"], httpStatus: row["http_status"],
            costMicros: (row["cost_usd_micros"] as Int64?) ?? 0,
            tokensEstimated: (row["tokens_estimated"] as Int?) == 1)
    }
}
