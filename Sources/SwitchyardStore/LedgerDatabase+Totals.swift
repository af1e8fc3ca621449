import GRDB
import SwitchyardCore

extension LedgerDatabase {
    /// The ledger's totals over its whole history (see ``LedgerTotals``), in one read.
    ///
    /// They scan the `requests` and `attempts` tables: callers that poll cache them (the server keeps them a
    /// second).
    public func totals() async throws -> LedgerTotals {
        try await readReport("the ledger totals") { db in
            // Without GROUP BY, an aggregate query always returns its one row.
            let requests = try Columns<LedgerTotals.Requests>.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS total, coalesce(sum(status = 'success'), 0) AS successes,
                           coalesce(sum(status <> 'success'), 0) AS failures,
                           coalesce(avg(latency_ms), 0) AS averageLatencyMs,
                           coalesce(sum(cost_usd_micros), 0) AS cost
                    FROM requests WHERE finished_at IS NOT NULL
                    """)!
            let providers = try Columns<LedgerTotals.Provider>.fetchAll(
                db,
                sql: """
                    SELECT provider AS name, count(*) AS calls,
                           coalesce(sum(outcome IN ('success', 'escalated')), 0) AS successes,
                           coalesce(sum(outcome NOT IN ('success', 'escalated')), 0) AS failures,
                           coalesce(avg(latency_ms), 0) AS averageLatencyMs
                    FROM attempts WHERE outcome <> 'started' GROUP BY provider ORDER BY provider
                    """)
            return LedgerTotals(requests: requests.value, providers: providers.map(\.value))
        }
    }
}

/// A `Decodable` value read from a row by column name (GRDB's `FetchableRecord`), so that the public type need
/// not conform to GRDB's protocols.
private struct Columns<Value: Decodable>: FetchableRecord, Decodable {
    var value: Value

    init(from decoder: any Decoder) throws {
        value = try Value(from: decoder)
    }
}
