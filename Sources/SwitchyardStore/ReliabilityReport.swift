public import struct Foundation.Date

/// How reliable providers and models were over a range.
///
/// Attempt figures count finished provider calls (`attempts.outcome <> 'started'`) by `started_at`; request figures
/// count finished requests by `created_at`; breaker trips count transitions to `open` by `at`.
///
/// Its JSON (`GET /reports/reliability`, `switchyard report reliability --format json`): `since`, `until`,
/// `group_by`, `requests` and the ``entries`` of the grouping asked for (under `rows` for the command line, see
/// ``ReportAudience``); `model` only when grouped by model.
public struct ReliabilityReport: Sendable, Hashable, Encodable {
    /// What the entries are: one per provider, or one per provider and model.
    public enum Grouping: String, Sendable, Hashable, CaseIterable {
        case provider, model
    }

    /// What to report: a range and the grouping of the entries.
    public struct Request: LedgerReportRequest, Hashable {
        public var range: ReportRange
        public var groupedBy: Grouping

        public init(range: ReportRange, groupedBy: Grouping = .provider) {
            self.range = range
            self.groupedBy = groupedBy
        }

        /// `since`, `until` (see ``ReportParameters/range()``) and `group_by`: `provider` (the default) or `model`.
        public init(parameters: ReportParameters) throws(ReportParameterError) {
            let range = try parameters.range()
            let text = parameters["group_by"] ?? Grouping.provider.rawValue
            guard let grouping = Grouping(rawValue: text) else {
                throw ReportParameterError(
                    parameter: "group_by", message: "'group_by' must be provider or model, not '\(text)'")
            }
            self.init(range: range, groupedBy: grouping)
        }

        public func report(from reader: LedgerReader) async throws -> ReliabilityReport {
            try await reader.reliabilityReport(self)
        }
    }

    /// Figures over client requests.
    public struct Requests: Sendable, Hashable, Encodable {
        /// Finished requests.
        public var total: Int
        /// Requests with status `success`.
        public var successes: Int
        /// `successes / total`; `nil` when there were none.
        @Nullable public var successRate: Double?
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

        enum CodingKeys: String, CodingKey {
            case total, successes, escalated
            case successRate = "success_rate", failedOver = "failed_over", byStatus = "by_status"
        }
    }

    /// Figures over the calls to one provider, or one model of a provider.
    public struct Entry: Sendable, Hashable, Encodable {
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
        @Nullable public var successRate: Double?
        /// Failed calls after which the request moved on to another call (the router failed over away from it).
        public var failovers: Int
        /// Calls whose reply asked for escalation (outcome `escalated`).
        public var escalations: Int
        /// Transitions of the provider's breaker to `open`. In the per-model list, the provider's figure.
        public var breakerTrips: Int
        /// Median latency of successful calls, in milliseconds (nearest rank); `nil` without successes.
        @Nullable public var p50LatencyMs: Int?
        /// 95th-percentile latency of successful calls, in milliseconds (nearest rank); `nil` without successes.
        @Nullable public var p95LatencyMs: Int?

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

        enum CodingKeys: String, CodingKey {
            case provider, model, requests, attempts, successes, failovers, escalations
            case successRate = "success_rate", breakerTrips = "breaker_trips", p50LatencyMs = "p50_latency_ms"
            case p95LatencyMs = "p95_latency_ms"
        }
    }

    /// The range the report covers, as requested.
    public var range: ReportRange
    /// Which list ``entries`` is.
    public var groupedBy: Grouping
    public var requests: Requests
    /// One entry per provider, by name; includes providers whose breaker tripped without calls in the range.
    public var providers: [Entry]
    /// One entry per provider and model, by provider then model.
    public var models: [Entry]

    /// Start of the range, inclusive.
    public var since: Date { range.lowerBound }
    /// End of the range, exclusive.
    public var until: Date { range.upperBound }
    /// ``providers`` or ``models``, as ``groupedBy`` says.
    public var entries: [Entry] { groupedBy == .model ? models : providers }

    public init(
        range: ReportRange, groupedBy: Grouping = .provider, requests: Requests, providers: [Entry], models: [Entry]
    ) {
        self.range = range
        self.groupedBy = groupedBy
        self.requests = requests
        self.providers = providers
        self.models = models
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try range.encode(into: &container, since: .since, until: .until)
        try container.encode(groupedBy.rawValue, forKey: .groupBy)
        try container.encode(requests, forKey: .requests)
        try container.encode(entries, forKey: encoder.reportAudience == .commandLine ? .rows : .entries)
    }

    enum CodingKeys: String, CodingKey {
        case since, until, requests, entries, rows
        case groupBy = "group_by"
    }
}
