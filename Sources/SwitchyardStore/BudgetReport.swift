public import SwitchyardCore

import Foundation

/// Budget figures as the admin API (`GET /budgets…`) and `switchyard budget show|list --format json` write them:
/// `{"budgets": [...]}`, one entry per limit of a scope, snake_case keys, money as exact decimal dollars (`*_usd`)
/// and micro-dollars (`*_usd_micros`), `window_start` and `resets_at` (ISO 8601) for calendar periods only. The
/// lifetime figures of a scope without a lifetime limit have `limit_usd` and `remaining_usd` null.
public struct BudgetReport: Sendable, Encodable {
    public var budgets: [BudgetStatus]

    public init(_ budgets: [BudgetStatus]) {
        self.budgets = budgets
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(budgets.map(Entry.init), forKey: .budgets)
    }

    private enum Key: String, CodingKey { case budgets }

    private struct Entry: Encodable {
        var status: BudgetStatus

        enum CodingKeys: String, CodingKey {
            case scope, period
            case scopeID = "scope_id", windowStart = "window_start", resetsAt = "resets_at"
            case limit = "limit_usd", limitMicros = "limit_usd_micros", spent = "spent_usd"
            case spentMicros = "spent_usd_micros", reserved = "reserved_usd", reservedMicros = "reserved_usd_micros"
            case remaining = "remaining_usd", remainingMicros = "remaining_usd_micros"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(status.scope, forKey: .scope)
            try container.encode(status.scopeID, forKey: .scopeID)
            try container.encode(status.period, forKey: .period)
            let unlimited = status.isUnlimited
            for (amount, text, micros) in [
                (unlimited ? nil : status.limit, CodingKeys.limit, CodingKeys.limitMicros),
                (status.spent, .spent, .spentMicros), (status.reserved, .reserved, .reservedMicros),
                (unlimited ? nil : status.remaining, .remaining, .remainingMicros),
            ] {
                try container.encode(amount?.decimalString, forKey: text)
                try container.encode(amount?.rawValue, forKey: micros)
            }
            try container.encodeIfPresent(status.window?.start.formatted(.iso8601), forKey: .windowStart)
            try container.encodeIfPresent(status.resetsAt?.formatted(.iso8601), forKey: .resetsAt)
        }
    }
}
