public import SwitchyardCore

/// The ledger's totals over its whole history: finished requests, and finished provider calls per provider.
/// `GET /routing/analytics` shows them beside the providers' live state.
///
/// Read by ``LedgerDatabase/totals()`` (and the PostgreSQL ledger's `totals()`), the same on both engines.
public struct LedgerTotals: Sendable, Hashable {
    /// Figures over finished client requests (`requests.finished_at` set).
    public struct Requests: Sendable, Hashable, Decodable {
        public var total: Int
        /// Requests with status `success`.
        public var successes: Int
        /// Requests with any other final status (rejected and invalid ones included).
        public var failures: Int
        /// Mean of the requests' latencies (0 without any).
        public var averageLatencyMs: Double
        public var cost: MicroDollars
    }

    /// Figures over one provider's finished calls (`attempts.outcome <> 'started'`).
    public struct Provider: Sendable, Hashable, Decodable {
        public var name: String
        public var calls: Int
        /// Calls that answered: outcome `success` or `escalated`.
        public var successes: Int
        /// Calls with any other outcome.
        public var failures: Int
        /// Mean of the calls' latencies (0 without any).
        public var averageLatencyMs: Double
    }

    public var requests: Requests
    /// One per provider that has finished calls, by name.
    public var providers: [Provider]
}
