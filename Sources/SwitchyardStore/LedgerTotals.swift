public import SwitchyardCore

/// The ledger's totals over its whole history: finished requests, and finished provider calls per provider.
/// `GET /routing/analytics` shows them beside the providers' live state.
public struct LedgerTotals: Sendable, Hashable {
    /// Figures over finished client requests (`requests.finished_at` set).
    public struct Requests: Sendable, Hashable {
        public var total: Int
        /// Requests with status `success`.
        public var successes: Int
        /// Requests with any other final status (rejected and invalid ones included).
        public var failures: Int
        /// Mean of the requests' latencies (0 without any).
        public var averageLatencyMs: Double
        public var cost: MicroDollars

        public init(total: Int, successes: Int, failures: Int, averageLatencyMs: Double, cost: MicroDollars) {
            self.total = total
            self.successes = successes
            self.failures = failures
            self.averageLatencyMs = averageLatencyMs
            self.cost = cost
        }
    }

    /// Figures over one provider's finished calls (`attempts.outcome <> 'started'`).
    public struct Provider: Sendable, Hashable {
        public var name: String
        public var calls: Int
        /// Calls that answered: outcome `success` or `escalated`.
        public var successes: Int
        /// Calls with any other outcome.
        public var failures: Int
        /// Mean of the calls' latencies (0 without any).
        public var averageLatencyMs: Double

        public init(name: String, calls: Int, successes: Int, failures: Int, averageLatencyMs: Double) {
            self.name = name
            self.calls = calls
            self.successes = successes
            self.failures = failures
            self.averageLatencyMs = averageLatencyMs
        }
    }

    public var requests: Requests
    /// One per provider that has finished calls, by name.
    public var providers: [Provider]

    public init(requests: Requests, providers: [Provider]) {
        self.requests = requests
        self.providers = providers
    }
}
