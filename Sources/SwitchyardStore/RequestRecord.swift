public import SwitchyardCore

/// One client request as the ledger recorded it, with every provider call it made: an entry of
/// `GET /reports/requests` and the `request` of `GET /reports/requests/{id}`.
///
/// Its JSON has the `requests` row's columns under their report names (`user`, `key`, `team`, times in ISO 8601,
/// money as `cost_usd` and `cost_usd_micros`) and `attempts`, in call order; unknown figures are `null`.
public struct RequestRecord: Sendable, Hashable, Encodable {
    /// One provider call (an `attempts` row).
    public struct Attempt: Sendable, Hashable, Encodable {
        public var seq: Int
        public var tier: String?
        public var provider: String
        public var model: String
        /// The call made on the escalation target.
        public var isEscalation: Bool
        /// `started`, `success`, `error`, `timeout`, `rate_limited`, `escalated` or `cancelled`.
        public var outcome: String
        public var httpStatus: Int?
        public var errorCode: String?
        public var error: String?
        public var promptTokens: Int?
        public var completionTokens: Int?
        public var cost: MicroDollars
        public var latencyMs: Int?
        /// ISO 8601, UTC.
        public var startedAt: String

        public init(
            seq: Int, tier: String?, provider: String, model: String, isEscalation: Bool, outcome: String,
            httpStatus: Int?, errorCode: String?, error: String?, promptTokens: Int?, completionTokens: Int?,
            cost: MicroDollars, latencyMs: Int?, startedAt: String
        ) {
            self.seq = seq
            self.tier = tier
            self.provider = provider
            self.model = model
            self.isEscalation = isEscalation
            self.outcome = outcome
            self.httpStatus = httpStatus
            self.errorCode = errorCode
            self.error = error
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.cost = cost
            self.latencyMs = latencyMs
            self.startedAt = startedAt
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(seq, forKey: .seq)
            try container.encode(tier, forKey: .tier)
            try container.encode(provider, forKey: .provider)
            try container.encode(model, forKey: .model)
            try container.encode(isEscalation, forKey: .isEscalation)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(httpStatus, forKey: .httpStatus)
            try container.encode(errorCode, forKey: .errorCode)
            try container.encode(error, forKey: .error)
            try container.encode(promptTokens, forKey: .promptTokens)
            try container.encode(completionTokens, forKey: .completionTokens)
            try container.encode(cost.decimalString, forKey: .costUSD)
            try container.encode(cost.rawValue, forKey: .costMicros)
            try container.encode(latencyMs, forKey: .latencyMs)
            try container.encode(startedAt, forKey: .startedAt)
        }

        enum CodingKeys: String, CodingKey {
            case seq, tier, provider, model, outcome, error
            case isEscalation = "is_escalation", httpStatus = "http_status", errorCode = "error_code"
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", costUSD = "cost_usd"
            case costMicros = "cost_usd_micros", latencyMs = "latency_ms", startedAt = "started_at"
        }
    }

    public var id: String
    public var user: String
    /// The API key's id (`api_keys.id`) the request came with.
    public var key: String?
    public var team: String?
    public var route: String?
    public var requestedModel: String?
    /// `in_progress`, `success`, `failed`, `rejected_budget`, ...
    public var status: String
    /// The provider that answered, or was tried last.
    public var provider: String?
    public var model: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// What all its calls cost.
    public var cost: MicroDollars
    public var latencyMs: Int?
    public var errorCode: String?
    public var escalated: Bool
    /// ISO 8601, UTC.
    public var createdAt: String
    /// ISO 8601, UTC; `nil` while in progress.
    public var finishedAt: String?
    /// In call order.
    public var attempts: [Attempt]

    public init(
        id: String, user: String, key: String? = nil, team: String? = nil, route: String? = nil,
        requestedModel: String? = nil, status: String, provider: String? = nil, model: String? = nil,
        promptTokens: Int? = nil, completionTokens: Int? = nil, cost: MicroDollars, latencyMs: Int? = nil,
        errorCode: String? = nil, escalated: Bool = false, createdAt: String, finishedAt: String? = nil,
        attempts: [Attempt] = []
    ) {
        self.id = id
        self.user = user
        self.key = key
        self.team = team
        self.route = route
        self.requestedModel = requestedModel
        self.status = status
        self.provider = provider
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
        self.latencyMs = latencyMs
        self.errorCode = errorCode
        self.escalated = escalated
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.attempts = attempts
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(user, forKey: .user)
        for (value, key) in [
            (self.key, CodingKeys.key), (team, .team), (route, .route), (requestedModel, .requestedModel),
        ] {
            try container.encode(value, forKey: key)
        }
        try container.encode(status, forKey: .status)
        try container.encode(provider, forKey: .provider)
        try container.encode(model, forKey: .model)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(cost.decimalString, forKey: .costUSD)
        try container.encode(cost.rawValue, forKey: .costMicros)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encode(errorCode, forKey: .errorCode)
        try container.encode(escalated, forKey: .escalated)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(attempts, forKey: .attempts)
    }

    enum CodingKeys: String, CodingKey {
        case id, user, key, team, route, status, provider, model, escalated, attempts
        case requestedModel = "requested_model", promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens", costUSD = "cost_usd", costMicros = "cost_usd_micros"
        case latencyMs = "latency_ms", errorCode = "error_code", createdAt = "created_at", finishedAt = "finished_at"
    }
}
