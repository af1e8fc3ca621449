import SwitchyardProviders
import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardStore

/// `GET /providers`, `GET /routing/analytics`, `POST /simulate/failure`, `GET|PUT /users/{id}/budget`.
struct OperationsController: Sendable {
    let runtime: SwitchyardRuntime
    let admin: AdminAuthenticator
    let analyticsCache = AnalyticsCache()

    func register(on routes: Hummingbird.Router<BasicRequestContext>) {
        routes.get("/providers") { _, _ in try providers() }
        routes.get("/routing/analytics") { request, _ in
            try admin.check(request)
            return try await analytics()
        }
        routes.post("/simulate/failure") { request, _ in
            try admin.check(request)
            return try await simulateFailure(request)
        }
        routes.get("/users/:id/budget") { request, context in
            try admin.check(request)
            return try await budget(context.parameters.require("id"))
        }
        routes.put("/users/:id/budget") { request, context in
            try admin.check(request)
            return try await setBudget(context.parameters.require("id"), request: request)
        }
    }

    func providers() throws -> Response {
        let snapshots = runtime.router.providerSnapshots()
        let scores = ProviderScoring().scores(snapshots)
        let kinds = Dictionary(uniqueKeysWithValues: runtime.config.providers.map { ($0.name, $0.kind.rawValue) })
        let entries = snapshots.map { snapshot in
            ProviderEntry(snapshot, kind: kinds[snapshot.name] ?? "unknown", score: scores[snapshot.name] ?? 0)
        }
        return try .json(["providers": entries])
    }

    /// Totals from the ledger, so they survive restarts; live breaker state from the router.
    /// Ledger totals with the live circuit state. The totals scan the whole history, so they are computed at most
    /// once per ``AnalyticsCache/lifetime`` however often the endpoint is called.
    func analytics() async throws -> Response {
        let (global, perProvider) = try await analyticsCache.totals { [database = runtime.database] in
            let global = try await database.query(
                """
                SELECT count(*), coalesce(sum(status = 'success'), 0), coalesce(sum(status <> 'success'), 0),
                       coalesce(avg(latency_ms), 0), coalesce(sum(cost_usd_micros), 0)
                FROM requests WHERE finished_at IS NOT NULL
                """, rowLimit: 1)
            let perProvider = try await database.query(
                """
                SELECT provider, count(*), coalesce(sum(outcome IN ('success', 'escalated')), 0),
                       coalesce(sum(outcome NOT IN ('success', 'escalated')), 0), coalesce(avg(latency_ms), 0)
                FROM attempts WHERE outcome <> 'started' GROUP BY provider ORDER BY provider
                """, rowLimit: 10_000)
            return (global, perProvider)
        }
        let row = global.rows.first ?? []
        let total = row.int(0)
        let success = row.int(1)
        let live = Dictionary(uniqueKeysWithValues: runtime.router.providerSnapshots().map { ($0.name, $0) })
        var providers: [String: AnalyticsProvider] = [:]
        for name in live.keys {
            providers[name] = AnalyticsProvider(requests: 0, success: 0, failures: 0, latency: 0, snapshot: live[name])
        }
        for row in perProvider.rows {
            let name = row.string(0)
            providers[name] = AnalyticsProvider(
                requests: row.int(1), success: row.int(2), failures: row.int(3), latency: row.double(4),
                snapshot: live[name])
        }
        let totalCost = MicroDollars(Int64(row.int(4)))
        return try .json(
            Analytics(
                global: .init(
                    totalRequests: total, totalSuccess: success, totalFailures: row.int(2),
                    avgLatencyMs: row.double(3), totalCost: totalCost.dollars, totalCostUSD: totalCost.decimalString,
                    successRate: total == 0 ? 0 : Double(success) / Double(total)),
                providers: providers))
    }

    struct FailureSwitch: Decodable {
        var provider: String
        var down: Bool
    }

    func simulateFailure(_ request: Request) async throws -> Response {
        let body = try await request.decodeJSON(FailureSwitch.self, limit: runtime.config.server.maxBodyBytes)
        guard runtime.router.setForcedDown(body.down, provider: body.provider) else {
            let known = runtime.config.providers.map(\.name).joined(separator: ", ")
            throw APIError.notFound("no provider named '\(body.provider)' (known: \(known))", code: "unknown_provider")
        }
        let snapshot = runtime.router.providerSnapshots().first { $0.name == body.provider }
        return try .json(
            ["provider": JSONValue.string(body.provider), "down": .bool(body.down),
             "circuit_status": .string(snapshot.map { ProviderEntry.circuitStatus($0.breakerState) } ?? "CLOSED")])
    }

    func budget(_ userID: String) async throws -> Response {
        try .json(BudgetBody(try await runtime.budgets.status(userID: userID)))
    }

    struct LimitBody: Decodable {
        var limitUSD: Double
        enum CodingKeys: String, CodingKey { case limitUSD = "limit_usd" }
    }

    func setBudget(_ userID: String, request: Request) async throws -> Response {
        let body = try await request.decodeJSON(LimitBody.self, limit: runtime.config.server.maxBodyBytes)
        guard let limit = MicroDollars(dollars: body.limitUSD) else {
            throw APIError.badRequest("'limit_usd' must be a non-negative number of dollars")
        }
        try await runtime.budgets.setLimit(limit, for: userID)
        return try .json(BudgetBody(try await runtime.budgets.status(userID: userID)))
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

struct ProviderEntry: Encodable {
    var name: String
    var kind: String
    var model: String
    var models: [Model]
    var costPerToken: Double
    var latencyMs: Double
    /// `null` when the provider has no per-minute or per-second limit.
    var rateLimitRPM: Nullable<Int>
    var specialties: [String]
    var qualityScore: Double
    var isDown: Bool
    var forcedDown: Bool
    var healthy: Bool
    var circuitStatus: String
    var successRate: Double
    var requests: Int
    var failures: Int
    var breakerTrips: Int
    var inFlight: Int
    var score: Double

    struct Model: Encodable {
        var name: String
        var inputUSDPerMTok: String
        var outputUSDPerMTok: String
        var maxOutputTokens: Int
        enum CodingKeys: String, CodingKey {
            case name
            case inputUSDPerMTok = "input_usd_per_mtok"
            case outputUSDPerMTok = "output_usd_per_mtok"
            case maxOutputTokens = "max_output_tokens"
        }
    }

    init(_ snapshot: ProviderSnapshot, kind: String, score: Double) {
        let profile = snapshot.profile
        name = profile.name
        self.kind = kind
        model = profile.models.first?.name ?? ""
        models = profile.models.map {
            Model(
                name: $0.name, inputUSDPerMTok: $0.pricing.inputPerMillionTokens.decimalString,
                outputUSDPerMTok: $0.pricing.outputPerMillionTokens.decimalString, maxOutputTokens: $0.maxOutputTokens)
        }
        let first = profile.models.first?.pricing ?? .free
        // Dollars per token, input and output averaged (display only).
        costPerToken = Double(first.inputPerMillionTokens.rawValue + first.outputPerMillionTokens.rawValue) / 2 / 1e12
        latencyMs = CandidateSeconds.milliseconds(snapshot.stats.ewmaLatency)
        rateLimitRPM = Nullable(
            profile.rateLimit.requestsPerMinute ?? profile.rateLimit.requestsPerSecond.map { Int(saturating: ($0 * 60).rounded()) })
        specialties = profile.specialties.map(\.rawValue).sorted()
        qualityScore = profile.quality
        isDown = snapshot.isDown
        forcedDown = snapshot.isForcedDown
        healthy = snapshot.isHealthy
        circuitStatus = Self.circuitStatus(snapshot.breakerState)
        successRate = snapshot.stats.successRate
        requests = snapshot.stats.requests
        failures = snapshot.stats.failures
        breakerTrips = snapshot.stats.breakerTrips
        inFlight = snapshot.inFlight
        self.score = score
    }

    static func circuitStatus(_ state: BreakerState) -> String {
        switch state {
        case .closed: "CLOSED"
        case .open: "OPEN"
        case .halfOpen: "HALF_OPEN"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, model, models, specialties, requests, failures, score
        case costPerToken = "cost_per_token", latencyMs = "latency_ms", rateLimitRPM = "rate_limit_rpm"
        case qualityScore = "quality_score", isDown = "is_down", forcedDown = "forced_down", healthy
        case circuitStatus = "circuit_status", successRate = "success_rate", breakerTrips = "breaker_trips"
        case inFlight = "in_flight"
    }
}

struct Analytics: Encodable {
    var global: Global
    var providers: [String: AnalyticsProvider]

    struct Global: Encodable {
        var totalRequests: Int
        var totalSuccess: Int
        var totalFailures: Int
        var avgLatencyMs: Double
        var totalCost: Double
        var totalCostUSD: String
        var successRate: Double
        enum CodingKeys: String, CodingKey {
            case totalRequests = "total_requests", totalSuccess = "total_success", totalFailures = "total_failures"
            case avgLatencyMs = "avg_latency_ms", totalCost = "total_cost", totalCostUSD = "total_cost_usd"
            case successRate = "success_rate"
        }
    }
}

struct AnalyticsProvider: Encodable {
    var requests: Int
    var success: Int
    var failures: Int
    var successRate: Double
    var avgLatencyMs: Double
    var isDown: Bool
    var circuitStatus: String

    init(requests: Int, success: Int, failures: Int, latency: Double, snapshot: ProviderSnapshot?) {
        self.requests = requests
        self.success = success
        self.failures = failures
        successRate = requests == 0 ? 0 : Double(success) / Double(requests)
        avgLatencyMs = latency
        isDown = snapshot?.isDown ?? false
        circuitStatus = snapshot.map { ProviderEntry.circuitStatus($0.breakerState) } ?? "CLOSED"
    }

    enum CodingKeys: String, CodingKey {
        case requests, success, failures
        case successRate = "success_rate", avgLatencyMs = "avg_latency_ms", isDown = "is_down"
        case circuitStatus = "circuit_status"
    }
}
