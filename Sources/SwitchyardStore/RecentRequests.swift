public import struct Foundation.Date

/// The latest client requests of a range, newest first, each with its provider calls: who was tried, what failed,
/// what it cost.
///
/// Its JSON (`GET /reports/requests`): `since`, `until`, `limit` and `requests`, each a ``RequestRecord``.
public struct RecentRequests: Sendable, Hashable, Encodable {
    /// What to list: a range, how many, and optionally one user's or one status's requests only.
    public struct Request: LedgerReportRequest, Hashable {
        /// Requests listed unless told: 50.
        public static let defaultLimit = 50
        /// The most a request may ask for: 500.
        public static let maximumLimit = 500

        public var range: ReportRange
        public var limit: Int
        /// Only this user's requests (`requests.user_id`).
        public var user: String?
        /// Only requests with this status (`success`, `failed`, ...).
        public var status: String?

        public init(range: ReportRange, limit: Int = Self.defaultLimit, user: String? = nil, status: String? = nil) {
            self.range = range
            self.limit = limit
            self.user = user
            self.status = status
        }

        /// `since`, `until` (see ``ReportParameters/range()``), `limit` (1 to 500; 50 by default), `user` and
        /// `status`.
        public init(parameters: ReportParameters) throws(ReportParameterError) {
            self.init(
                range: try parameters.range(),
                limit: try parameters.integer("limit", in: 1...Self.maximumLimit) ?? Self.defaultLimit,
                user: parameters["user"], status: parameters["status"])
        }

        public func report(from reader: LedgerReader) async throws -> RecentRequests {
            try await reader.recentRequests(self)
        }
    }

    public var range: ReportRange
    public var limit: Int
    /// Newest first.
    public var requests: [RequestRecord]

    public init(range: ReportRange, limit: Int, requests: [RequestRecord]) {
        self.range = range
        self.limit = limit
        self.requests = requests
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try range.encode(into: &container, since: .since, until: .until)
        try container.encode(limit, forKey: .limit)
        try container.encode(requests, forKey: .requests)
    }

    enum CodingKeys: String, CodingKey {
        case since, until, limit, requests
    }
}
