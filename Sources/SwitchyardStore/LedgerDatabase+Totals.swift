extension LedgerDatabase {
    /// The ledger's totals over its whole history (see ``LedgerTotals``), in one read.
    ///
    /// They scan the `requests` and `attempts` tables: callers that poll cache them (the server keeps them a
    /// second).
    public func totals() async throws -> LedgerTotals {
        try await read("the ledger totals") { reader in try await reader.totals() }
    }
}
