import GRDB
import SwitchyardCore

extension LedgerDatabase.RepricedFigures {
    mutating func add(_ other: Self) {
        cost += other.cost
        unpriced += other.unpriced
    }
}

public import struct Foundation.Date

extension LedgerDatabase {
    /// Money spent on provider calls that started in `[since, until)`, grouped by `dimensions` (in that order;
    /// duplicates ignored; empty for one grand total). The range is shown in ISO-8601.
    ///
    /// ```swift
    /// let report = try await database.costReport(since: monthStart, until: now, groupedBy: [.user, .day])
    /// for row in report.rows { print(row.user!, row.day!, row.cost.formatted) }
    /// ```
    public func costReport(since: Date, until: Date, groupedBy dimensions: [CostDimension]) async throws -> CostReport {
        try await costReport(CostReport.Request(range: ReportRange(since: since, until: until), groupedBy: dimensions))
    }

    /// The cost report `request` asks for.
    public func costReport(_ request: CostReport.Request) async throws -> CostReport {
        var seen = Set<CostDimension>()
        let dimensions = request.groupedBy.filter { seen.insert($0).inserted }
        let range = request.range.ledgerBounds
        let repricing = request.repricing
        return try await readReport("the cost report") { db in
            var rows = try Self.costRows(db, dimensions: dimensions, range: range)
            var total =
                try Self.costRows(db, dimensions: [], range: range).first
                ?? CostReport.Row(requests: 0, attempts: 0, promptTokens: 0, completionTokens: 0, cost: .zero)
            if let repricing {
                let repriced = try Self.repricedCosts(db, dimensions: dimensions, range: range, at: repricing)
                for index in rows.indices {
                    let figures = repriced.groups[dimensions.map { rows[index].values[$0] }] ?? .init()
                    rows[index].repricedCost = figures.cost
                    rows[index].unpricedAttempts = figures.unpriced
                }
                total.repricedCost = repriced.total.cost
                total.unpricedAttempts = repriced.total.unpriced
            }
            return CostReport(range: request.range, groupedBy: dimensions, rows: rows, total: total)
        }
    }

    /// Requests, success rates, failovers, escalations, breaker trips and latency percentiles per provider and per
    /// model over `[since, until)`, grouped by provider. See ``ReliabilityReport`` for what each figure counts.
    public func reliabilityReport(since: Date, until: Date) async throws -> ReliabilityReport {
        try await reliabilityReport(ReliabilityReport.Request(range: ReportRange(since: since, until: until)))
    }

    /// The reliability report `request` asks for. Both lists are computed; ``ReliabilityReport/entries`` is the
    /// one `request` groups by.
    public func reliabilityReport(_ request: ReliabilityReport.Request) async throws -> ReliabilityReport {
        let range = request.range.ledgerBounds
        return try await readReport("the reliability report") { db in
            let trips = try Self.breakerTrips(db, range: range)
            var providers = try Self.reliabilityEntries(db, byModel: false, range: range, trips: trips)
            for (provider, count) in trips where !providers.contains(where: { $0.provider == provider }) {
                providers.append(
                    .init(
                        provider: provider, requests: 0, attempts: 0, successes: 0, successRate: nil,
                        failovers: 0, escalations: 0, breakerTrips: count, p50LatencyMs: nil, p95LatencyMs: nil))
            }
            providers.sort { $0.provider < $1.provider }
            return ReliabilityReport(
                range: request.range, groupedBy: request.groupedBy, requests: try Self.requestSummary(db, range: range),
                providers: providers,
                models: try Self.reliabilityEntries(db, byModel: true, range: range, trips: trips))
        }
    }

    /// Runs a report's queries in one read transaction; any failure is a ``LedgerError/Code/databaseError`` naming
    /// `report`.
    func readReport<T: Sendable>(_ report: String, _ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw LedgerError(.databaseError, "cannot compute \(report) from '\(path)': \(error)")
        }
    }

    // MARK: Cost

    private static func costRows(
        _ db: Database, dimensions: [CostDimension], range: (String, String)
    ) throws -> [CostReport.Row] {
        let columns = dimensions.map(\.sqlExpression)
        let join = dimensions.contains(where: \.needsRequest) ? "LEFT JOIN requests r ON r.id = a.request_id" : ""
        let grouping = columns.isEmpty ? "" : "GROUP BY \(columns.joined(separator: ", "))"
        let ordering = columns.isEmpty ? "" : "ORDER BY \(columns.joined(separator: ", "))"
        let sql = """
            SELECT \(columns.map { $0 + ", " }.joined())
                   count(DISTINCT a.request_id), count(*), coalesce(sum(a.prompt_tokens), 0),
                   coalesce(sum(a.completion_tokens), 0), coalesce(sum(a.cost_usd_micros), 0),
                   coalesce(sum(a.cached_prompt_tokens), 0),
                   coalesce(sum(a.cache_write_tokens), 0) + coalesce(sum(a.cache_write_1h_tokens), 0),
                   coalesce(sum(a.reasoning_tokens), 0)
            FROM attempts a \(join)
            WHERE a.started_at >= ?1 AND a.started_at < ?2 AND a.outcome <> 'started'
            \(grouping) \(ordering)
            """
        return try Row.fetchAll(db, sql: sql, arguments: [range.0, range.1]).compactMap { row in
            let figures = dimensions.count
            let attempts: Int = row[figures + 1]
            // Without GROUP BY, SQLite returns one row of zeros for an empty range: report it as zero totals.
            guard attempts > 0 || dimensions.isEmpty else { return nil }
            var result = CostReport.Row(
                requests: row[figures], attempts: attempts, promptTokens: row[figures + 2],
                completionTokens: row[figures + 3], cachedPromptTokens: row[figures + 5],
                cacheWriteTokens: row[figures + 6], reasoningTokens: row[figures + 7],
                cost: MicroDollars(row[figures + 4] as Int64))
            for (index, dimension) in dimensions.enumerated() {
                result.values[dimension] = row[index]
            }
            return result
        }
    }

    /// What one group's calls would cost at other prices.
    struct RepricedFigures {
        var cost = MicroDollars.zero
        /// Calls whose provider and model the prices do not have (counted at their billed cost).
        var unpriced = 0
    }

    /// Every call of the range re-priced at `prices` from its recorded tokens, by group (the dimensions' values) and
    /// in total. A call is priced on its own (its long-context tier, its rounding), as it was billed.
    private static func repricedCosts(
        _ db: Database, dimensions: [CostDimension], range: (String, String), at prices: PriceTable
    ) throws -> (groups: [[String?]: RepricedFigures], total: RepricedFigures) {
        let columns = dimensions.map(\.sqlExpression)
        let join = dimensions.contains(where: \.needsRequest) ? "LEFT JOIN requests r ON r.id = a.request_id" : ""
        let sql = """
            SELECT \(columns.map { $0 + ", " }.joined())
                   a.provider, a.model, a.prompt_tokens, coalesce(a.completion_tokens, 0),
                   coalesce(a.cached_prompt_tokens, 0), coalesce(a.cache_write_tokens, 0),
                   coalesce(a.cache_write_1h_tokens, 0), coalesce(a.reasoning_tokens, 0), a.cost_usd_micros
            FROM attempts a \(join)
            WHERE a.started_at >= ?1 AND a.started_at < ?2 AND a.outcome <> 'started'
            """
        var groups: [[String?]: RepricedFigures] = [:]
        var total = RepricedFigures()
        let rows = try Row.fetchCursor(db, sql: sql, arguments: [range.0, range.1])
        let first = dimensions.count
        while let row = try rows.next() {
            let key: [String?] = (0..<first).map { row[$0] }
            let billed = MicroDollars(row[first + 8] as Int64)
            var figures = RepricedFigures()
            if let pricing = prices.pricing(provider: row[first], model: row[first + 1]) {
                if let prompt = row[first + 2] as Int? {
                    figures.cost = pricing.cost(
                        of: TokenUsage(
                            promptTokens: prompt, completionTokens: row[first + 3],
                            cachedPromptTokens: row[first + 4], cacheWriteTokens: row[first + 5],
                            cacheWrite1hTokens: row[first + 6], reasoningTokens: row[first + 7]))
                }
            } else {
                figures.cost = billed
                figures.unpriced = row[first + 2] as Int? == nil ? 0 : 1
            }
            groups[key, default: .init()].add(figures)
            total.add(figures)
        }
        return (groups, total)
    }

    // MARK: Reliability

    private static func requestSummary(_ db: Database, range: (String, String)) throws -> ReliabilityReport.Requests {
        var summary = ReliabilityReport.Requests(
            total: 0, successes: 0, successRate: nil, failedOver: 0, escalated: 0, byStatus: [:])
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT status, count(*), coalesce(sum(attempt_count > 1), 0), coalesce(sum(escalated <> 0), 0)
                FROM requests
                WHERE created_at >= ?1 AND created_at < ?2 AND status <> 'in_progress'
                GROUP BY status
                """,
            arguments: [range.0, range.1])
        for row in rows {
            let status: String = row[0]
            let count: Int = row[1]
            summary.byStatus[status] = count
            summary.total += count
            summary.failedOver += row[2] as Int
            summary.escalated += row[3] as Int
            if status == RequestStatus.success.rawValue { summary.successes += count }
        }
        summary.successRate = summary.total > 0 ? Double(summary.successes) / Double(summary.total) : nil
        return summary
    }

    private static func breakerTrips(_ db: Database, range: (String, String)) throws -> [String: Int] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT provider, count(*) FROM breaker_transitions
                WHERE to_state = 'open' AND at >= ?1 AND at < ?2
                GROUP BY provider
                """,
            arguments: [range.0, range.1])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
    }

    private static func reliabilityEntries(
        _ db: Database, byModel: Bool, range: (String, String), trips: [String: Int]
    ) throws -> [ReliabilityReport.Entry] {
        let keys = byModel ? "provider, model" : "provider"
        let modelColumn = byModel ? "model" : "NULL"
        struct Key: Hashable {
            var provider: String
            var model: String?
        }
        var percentiles: [Key: (p50: Int?, p95: Int?)] = [:]
        let percentileRows = try Row.fetchAll(
            db,
            sql: """
                SELECT provider, \(modelColumn), latency_ms, rn, n FROM (
                    SELECT \(keys), latency_ms,
                           row_number() OVER (PARTITION BY \(keys) ORDER BY latency_ms) AS rn,
                           count(*) OVER (PARTITION BY \(keys)) AS n
                    FROM attempts
                    WHERE started_at >= ?1 AND started_at < ?2 AND outcome = 'success' AND latency_ms IS NOT NULL)
                WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100
                """,
            arguments: [range.0, range.1])
        for row in percentileRows {
            let key = Key(provider: row[0], model: row[1])
            let latency: Int = row[2]
            let rank: Int = row[3]
            let count: Int = row[4]
            var entry = percentiles[key] ?? (nil, nil)
            // Nearest rank: the ceil(p * n)-th smallest value.
            if rank == (count * 50 + 99) / 100 { entry.p50 = latency }
            if rank == (count * 95 + 99) / 100 { entry.p95 = latency }
            percentiles[key] = entry
        }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT a.provider, \(byModel ? "a.model" : "NULL"), count(DISTINCT a.request_id), count(*),
                       sum(a.outcome = 'success'), sum(a.outcome = 'escalated'),
                       sum(a.outcome NOT IN ('success', 'escalated') AND EXISTS (
                           SELECT 1 FROM attempts b WHERE b.request_id = a.request_id AND b.seq > a.seq))
                FROM attempts a
                WHERE a.started_at >= ?1 AND a.started_at < ?2 AND a.outcome <> 'started'
                GROUP BY \(byModel ? "a.provider, a.model" : "a.provider")
                ORDER BY \(byModel ? "a.provider, a.model" : "a.provider")
                """,
            arguments: [range.0, range.1])
        return rows.map { row in
            let key = Key(provider: row[0], model: row[1])
            let attempts: Int = row[3]
            let successes: Int = row[4]
            return ReliabilityReport.Entry(
                provider: key.provider, model: key.model, requests: row[2], attempts: attempts, successes: successes,
                successRate: attempts > 0 ? Double(successes) / Double(attempts) : nil, failovers: row[6],
                escalations: row[5], breakerTrips: trips[key.provider] ?? 0, p50LatencyMs: percentiles[key]?.p50,
                p95LatencyMs: percentiles[key]?.p95)
        }
    }
}
