public import SwitchyardCore

/// Everything the ledger holds about one request: the request and its calls (``RequestRecord``), what else
/// happened to it (escalations, skipped targets, queueing) and the money it moved.
///
/// Its JSON (`GET /reports/requests/{id}`): `request`, `events` and `money`, oldest first, times in ISO 8601.
public struct RequestTrail: Sendable, Hashable, Encodable {
    /// Which request.
    public struct Request: LedgerReportRequest, Hashable {
        public var id: String

        public init(id: String) {
            self.id = id
        }

        /// `id`, the request id a client was given (`x-switchyard-request-id`).
        public init(parameters: ReportParameters) throws(ReportParameterError) {
            guard let id = parameters["id"], !id.isEmpty else {
                throw ReportParameterError(parameter: "id", message: "'id' must name a request")
            }
            self.init(id: id)
        }

        /// `nil` when the ledger has no request `id`.
        public func report(from reader: LedgerReader) async throws -> RequestTrail? {
            try await reader.requestTrail(id: id)
        }
    }

    /// A `request_events` row.
    public struct Event: Sendable, Hashable, Encodable {
        /// `escalated`, `target_skipped` or `queued`.
        public var kind: String
        public var tier: String?
        /// `escalated`: from; `target_skipped`: the skipped provider.
        public var provider: String?
        public var model: String?
        public var toProvider: String?
        public var toModel: String?
        /// `target_skipped`: `breaker_open`, `rate_limited`, ...
        public var reason: String?
        public var queueLength: Int?
        /// ISO 8601, UTC.
        public var at: String

        public init(
            kind: String, tier: String?, provider: String?, model: String?, toProvider: String?, toModel: String?,
            reason: String?, queueLength: Int?, at: String
        ) {
            self.kind = kind
            self.tier = tier
            self.provider = provider
            self.model = model
            self.toProvider = toProvider
            self.toModel = toModel
            self.reason = reason
            self.queueLength = queueLength
            self.at = at
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            for (value, key) in [
                (tier, CodingKeys.tier), (provider, .provider), (model, .model), (toProvider, .toProvider),
                (toModel, .toModel), (reason, .reason),
            ] {
                try container.encode(value, forKey: key)
            }
            try container.encode(queueLength, forKey: .queueLength)
            try container.encode(at, forKey: .at)
        }

        enum CodingKeys: String, CodingKey {
            case kind, tier, provider, model, reason, at
            case toProvider = "to_provider", toModel = "to_model", queueLength = "queue_length"
        }
    }

    /// A `ledger` row: money reserved, settled or released for the request.
    public struct Movement: Sendable, Hashable, Encodable {
        /// `reserve`, `settle` or `release`.
        public var kind: String
        public var amount: MicroDollars
        public var note: String?
        /// ISO 8601, UTC.
        public var at: String

        public init(kind: String, amount: MicroDollars, note: String?, at: String) {
            self.kind = kind
            self.amount = amount
            self.note = note
            self.at = at
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(amount.decimalString, forKey: .amountUSD)
            try container.encode(amount.rawValue, forKey: .amountMicros)
            try container.encode(note, forKey: .note)
            try container.encode(at, forKey: .at)
        }

        enum CodingKeys: String, CodingKey {
            case kind, note, at
            case amountUSD = "amount_usd", amountMicros = "amount_usd_micros"
        }
    }

    public var request: RequestRecord
    public var events: [Event]
    public var money: [Movement]

    public init(request: RequestRecord, events: [Event], money: [Movement]) {
        self.request = request
        self.events = events
        self.money = money
    }
}
