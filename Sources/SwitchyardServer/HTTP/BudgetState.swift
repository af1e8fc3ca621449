import Foundation
import HTTPTypes
import SwitchyardCore

/// The tightest budget limit of a request once settled, as every answer reports it: the
/// `x-switchyard-budget-*` headers of a non-streamed answer, and `switchyard.budget` in its body and in a stream's
/// last chunk. Money as exact decimal dollars; `resets_at` (ISO 8601) only for a calendar period.
struct BudgetState: Encodable, Sendable {
    var scope: String
    var scopeID: String
    var period: String
    var limitUSD: String
    var remainingUSD: String
    var resetsAt: String?

    init?(_ status: BudgetStatus?) {
        guard let status else { return nil }
        scope = status.scope.rawValue
        scopeID = status.scopeID
        period = status.period.rawValue
        limitUSD = status.limit.decimalString
        remainingUSD = status.remaining.decimalString
        resetsAt = status.resetsAt?.formatted(.iso8601)
    }

    /// The headers of a non-streamed answer.
    var headers: HTTPFields {
        var fields: HTTPFields = [
            .switchyardBudgetLimit: limitUSD, .switchyardBudgetRemaining: remainingUSD,
            .switchyardBudgetScope: "\(scope):\(period)",
        ]
        if let resetsAt { fields[.switchyardBudgetResetsAt] = resetsAt }
        return fields
    }

    enum CodingKeys: String, CodingKey {
        case scope, period
        case scopeID = "scope_id", limitUSD = "limit_usd", remainingUSD = "remaining_usd", resetsAt = "resets_at"
    }
}

extension HTTPField.Name {
    static let switchyardBudgetLimit = HTTPField.Name("x-switchyard-budget-limit-usd")!
    static let switchyardBudgetRemaining = HTTPField.Name("x-switchyard-budget-remaining-usd")!
    static let switchyardBudgetResetsAt = HTTPField.Name("x-switchyard-budget-resets-at")!
    /// `scope:period` of the limit the other budget headers describe, e.g. `user:daily`.
    static let switchyardBudgetScope = HTTPField.Name("x-switchyard-budget-scope")!
    /// The tier that served a request its route downgraded because its budget ran low.
    static let switchyardDowngraded = HTTPField.Name("x-switchyard-downgraded")!
}
