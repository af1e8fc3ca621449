import SwitchyardCore

extension LedgerReader {
    /// The reliability report `request` asks for, from this reader's snapshot (see ``ReliabilityReport``). Both
    /// lists are computed; ``ReliabilityReport/entries`` is the one `request` groups by.
    func reliabilityReport(_ request: ReliabilityReport.Request) async throws -> ReliabilityReport {
        let range = request.range.ledgerBounds
        let trips = try await breakerTrips(range: range)
        var providers = try await reliabilityEntries(byModel: false, range: range, trips: trips)
        for (provider, count) in trips where !providers.contains(where: { $0.provider == provider }) {
            providers.append(
                .init(
                    provider: provider, requests: 0, attempts: 0, successes: 0, successRate: nil, failovers: 0,
                    escalations: 0, breakerTrips: count, p50LatencyMs: nil, p95LatencyMs: nil))
        }
        providers.sort { LedgerOrder.precedes($0.provider, $1.provider) }
        return ReliabilityReport(
            range: request.range, groupedBy: request.groupedBy, requests: try await requestSummary(range: range),
            providers: providers,
            models: try await reliabilityEntries(byModel: true, range: range, trips: trips))
    }

    private func requestSummary(range: (String, String)) async throws -> ReliabilityReport.Requests {
        var summary = ReliabilityReport.Requests(
            total: 0, successes: 0, successRate: nil, failedOver: 0, escalated: 0, byStatus: [:])
        let sql = """
            SELECT status, count(*), sum(CASE WHEN attempt_count > 1 THEN 1 ELSE 0 END),
                   sum(CASE WHEN escalated <> 0 THEN 1 ELSE 0 END)
            FROM requests
            WHERE created_at >= ? AND created_at < ? AND status <> 'in_progress'
            GROUP BY status
            """
        try await forEachRow(sql, [.text(range.0), .text(range.1)]) { row in
            let status = try row.text(0)
            let count = try row.int(1)
            summary.byStatus[status] = count
            summary.total += count
            summary.failedOver += try row.int(2)
            summary.escalated += try row.int(3)
            if status == RequestStatus.success.rawValue { summary.successes += count }
        }
        summary.successRate = summary.total > 0 ? Double(summary.successes) / Double(summary.total) : nil
        return summary
    }

    private func breakerTrips(range: (String, String)) async throws -> [String: Int] {
        let sql = """
            SELECT provider, count(*) FROM breaker_transitions
            WHERE to_state = 'open' AND at >= ? AND at < ?
            GROUP BY provider
            """
        var trips: [String: Int] = [:]
        try await forEachRow(sql, [.text(range.0), .text(range.1)]) { row in
            trips[try row.text(0)] = try row.int(1)
        }
        return trips
    }

    private struct EntryKey: Hashable {
        var provider: String
        var model: String?
    }

    /// Latency percentiles of successful calls, nearest rank: the ceil(p × n)-th smallest value.
    private func latencyPercentiles(
        byModel: Bool, range: (String, String)
    ) async throws -> [EntryKey: (p50: Int?, p95: Int?)] {
        let keys = byModel ? "provider, model" : "provider"
        let sql = """
            SELECT provider, \(byModel ? "model" : "NULL"), latency_ms, rn, n FROM (
                SELECT \(keys), latency_ms,
                       row_number() OVER (PARTITION BY \(keys) ORDER BY latency_ms) AS rn,
                       count(*) OVER (PARTITION BY \(keys)) AS n
                FROM attempts
                WHERE started_at >= ? AND started_at < ? AND outcome = 'success' AND latency_ms IS NOT NULL) ranked
            WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100
            """
        var percentiles: [EntryKey: (p50: Int?, p95: Int?)] = [:]
        try await forEachRow(sql, [.text(range.0), .text(range.1)]) { row in
            let key = EntryKey(provider: try row.text(0), model: try row.optionalText(1))
            let latency = try row.int(2)
            let rank = try row.int(3)
            let count = try row.int(4)
            var entry = percentiles[key] ?? (nil, nil)
            if rank == (count * 50 + 99) / 100 { entry.p50 = latency }
            if rank == (count * 95 + 99) / 100 { entry.p95 = latency }
            percentiles[key] = entry
        }
        return percentiles
    }

    private func reliabilityEntries(
        byModel: Bool, range: (String, String), trips: [String: Int]
    ) async throws -> [ReliabilityReport.Entry] {
        let percentiles = try await latencyPercentiles(byModel: byModel, range: range)
        let sql = """
            SELECT a.provider, \(byModel ? "a.model" : "NULL"), count(DISTINCT a.request_id), count(*),
                   sum(CASE WHEN a.outcome = 'success' THEN 1 ELSE 0 END),
                   sum(CASE WHEN a.outcome = 'escalated' THEN 1 ELSE 0 END),
                   sum(CASE WHEN a.outcome NOT IN ('success', 'escalated') AND EXISTS (
                           SELECT 1 FROM attempts b WHERE b.request_id = a.request_id AND b.seq > a.seq)
                       THEN 1 ELSE 0 END)
            FROM attempts a
            WHERE a.started_at >= ? AND a.started_at < ? AND a.outcome <> 'started'
            GROUP BY \(byModel ? "a.provider, a.model" : "a.provider")
            """
        var entries: [ReliabilityReport.Entry] = []
        try await forEachRow(sql, [.text(range.0), .text(range.1)]) { row in
            let key = EntryKey(provider: try row.text(0), model: try row.optionalText(1))
            let attempts = try row.int(3)
            let successes = try row.int(4)
            entries.append(
                ReliabilityReport.Entry(
                    provider: key.provider, model: key.model, requests: try row.int(2), attempts: attempts,
                    successes: successes, successRate: attempts > 0 ? Double(successes) / Double(attempts) : nil,
                    failovers: try row.int(6), escalations: try row.int(5), breakerTrips: trips[key.provider] ?? 0,
                    p50LatencyMs: percentiles[key]?.p50, p95LatencyMs: percentiles[key]?.p95))
        }
        return entries.sorted { LedgerOrder.precedes([$0.provider, $0.model], [$1.provider, $1.model]) }
    }
}
