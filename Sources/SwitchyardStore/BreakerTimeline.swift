public import struct Foundation.Date

/// Each provider's circuit-breaker states over a range: the state it was in when the range began and every
/// transition in it, oldest first, as the dashboard draws them.
///
/// Its JSON (`GET /reports/breakers`): `since`, `until`, `truncated` and `providers`, each with `provider`,
/// `state_at_since` (`closed` when no transition came before the range) and `transitions` (`at` in ISO 8601, `from`,
/// `to`, `reason`, `open_until`). Providers appear when a transition of theirs is recorded before the end of the range.
public struct BreakerTimeline: Sendable, Hashable, Encodable {
    /// What to report: a range, and how many transitions at most.
    public struct Request: LedgerReportRequest, Hashable {
        /// The most transitions a timeline lists unless told: 5,000.
        public static let defaultLimit = 5000
        /// The most a request may ask for: 50,000.
        public static let maximumLimit = 50_000

        public var range: ReportRange
        /// The timeline stops after this many transitions (the oldest are kept) and says it was ``truncated``.
        public var limit: Int

        public init(range: ReportRange, limit: Int = Self.defaultLimit) {
            self.range = range
            self.limit = limit
        }

        /// `since`, `until` (see ``ReportParameters/range()``) and `limit` (1 to 50,000; 5,000 by default).
        public init(parameters: ReportParameters) throws(ReportParameterError) {
            self.init(
                range: try parameters.range(),
                limit: try parameters.integer("limit", in: 1...Self.maximumLimit) ?? Self.defaultLimit)
        }

        public func report(from reader: LedgerReader) async throws -> BreakerTimeline {
            try await reader.breakerTimeline(self)
        }
    }

    /// One recorded change of state.
    public struct Transition: Sendable, Hashable, Encodable {
        /// ISO 8601, UTC.
        public var at: String
        public var from: String
        public var to: String
        public var reason: String
        /// For a transition to `open`: when a probe is let through (ISO 8601).
        @Nullable public var openUntil: String?

        public init(at: String, from: String, to: String, reason: String, openUntil: String?) {
            self.at = at
            self.from = from
            self.to = to
            self.reason = reason
            self.openUntil = openUntil
        }

        enum CodingKeys: String, CodingKey {
            case at, from, to, reason
            case openUntil = "open_until"
        }
    }

    /// One provider's timeline.
    public struct Provider: Sendable, Hashable, Encodable {
        public var provider: String
        /// The state after the last transition before the range; `closed` without one.
        public var stateAtSince: String
        /// In the range, oldest first.
        public var transitions: [Transition]

        public init(provider: String, stateAtSince: String, transitions: [Transition]) {
            self.provider = provider
            self.stateAtSince = stateAtSince
            self.transitions = transitions
        }

        enum CodingKeys: String, CodingKey {
            case provider, transitions
            case stateAtSince = "state_at_since"
        }
    }

    public var range: ReportRange
    /// By provider name.
    public var providers: [Provider]
    /// Whether more transitions than the request's limit fell in the range (the newest are left out).
    public var truncated: Bool

    public init(range: ReportRange, providers: [Provider], truncated: Bool) {
        self.range = range
        self.providers = providers
        self.truncated = truncated
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try range.encode(into: &container, since: .since, until: .until)
        try container.encode(truncated, forKey: .truncated)
        try container.encode(providers, forKey: .providers)
    }

    enum CodingKeys: String, CodingKey {
        case since, until, truncated, providers
    }
}
