import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardStore

/// The budget admin endpoints:
///
/// - `GET /budgets?scope=user|key|team`: every scope with figures or limits of its own ([`BudgetReport`]); with
///   `nearest=N`, only the N limits most used, most used first (the dashboard's panel);
/// - `GET /budgets/{scope}/{id}`: one scope's limits and figures;
/// - `PUT /budgets/{scope}/{id}` with `{"period": "daily", "limit_usd": "5.00"}`: sets (or with `null` removes) one
///   limit, answering the scope's figures;
/// - `GET /budgets/alerts?since=&until=`: the alerts recorded;
/// - `GET|PUT /users/{id}/budget`: a user's lifetime limit in the shape from before scopes.
struct BudgetsController: Sendable {
    let budgets: any BudgetAdministration
    let alerts: any BudgetAlertDirectory
    let bodyLimit: Int

    func register(on admin: AdminRoutes) {
        admin.get("/budgets") { request, _ in
            let scope = try request.uri.queryParameters["scope"].map { try Self.scope(String($0)) }
            let nearest: Int?
            do {
                nearest = try ReportParameters(
                    request.uri.queryParameters["nearest"].map { ["nearest": String($0)] } ?? [:]
                ).integer("nearest", in: 1...Self.mostNearest)
            } catch let error as ReportParameterError {
                throw APIError.badRequest(error.message, param: error.parameter)
            }
            let statuses = try await budgets.allStatuses(scope: scope)
            return try Response.json(BudgetReport(nearest.map { statuses.mostUsed($0) } ?? statuses))
        }
        admin.get("/budgets/alerts") { request, _ in
            let parameters = ReportParameters(
                Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }) { first, _ in first })
            let range: ReportRange
            do {
                range = try parameters.range()
            } catch let error as ReportParameterError {
                throw APIError.badRequest(error.message)
            }
            let recorded = try await alerts.list(since: range.since?.date, until: range.until?.date, limit: 1000)
            return try Response.json(["alerts": recorded])
        }
        admin.get("/budgets/:scope/:id") { _, context in
            let (scope, id) = try Self.scopeAndID(context)
            return try Response.json(BudgetReport(try await budgets.statuses(scope, id: id)))
        }
        admin.put("/budgets/:scope/:id") { request, context in
            let (scope, id) = try Self.scopeAndID(context)
            let body = try await request.decodeJSON(ScopeLimitBody.self, limit: bodyLimit)
            try await budgets.setLimit(body.limit, scope: scope, id: id, period: body.period ?? .lifetime)
            return try Response.json(BudgetReport(try await budgets.statuses(scope, id: id)))
        }
        admin.get("/users/:id/budget") { _, context in try await budget(context.parameters.require("id")) }
        admin.put("/users/:id/budget") { request, context in
            try await setBudget(context.parameters.require("id"), request: request)
        }
    }

    /// The most limits `GET /budgets?nearest=N` lists.
    static let mostNearest = 1000

    static func scope(_ text: String) throws -> BudgetScope {
        guard let scope = BudgetScope(rawValue: text) else {
            throw APIError.badRequest("the scope must be user, key or team, not '\(text.prefix(64))'")
        }
        return scope
    }

    static func scopeAndID(_ context: BasicRequestContext) throws -> (BudgetScope, String) {
        (try scope(try context.parameters.require("scope")), try context.parameters.require("id"))
    }

    /// `{"period": "daily", "limit_usd": "5.00"}`: the period (lifetime when absent) and the limit in dollars, as a
    /// string read exactly or a number; `null` removes the limit.
    struct ScopeLimitBody: Decodable {
        var period: BudgetPeriod?
        var limit: MicroDollars?

        enum CodingKeys: String, CodingKey { case period, limit = "limit_usd" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let periodText = try container.decodeIfPresent(String.self, forKey: .period)
            if let periodText {
                guard let period = BudgetPeriod(rawValue: periodText) else {
                    throw APIError.badRequest(
                        "'period' must be lifetime, daily, weekly or monthly, not '\(periodText.prefix(64))'")
                }
                self.period = period
            }
            guard container.contains(.limit) else {
                throw APIError.badRequest("'limit_usd' is required: dollars, or null to remove the limit")
            }
            if try container.decodeNil(forKey: .limit) { return }
            if let text = try? container.decode(String.self, forKey: .limit) {
                guard let amount = try? MicroDollars(parsing: text), amount >= .zero else {
                    throw APIError.badRequest("'limit_usd' must be a non-negative dollar amount with at most six decimals")
                }
                limit = amount
            } else if let number = try? container.decode(Double.self, forKey: .limit),
                let amount = MicroDollars(dollars: number)
            {
                limit = amount
            } else {
                throw APIError.badRequest("'limit_usd' must be a non-negative number of dollars, or null")
            }
        }
    }

    func budget(_ userID: String) async throws -> Response {
        try .json(BudgetBody(try await budgets.status(userID: userID)))
    }

    struct LimitBody: Decodable {
        var limitUSD: Double
        enum CodingKeys: String, CodingKey { case limitUSD = "limit_usd" }
    }

    func setBudget(_ userID: String, request: Request) async throws -> Response {
        let body = try await request.decodeJSON(LimitBody.self, limit: bodyLimit)
        guard let limit = MicroDollars(dollars: body.limitUSD) else {
            throw APIError.badRequest("'limit_usd' must be a non-negative number of dollars")
        }
        try await budgets.setLimit(limit, for: userID)
        return try .json(BudgetBody(try await budgets.status(userID: userID)))
    }
}

/// A user's lifetime budget in the shape of `GET /users/{id}/budget`.
struct BudgetBody: Encodable {
    var userID: String
    var limitUSD: Double
    var spentUSD: Double
    var reservedUSD: Double
    var remainingUSD: Double
    var limitMicros: Int64
    var spentMicros: Int64
    var reservedMicros: Int64
    init(_ status: BudgetStatus) {
        userID = status.scopeID
        limitUSD = status.limit.dollars
        spentUSD = status.spent.dollars
        reservedUSD = status.reserved.dollars
        remainingUSD = status.remaining.dollars
        limitMicros = status.limit.rawValue
        spentMicros = status.spent.rawValue
        reservedMicros = status.reserved.rawValue
    }
    enum CodingKeys: String, CodingKey {
        case userID = "user_id", limitUSD = "limit_usd", spentUSD = "spent_usd", reservedUSD = "reserved_usd"
        case remainingUSD = "remaining_usd", limitMicros = "limit_usd_micros", spentMicros = "spent_usd_micros"
        case reservedMicros = "reserved_usd_micros"
    }
}
