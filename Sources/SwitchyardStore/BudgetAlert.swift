public import SwitchyardCore

public import struct Foundation.Date
import Foundation

/// One row of `budget_alerts`: a scope's spend reached a threshold of one of its limits in one window.
///
/// Its JSON is what the webhook receives and what `GET /budgets/alerts` lists: snake_case keys, money as exact
/// decimal dollars (`limit_usd`, `spent_usd`) and micro-dollars.
public struct BudgetAlert: Sendable, Hashable, Encodable {
    /// `budget_alerts.id`; also the webhook's `Idempotency-Key` (`budget-alert-<id>`), since a delivery whose
    /// answer was lost is sent again.
    public var id: Int64
    public var scope: BudgetScope
    public var scopeID: String
    public var period: BudgetPeriod
    /// The window's start; `nil` for a lifetime limit.
    public var windowStart: Date?
    public var thresholdPercent: Int
    /// The limit and what was spent when the threshold was reached.
    public var limit: MicroDollars
    public var spent: MicroDollars
    /// The request whose settlement reached it.
    public var requestID: String?
    public var createdAt: Date
    /// When the webhook accepted it; `nil` while it is still being sent.
    public var sentAt: Date?
    /// Deliveries tried so far.
    public var attempts: Int
    public var lastError: String?

    public init(
        id: Int64, scope: BudgetScope, scopeID: String, period: BudgetPeriod, windowStart: Date?, thresholdPercent: Int,
        limit: MicroDollars, spent: MicroDollars, requestID: String?, createdAt: Date, sentAt: Date? = nil,
        attempts: Int = 0, lastError: String? = nil
    ) {
        self.id = id
        self.scope = scope
        self.scopeID = scopeID
        self.period = period
        self.windowStart = windowStart
        self.thresholdPercent = thresholdPercent
        self.limit = limit
        self.spent = spent
        self.requestID = requestID
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.attempts = attempts
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case type, id, scope, period, attempts
        case scopeID = "scope_id", windowStart = "window_start", thresholdPercent = "threshold_percent"
        case limitUSD = "limit_usd", limit = "limit_usd_micros", spentUSD = "spent_usd", spent = "spent_usd_micros"
        case requestID = "request_id", createdAt = "created_at", sentAt = "sent_at", lastError = "last_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("budget.threshold_reached", forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(scope, forKey: .scope)
        try container.encode(scopeID, forKey: .scopeID)
        try container.encode(period, forKey: .period)
        try container.encode(windowStart.map { $0.formatted(.iso8601) }, forKey: .windowStart)
        try container.encode(thresholdPercent, forKey: .thresholdPercent)
        try container.encode(limit.decimalString, forKey: .limitUSD)
        try container.encode(limit.rawValue, forKey: .limit)
        try container.encode(spent.decimalString, forKey: .spentUSD)
        try container.encode(spent.rawValue, forKey: .spent)
        try container.encode(requestID, forKey: .requestID)
        try container.encode(createdAt.formatted(.iso8601), forKey: .createdAt)
        try container.encode(sentAt.map { $0.formatted(.iso8601) }, forKey: .sentAt)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(lastError, forKey: .lastError)
    }
}
