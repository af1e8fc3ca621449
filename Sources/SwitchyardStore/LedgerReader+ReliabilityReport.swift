import SwitchyardCore

extension LedgerReader {
    /// The reliability report `request` asks for, from this reader's snapshot (see ``ReliabilityReport``). Both
    /// lists are computed; ``ReliabilityReport/entries`` is the one `request` groups by.
    func reliabilityReport(_ request: ReliabilityReport.Request) async throws -> ReliabilityReport {
        let range = request.range.ledgerBounds
        let trips = try await breakerTrips(range: range)
        var (providers, models) = try await reliabilityEntries(range: range, trips: trips)
        for (provider, count) in trips where !providers.contains(where: { $0.provider == provider }) {
            providers.append(
                .init(
                    provider: provider, requests: 0, attempts: 0, successes: 0, successRate: nil, failovers: 0,
                    escalations: 0, breakerTrips: count, p50LatencyMs: nil, p95LatencyMs: nil))
        }
        providers.sort { LedgerOrder.precedes($0.provider, $1.provider) }
        return ReliabilityReport(
            range: request.range, groupedBy: request.groupedBy, requests: try await requestSummary(range: range),
            providers: providers, models: models)
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

    /// One entry's figures while they are added up.
    private struct Tally {
        var attempts = 0
        /// Calls after an earlier call of the same request to the same entry: `attempts - repeats` requests.
        var repeats = 0
        var successes = 0
        var escalations = 0
        var failovers = 0
        /// Successful calls per latency in milliseconds.
        var latencies: [Int: Int] = [:]

        /// The latency of the `percent`-th percentile call, nearest rank: the ceil(p × n)-th smallest.
        func percentile(_ percent: Int) -> Int? {
            let count = latencies.values.reduce(0, +)
            guard count > 0 else { return nil }
            let rank = (count * percent + 99) / 100
            var seen = 0
            for latency in latencies.keys.sorted() {
                seen += latencies[latency]!
                if seen >= rank { return latency }
            }
            return nil
        }

        func entry(_ key: EntryKey, breakerTrips: Int) -> ReliabilityReport.Entry {
            ReliabilityReport.Entry(
                provider: key.provider, model: key.model, requests: attempts - repeats, attempts: attempts,
                successes: successes, successRate: attempts > 0 ? Double(successes) / Double(attempts) : nil,
                failovers: failovers, escalations: escalations, breakerTrips: breakerTrips,
                p50LatencyMs: percentile(50), p95LatencyMs: percentile(95))
        }
    }

    /// Both lists from one pass over the range's calls, grouped by provider, model, outcome and (successful calls')
    /// latency: the per-provider figures and percentiles are added up from the per-model ones, so the calls are read
    /// once however the report is grouped.
    private func reliabilityEntries(
        range: (String, String), trips: [String: Int]
    ) async throws -> (providers: [ReliabilityReport.Entry], models: [ReliabilityReport.Entry]) {
        // An earlier call of the same request, in the range, to the same provider (and model).
        func earlier(sameModel: Bool) -> String {
            """
            EXISTS (SELECT 1 FROM attempts b WHERE b.request_id = a.request_id AND b.seq < a.seq
                    AND b.provider = a.provider\(sameModel ? " AND b.model = a.model" : "")
                    AND b.started_at >= ? AND b.started_at < ? AND b.outcome <> 'started')
            """
        }
        let sql = """
            SELECT a.provider, a.model, a.outcome, CASE WHEN a.outcome = 'success' THEN a.latency_ms END, count(*),
                   sum(CASE WHEN a.seq > 1 AND \(earlier(sameModel: false)) THEN 1 ELSE 0 END),
                   sum(CASE WHEN a.seq > 1 AND \(earlier(sameModel: true)) THEN 1 ELSE 0 END),
                   sum(CASE WHEN a.outcome NOT IN ('success', 'escalated') AND EXISTS (
                           SELECT 1 FROM attempts b WHERE b.request_id = a.request_id AND b.seq > a.seq)
                       THEN 1 ELSE 0 END)
            FROM attempts a
            WHERE a.started_at >= ? AND a.started_at < ? AND a.outcome <> 'started'
            GROUP BY 1, 2, 3, 4
            """
        var providers: [EntryKey: Tally] = [:]
        var models: [EntryKey: Tally] = [:]
        let bounds: [SQLValue] = [.text(range.0), .text(range.1)]
        try await forEachRow(sql, bounds + bounds + bounds) { row in
            let provider = try row.text(0)
            let outcome = try row.text(2)
            let latency = try row.optionalInt(3)
            let count = try row.int(4)
            let failovers = try row.int(7)
            func add(_ tally: inout Tally, repeats: Int) {
                tally.attempts += count
                tally.repeats += repeats
                tally.failovers += failovers
                if outcome == "success" { tally.successes += count }
                if outcome == "escalated" { tally.escalations += count }
                if let latency { tally.latencies[latency, default: 0] += count }
            }
            add(&providers[EntryKey(provider: provider, model: nil), default: Tally()], repeats: try row.int(5))
            add(&models[EntryKey(provider: provider, model: try row.text(1)), default: Tally()], repeats: try row.int(6))
        }
        func entries(_ tallies: [EntryKey: Tally]) -> [ReliabilityReport.Entry] {
            tallies.map { key, tally in tally.entry(key, breakerTrips: trips[key.provider] ?? 0) }
                .sorted { LedgerOrder.precedes([$0.provider, $0.model], [$1.provider, $1.model]) }
        }
        return (entries(providers), entries(models))
    }
}
