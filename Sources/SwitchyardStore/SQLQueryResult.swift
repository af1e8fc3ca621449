/// The result of a read-only ledger query: column names and at most `rowLimit` rows.
public struct SQLQueryResult: Sendable, Hashable, Codable {
    /// The result's column names, in order.
    public var columns: [String]
    /// The rows, each with one value per column.
    public var rows: [[SQLValue]]
    /// `true` when the statement had more rows than the limit; only the first `rowLimit` are in ``rows``.
    public var truncated: Bool

    public init(columns: [String], rows: [[SQLValue]], truncated: Bool) {
        self.columns = columns
        self.rows = rows
        self.truncated = truncated
    }
}
