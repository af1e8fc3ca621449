public import SwitchyardCore

public import struct Foundation.Date

/// What a cost report groups by.
public enum CostDimension: String, Sendable, Hashable, Codable, CaseIterable {
    /// `requests.user_id`.
    case user
    /// The provider that was called (`attempts.provider`).
    case provider
    /// The model that was called (`attempts.model`).
    case model
    /// The UTC day the call started, `YYYY-MM-DD`.
    case day
    /// The API key the request came with (`requests.key_id`; absent for requests without a key).
    case key
    /// The team of that key (`requests.team`).
    case team
    /// The UTC ISO week the call started, as its Monday, `YYYY-MM-DD`.
    case week
    /// The UTC month the call started, `YYYY-MM`.
    case month
    /// The UTC hour the call started, `YYYY-MM-DD HH:00`.
    case hour
}

/// Money spent on provider calls over a range, grouped by the requested dimensions.
///
/// Costs come from `attempts` (every provider call, failed ones included, by `started_at`), joined to `requests`
/// for the user, so totals equal what providers charged. With ``Request/repricing``, each row also says what its
/// calls would cost at those prices ("what would this have cost today"), computed from the recorded tokens of every
/// call, without touching the ledger.
///
/// Its JSON (`GET /reports/costs`, `switchyard report costs --format json`): `since`, `until`, `group_by`, `rows`
/// and `total`, snake_case keys, money as an exact decimal string (`cost_usd`) and as micro-dollars
/// (`cost_usd_micros`); dimensions not grouped by are absent.
public struct CostReport: Sendable, Hashable, Encodable {
    /// What to report: a range and the dimensions to group by.
    public struct Request: LedgerReportRequest, Hashable {
        public var range: ReportRange
        /// In this order; duplicates are ignored; empty for one grand total.
        public var groupedBy: [CostDimension]
        /// Prices to re-price every call at; `nil` for the recorded costs only.
        public var repricing: PriceTable?

        public init(range: ReportRange, groupedBy: [CostDimension] = [.user], repricing: PriceTable? = nil) {
            self.range = range
            self.groupedBy = groupedBy
            self.repricing = repricing
        }

        /// `since`, `until` (see ``ReportParameters/range()``), `group_by`: comma-separated dimensions, `user` by
        /// default, and `reprice`: `true` to re-price at ``ReportParameters/currentPrices``.
        public init(parameters: ReportParameters) throws(ReportParameterError) {
            let range = try parameters.range()
            var dimensions: [CostDimension] = []
            for part in (parameters["group_by"] ?? "user").split(separator: ",") {
                guard let dimension = CostDimension(rawValue: String(part)) else {
                    throw ReportParameterError(
                        parameter: "group_by",
                        message: "'group_by' must be \(CostDimension.allCases.map(\.rawValue).joined(separator: ", ")) "
                            + "(comma-separated), not '\(part)'")
                }
                dimensions.append(dimension)
            }
            var repricing: PriceTable?
            switch parameters["reprice"] {
            case nil, "false": repricing = nil
            case "true": repricing = parameters.currentPrices
            case let other?:
                throw ReportParameterError(parameter: "reprice", message: "'reprice' must be true or false, not '\(other)'")
            }
            self.init(range: range, groupedBy: dimensions, repricing: repricing)
        }

        public func report(from reader: LedgerReader) async throws -> CostReport {
            try await reader.costReport(self)
        }
    }

    /// One group's totals. Dimensions not grouped by are `nil`.
    public struct Row: Sendable, Hashable, Encodable {
        /// The group's value of each dimension grouped by (absent: not grouped by, or no value, such as the key
        /// of a request made without one).
        public var values: [CostDimension: String]
        public var user: String? { values[.user] }
        public var provider: String? { values[.provider] }
        public var model: String? { values[.model] }
        /// `YYYY-MM-DD` (UTC).
        public var day: String? { values[.day] }
        /// Distinct requests with at least one call in the group.
        public var requests: Int
        /// Provider calls.
        public var attempts: Int
        /// All prompt tokens, cached ones included.
        public var promptTokens: Int
        /// All completion tokens, reasoning ones included.
        public var completionTokens: Int
        /// Of the prompt tokens, those read from a prompt cache.
        public var cachedPromptTokens: Int
        /// Of the prompt tokens, those written to a prompt cache (5-minute and 1-hour).
        public var cacheWriteTokens: Int
        /// Of the completion tokens, reasoning ones.
        public var reasoningTokens: Int
        /// What the calls were billed.
        public var cost: MicroDollars
        /// What the calls would cost at the report's re-pricing table; `nil` unless re-priced.
        public var repricedCost: MicroDollars?
        /// Calls whose provider and model the re-pricing table does not have: counted at their billed cost.
        public var unpricedAttempts: Int?

        public init(
            values: [CostDimension: String] = [:], requests: Int, attempts: Int, promptTokens: Int,
            completionTokens: Int, cachedPromptTokens: Int = 0, cacheWriteTokens: Int = 0, reasoningTokens: Int = 0,
            cost: MicroDollars, repricedCost: MicroDollars? = nil, unpricedAttempts: Int? = nil
        ) {
            self.values = values
            self.requests = requests
            self.attempts = attempts
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.cachedPromptTokens = cachedPromptTokens
            self.cacheWriteTokens = cacheWriteTokens
            self.reasoningTokens = reasoningTokens
            self.cost = cost
            self.repricedCost = repricedCost
            self.unpricedAttempts = unpricedAttempts
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            for dimension in CostDimension.allCases {
                try container.encodeIfPresent(values[dimension], forKey: CodingKeys(rawValue: dimension.rawValue)!)
            }
            try container.encode(requests, forKey: .requests)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(promptTokens, forKey: .promptTokens)
            try container.encode(completionTokens, forKey: .completionTokens)
            try container.encode(cachedPromptTokens, forKey: .cachedPromptTokens)
            try container.encode(cacheWriteTokens, forKey: .cacheWriteTokens)
            try container.encode(reasoningTokens, forKey: .reasoningTokens)
            try container.encode(cost.decimalString, forKey: .costUSD)
            try container.encode(cost.rawValue, forKey: .costMicros)
            if let repricedCost {
                try container.encode(repricedCost.decimalString, forKey: .repricedCostUSD)
                try container.encode(repricedCost.rawValue, forKey: .repricedCostMicros)
                try container.encode(unpricedAttempts ?? 0, forKey: .unpricedAttempts)
            }
        }

        enum CodingKeys: String, CodingKey {
            case user, provider, model, day, key, team, week, month, hour, requests, attempts
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", costUSD = "cost_usd"
            case cachedPromptTokens = "cached_prompt_tokens", cacheWriteTokens = "cache_write_tokens"
            case reasoningTokens = "reasoning_tokens"
            case costMicros = "cost_usd_micros"
            case repricedCostUSD = "repriced_cost_usd", repricedCostMicros = "repriced_cost_usd_micros"
            case unpricedAttempts = "unpriced_attempts"
        }
    }

    /// The range the report covers, as requested.
    public var range: ReportRange
    /// The dimensions of ``rows``, in the order asked.
    public var groupedBy: [CostDimension]
    /// One row per group, ordered by the grouped dimensions.
    public var rows: [Row]
    /// Totals over the whole range (all dimensions `nil`).
    public var total: Row
    /// Whether the rows carry re-priced costs.
    public var isRepriced: Bool { total.repricedCost != nil }

    /// Start of the range, inclusive.
    public var since: Date { range.lowerBound }
    /// End of the range, exclusive.
    public var until: Date { range.upperBound }

    public init(range: ReportRange, groupedBy: [CostDimension], rows: [Row], total: Row) {
        self.range = range
        self.groupedBy = groupedBy
        self.rows = rows
        self.total = total
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try range.encode(into: &container, since: .since, until: .until)
        try container.encode(groupedBy.map(\.rawValue), forKey: .groupBy)
        try container.encode(isRepriced, forKey: .repriced)
        try container.encode(rows, forKey: .rows)
        try container.encode(total, forKey: .total)
    }

    enum CodingKeys: String, CodingKey {
        case since, until, rows, total, repriced
        case groupBy = "group_by"
    }
}
