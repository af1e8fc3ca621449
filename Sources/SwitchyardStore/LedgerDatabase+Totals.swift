import GRDB
import SwitchyardCore

extension LedgerDatabase {
    /// The ledger's totals over its whole history (see ``LedgerTotals``), in one read.
    ///
    /// They scan the `requests` and `attempts` tables: callers that poll cache them (the server keeps them a
    /// second).
    public func totals() async throws -> LedgerTotals {
        try await readReport("the ledger totals") { db in
            let requests =
                try RequestTotalsRow.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) AS total, coalesce(sum(status = 'success'), 0) AS successes,
                               coalesce(sum(status <> 'success'), 0) AS failures,
                               coalesce(avg(latency_ms), 0) AS average_latency_ms,
                               coalesce(sum(cost_usd_micros), 0) AS cost_usd_micros
                        FROM requests WHERE finished_at IS NOT NULL
                        """) ?? RequestTotalsRow(total: 0, successes: 0, failures: 0, averageLatencyMs: 0, costMicros: 0)
            let providers = try ProviderTotalsRow.fetchAll(
                db,
                sql: """
                    SELECT provider, count(*) AS calls,
                           coalesce(sum(outcome IN ('success', 'escalated')), 0) AS successes,
                           coalesce(sum(outcome NOT IN ('success', 'escalated')), 0) AS failures,
                           coalesce(avg(latency_ms), 0) AS average_latency_ms
                    FROM attempts WHERE outcome <> 'started' GROUP BY provider ORDER BY provider
                    """)
            return LedgerTotals(
                requests: .init(
                    total: requests.total, successes: requests.successes, failures: requests.failures,
                    averageLatencyMs: requests.averageLatencyMs, cost: MicroDollars(requests.costMicros)),
                providers: providers.map {
                    .init(
                        name: $0.provider, calls: $0.calls, successes: $0.successes, failures: $0.failures,
                        averageLatencyMs: $0.averageLatencyMs)
                })
        }
    }
}

/// A row of the request totals, decoded by column name.
private struct RequestTotalsRow: Decodable, FetchableRecord {
    var total: Int
    var successes: Int
    var failures: Int
    var averageLatencyMs: Double
    var costMicros: Int64

    enum CodingKeys: String, CodingKey {
        case total, successes, failures
        case averageLatencyMs = "average_latency_ms", costMicros = "cost_usd_micros"
    }
}

/// A row of the per-provider totals, decoded by column name.
private struct ProviderTotalsRow: Decodable, FetchableRecord {
    var provider: String
    var calls: Int
    var successes: Int
    var failures: Int
    var averageLatencyMs: Double

    enum CodingKeys: String, CodingKey {
        case provider, calls, successes, failures
        case averageLatencyMs = "average_latency_ms"
    }
}
