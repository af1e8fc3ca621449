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
        try await read("the cost report") { reader in try await reader.costReport(request) }
    }

    /// Requests, success rates, failovers, escalations, breaker trips and latency percentiles per provider and per
    /// model over `[since, until)`, grouped by provider. See ``ReliabilityReport`` for what each figure counts.
    public func reliabilityReport(since: Date, until: Date) async throws -> ReliabilityReport {
        try await reliabilityReport(ReliabilityReport.Request(range: ReportRange(since: since, until: until)))
    }

    /// The reliability report `request` asks for. Both lists are computed; ``ReliabilityReport/entries`` is the
    /// one `request` groups by.
    public func reliabilityReport(_ request: ReliabilityReport.Request) async throws -> ReliabilityReport {
        try await read("the reliability report") { reader in try await reader.reliabilityReport(request) }
    }
}
