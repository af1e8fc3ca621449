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
}

/// Money spent on provider calls over `[since, until)`, grouped by the requested dimensions.
///
/// Costs come from `attempts` (every provider call, failed ones included, by `started_at`), joined to `requests`
/// for the user, so totals equal what providers charged.
public struct CostReport: Sendable, Hashable, Codable {
    /// One group's totals. Dimensions not grouped by are `nil`.
    public struct Row: Sendable, Hashable, Codable {
        public var user: String?
        public var provider: String?
        public var model: String?
        /// `YYYY-MM-DD` (UTC).
        public var day: String?
        /// Distinct requests with at least one call in the group.
        public var requests: Int
        /// Provider calls.
        public var attempts: Int
        public var promptTokens: Int
        public var completionTokens: Int
        public var cost: MicroDollars

        public init(
            user: String? = nil, provider: String? = nil, model: String? = nil, day: String? = nil, requests: Int,
            attempts: Int, promptTokens: Int, completionTokens: Int, cost: MicroDollars
        ) {
            self.user = user
            self.provider = provider
            self.model = model
            self.day = day
            self.requests = requests
            self.attempts = attempts
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.cost = cost
        }
    }

    /// Start of the range, inclusive.
    public var since: Date
    /// End of the range, exclusive.
    public var until: Date
    /// The dimensions of ``rows``, in the order asked.
    public var groupedBy: [CostDimension]
    /// One row per group, ordered by the grouped dimensions.
    public var rows: [Row]
    /// Totals over the whole range (all dimensions `nil`).
    public var total: Row

    public init(since: Date, until: Date, groupedBy: [CostDimension], rows: [Row], total: Row) {
        self.since = since
        self.until = until
        self.groupedBy = groupedBy
        self.rows = rows
        self.total = total
    }
}
