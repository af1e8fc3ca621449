import SwitchyardCore

extension LedgerReader {
    /// The cost report `request` asks for, from this reader's snapshot (see ``CostReport``).
    func costReport(_ request: CostReport.Request) async throws -> CostReport {
        var seen = Set<CostDimension>()
        let dimensions = request.groupedBy.filter { seen.insert($0).inserted }
        let range = request.range.ledgerBounds
        var rows = try await costRows(dimensions: dimensions, range: range)
        // Without dimensions the one row is the total: the calls are read once.
        var total =
            try await (dimensions.isEmpty ? rows : costRows(dimensions: [], range: range)).first
            ?? CostReport.Row(requests: 0, attempts: 0, promptTokens: 0, completionTokens: 0, cost: .zero)
        if let repricing = request.repricing {
            let repriced = try await repricedCosts(dimensions: dimensions, range: range, at: repricing)
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

    /// The `SELECT` columns and `FROM` clause of the attempts of `range` (finished calls, by `started_at`), joined to
    /// their requests when a dimension needs them.
    private func attemptsOf(dimensions: [CostDimension]) -> (columns: [String], from: String) {
        let join = dimensions.contains(where: \.needsRequest) ? "LEFT JOIN requests r ON r.id = a.request_id" : ""
        return (
            dimensions.map { $0.sqlExpression(dialect) },
            "FROM attempts a \(join) WHERE a.started_at >= ? AND a.started_at < ? AND a.outcome <> 'started'"
        )
    }

    /// One row per group, ordered by the dimensions' values (bytewise, absent values first, as SQLite orders text).
    private func costRows(dimensions: [CostDimension], range: (String, String)) async throws -> [CostReport.Row] {
        let (columns, from) = attemptsOf(dimensions: dimensions)
        let grouping = columns.isEmpty ? "" : "GROUP BY \(columns.joined(separator: ", "))"
        let sql = """
            SELECT \(columns.map { $0 + ", " }.joined())
                   count(DISTINCT a.request_id), count(*), coalesce(sum(a.prompt_tokens), 0),
                   coalesce(sum(a.completion_tokens), 0), coalesce(sum(a.cost_usd_micros), 0),
                   coalesce(sum(a.cached_prompt_tokens), 0),
                   coalesce(sum(a.cache_write_tokens), 0) + coalesce(sum(a.cache_write_1h_tokens), 0),
                   coalesce(sum(a.reasoning_tokens), 0)
            \(from)
            \(grouping)
            """
        var rows: [(key: [String?], row: CostReport.Row)] = []
        let figures = dimensions.count
        try await forEachRow(sql, [.text(range.0), .text(range.1)]) { row in
            let attempts = try row.int(figures + 1)
            // Without GROUP BY, an aggregate returns one row of zeros for an empty range: report it as zero totals.
            guard attempts > 0 || dimensions.isEmpty else { return }
            var result = CostReport.Row(
                requests: try row.int(figures), attempts: attempts, promptTokens: try row.int(figures + 2),
                completionTokens: try row.int(figures + 3), cachedPromptTokens: try row.int(figures + 5),
                cacheWriteTokens: try row.int(figures + 6), reasoningTokens: try row.int(figures + 7),
                cost: MicroDollars(try row.integer(figures + 4)))
            var key: [String?] = []
            for (index, dimension) in dimensions.enumerated() {
                let value = try row.optionalText(index)
                result.values[dimension] = value
                key.append(value)
            }
            rows.append((key, result))
        }
        return rows.sorted { LedgerOrder.precedes($0.key, $1.key) }.map(\.row)
    }

    /// Every call of the range re-priced at `prices` from its recorded tokens, by group (the dimensions' values) and
    /// in total. A call is priced on its own (its long-context tier, its rounding), as it was billed.
    private func repricedCosts(
        dimensions: [CostDimension], range: (String, String), at prices: PriceTable
    ) async throws -> (groups: [[String?]: RepricedFigures], total: RepricedFigures) {
        let (columns, from) = attemptsOf(dimensions: dimensions)
        let sql = """
            SELECT \(columns.map { $0 + ", " }.joined())
                   a.provider, a.model, a.prompt_tokens, coalesce(a.completion_tokens, 0),
                   coalesce(a.cached_prompt_tokens, 0), coalesce(a.cache_write_tokens, 0),
                   coalesce(a.cache_write_1h_tokens, 0), coalesce(a.reasoning_tokens, 0), a.cost_usd_micros
            \(from)
            """
        var groups: [[String?]: RepricedFigures] = [:]
        var total = RepricedFigures()
        let first = dimensions.count
        try await forEachRow(sql, [.text(range.0), .text(range.1)]) { row in
            let key = try (0..<first).map { try row.optionalText($0) }
            let billed = MicroDollars(try row.integer(first + 8))
            let prompt = try row.optionalInt(first + 2)
            var figures = RepricedFigures()
            if let pricing = prices.pricing(provider: try row.text(first), model: try row.text(first + 1)) {
                if let prompt {
                    figures.cost = pricing.cost(
                        of: TokenUsage(
                            promptTokens: prompt, completionTokens: try row.int(first + 3),
                            cachedPromptTokens: try row.int(first + 4), cacheWriteTokens: try row.int(first + 5),
                            cacheWrite1hTokens: try row.int(first + 6), reasoningTokens: try row.int(first + 7)))
                }
            } else {
                figures.cost = billed
                figures.unpriced = prompt == nil ? 0 : 1
            }
            groups[key, default: .init()].add(figures)
            total.add(figures)
        }
        return (groups, total)
    }
}

/// What one group's calls would cost at other prices.
struct RepricedFigures {
    var cost = MicroDollars.zero
    /// Calls whose provider and model the prices do not have (counted at their billed cost).
    var unpriced = 0

    mutating func add(_ other: Self) {
        cost += other.cost
        unpriced += other.unpriced
    }
}

extension CostDimension {
    /// What the report's SQL groups by (`a` is `attempts`, `r` is `requests`).
    func sqlExpression(_ dialect: SQLDialect) -> String {
        switch self {
        case .user: "r.user_id"
        case .provider: "a.provider"
        case .model: "a.model"
        case .day: "substr(a.started_at, 1, 10)"
        case .key: "r.key_id"
        case .team: "r.team"
        case .week: dialect.isoWeekStart(of: "a.started_at")
        case .month: "substr(a.started_at, 1, 7)"
        case .hour: "substr(a.started_at, 1, 13) || ':00'"
        }
    }

    /// Whether grouping needs the `requests` row of each call.
    var needsRequest: Bool { self == .user || self == .key || self == .team }
}
