/// One transaction the ledger writer tried, as ``LedgerEventSink`` tells its commit observer (the service's metrics
/// in the server): how many writes it held, how long the database took, and how it ended.
///
/// ```swift
/// let sink = LedgerEventSink(database: database, onCommit: { report in
///     print(report.outcome, report.writes, report.duration)   // committed 12 0.0004 seconds
/// })
/// ```
public struct LedgerCommitReport: Sendable, Hashable {
    /// How a transaction ended.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Committed: its writes are durable.
        case committed
        /// Rolled back by a passing fault of the database (a lock held past the busy time-out, a full disk); the
        /// writer keeps its writes and retries.
        case failed
        /// Rolled back because the database rejected what it held (a constraint); the writer retries its writes one
        /// by one and drops the rejected ones.
        case rejected
    }

    /// The writes (router events and budget movements) in the transaction.
    public var writes: Int
    /// From the start of the transaction to its commit or rollback, on the writer's clock.
    public var duration: Duration
    public var outcome: Outcome

    public init(writes: Int, duration: Duration, outcome: Outcome) {
        self.writes = writes
        self.duration = duration
        self.outcome = outcome
    }
}
