import SwitchyardCore

extension LedgerReader {
    /// The ledger's totals over its whole history (see ``LedgerTotals``), from this reader's snapshot.
    ///
    /// Means are computed here from a sum and a count, as SQLite's `avg()` of integers computes them (PostgreSQL's
    /// is a `numeric`, rounded otherwise), so both engines give the same figure.
    package func totals() async throws -> LedgerTotals {
        // Without GROUP BY, an aggregate query always returns its one row.
        let requestRow = try await rows(
            """
            SELECT count(*), coalesce(sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END), 0),
                   coalesce(sum(CASE WHEN status <> 'success' THEN 1 ELSE 0 END), 0),
                   coalesce(sum(latency_ms), 0), count(latency_ms), coalesce(sum(cost_usd_micros), 0)
            FROM requests WHERE finished_at IS NOT NULL
            """
        ).first
        guard let requestRow else { throw LedgerError(.databaseError, "the requests' totals query returned no row") }
        let requests = LedgerTotals.Requests(
            total: try requestRow.int(0), successes: try requestRow.int(1), failures: try requestRow.int(2),
            averageLatencyMs: try Self.mean(requestRow, sum: 3, count: 4),
            cost: MicroDollars(try requestRow.integer(5)))
        var providers: [LedgerTotals.Provider] = []
        try await forEachRow(
            """
            SELECT provider, count(*),
                   sum(CASE WHEN outcome IN ('success', 'escalated') THEN 1 ELSE 0 END),
                   sum(CASE WHEN outcome NOT IN ('success', 'escalated') THEN 1 ELSE 0 END),
                   coalesce(sum(latency_ms), 0), count(latency_ms)
            FROM attempts WHERE outcome <> 'started' GROUP BY provider
            """
        ) { row in
            providers.append(
                LedgerTotals.Provider(
                    name: try row.text(0), calls: try row.int(1), successes: try row.int(2),
                    failures: try row.int(3), averageLatencyMs: try Self.mean(row, sum: 4, count: 5)))
        }
        providers.sort { LedgerOrder.precedes($0.name, $1.name) }
        return LedgerTotals(requests: requests, providers: providers)
    }

    /// `sum / count` of columns `sum` and `count`; 0 when the count is.
    private static func mean(_ row: LedgerRow, sum: Int, count: Int) throws -> Double {
        let count = try row.integer(count)
        return count > 0 ? Double(try row.integer(sum)) / Double(count) : 0
    }
}
