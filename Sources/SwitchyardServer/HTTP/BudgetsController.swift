import Hummingbird
import SwitchyardCore
import SwitchyardStore

/// `GET|PUT /users/{id}/budget` (admin): a user's limit, spending and reservations, and setting the limit.
struct BudgetsController: Sendable {
    let budgets: SQLiteBudgetStore
    let bodyLimit: Int

    func register(on admin: AdminRoutes) {
        admin.get("/users/:id/budget") { _, context in try await budget(context.parameters.require("id")) }
        admin.put("/users/:id/budget") { request, context in
            try await setBudget(context.parameters.require("id"), request: request)
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
        userID = status.userID
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
