public import struct Foundation.Date

/// How reliable providers and models were over `[since, until)`.
///
/// Attempt figures count finished provider calls (`attempts.outcome <> 'started'`) by `started_at`; request figures
/// count finished requests by `created_at`; breaker trips count transitions to `open` by `at`.
public struct ReliabilityReport: Sendable, Hashable, Codable {
    /// Figures over client requests.
    public struct Requests: Sendable, Hashable, Codable {
        /// Finished requests.
        public var total: Int
        /// Requests with status `success`.
        public var successes: Int
        /// `successes / total`; `nil` when there were none.
        public var successRate: Double?
        /// Requests that needed more than one provider call.
        public var failedOver: Int
        /// Requests that were escalated to a stronger target.
        public var escalated: Int
        /// Requests per final status (`success`, `failed`, `rejected_budget`, ...).
        public var byStatus: [String: Int]

        public init(
            total: Int, successes: Int, successRate: Double?, failedOver: Int, escalated: Int, byStatus: [String: Int]
        ) {
            self.total = total
            self.successes = successes
            self.successRate = successRate
            self.failedOver = failedOver
            self.escalated = escalated
            self.byStatus = byStatus
        }
    }

    /// Figures over the calls to one provider, or one model of a provider.
    public struct Entry: Sendable, Hashable, Codable {
        public var provider: String
        /// `nil` in the per-provider list.
        public var model: String?
        /// Distinct requests that called it.
        public var requests: Int
        /// Finished calls.
        public var attempts: Int
        /// Calls with outcome `success`.
        public var successes: Int
        /// `successes / attempts`; `nil` when there were no calls.
        public var successRate: Double?
        /// Failed calls after which the request moved on to another call (the router failed over away from it).
        public var failovers: Int
        /// Calls whose reply asked for escalation (outcome `escalated`).
        public var escalations: Int
        /// Transitions of the provider's breaker to `open`. In the per-model list, the provider's figure.
        public var breakerTrips: Int
        /// Median latency of successful calls, in milliseconds (nearest rank); `nil` without successes.
        public var p50LatencyMs: Int?
        /// 95th-percentile latency of successful calls, in milliseconds (nearest rank); `nil` without successes.
        public var p95LatencyMs: Int?

        public init(
            provider: String, model: String? = nil, requests: Int, attempts: Int, successes: Int,
            successRate: Double?, failovers: Int, escalations: Int, breakerTrips: Int, p50LatencyMs: Int?,
            p95LatencyMs: Int?
        ) {
            self.provider = provider
            self.model = model
            self.requests = requests
            self.attempts = attempts
            self.successes = successes
            self.successRate = successRate
            self.failovers = failovers
            self.escalations = escalations
            self.breakerTrips = breakerTrips
            self.p50LatencyMs = p50LatencyMs
            self.p95LatencyMs = p95LatencyMs
        }
    }

    public var since: Date
    public var until: Date
    public var requests: Requests
    /// One entry per provider, by name; includes providers whose breaker tripped without calls in the range.
    public var providers: [Entry]
    /// One entry per provider and model, by provider then model.
    public var models: [Entry]

    public init(since: Date, until: Date, requests: Requests, providers: [Entry], models: [Entry]) {
        self.since = since
        self.until = until
        self.requests = requests
        self.providers = providers
        self.models = models
    }
}
