public import SwitchyardStore

extension PostgresLedger {
    /// Computes the report `request` asks for, in one read-only snapshot of the ledger: the same report, by the same
    /// code, as ``SwitchyardStore/LedgerDatabase/report(_:)`` computes from a SQLite ledger.
    ///
    /// ```swift
    /// let report = try await ledger.report(CostReport.Request(range: range, groupedBy: [.team, .month]))
    /// let json = try SwitchyardJSON.encoder.encode(report)
    /// ```
    /// - Throws: ``SwitchyardStore/LedgerError`` `ledger_database_error` when a statement fails.
    public func report<Request: LedgerReportRequest>(_ request: Request) async throws -> Request.Report {
        try await read("the report") { reader in try await request.report(from: reader) }
    }

    /// The ledger's totals over its whole history (see ``SwitchyardStore/LedgerTotals``), in one read-only snapshot.
    ///
    /// They scan the `requests` and `attempts` tables: callers that poll cache them.
    public func totals() async throws -> LedgerTotals {
        try await read("the ledger totals") { reader in try await reader.totals() }
    }
}
