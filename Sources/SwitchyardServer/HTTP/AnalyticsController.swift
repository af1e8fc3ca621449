import Hummingbird
import SwitchyardCore
import SwitchyardStore

/// `GET /routing/analytics` (admin): the ledger's all-time totals with each provider's live circuit state.
struct AnalyticsController: Sendable {
    let store: LedgerStore
    let router: SwitchyardCore.Router<ContinuousClock>
    let cache = AnalyticsCache()

    func register(on admin: AdminRoutes) {
        admin.get("/routing/analytics") { _, _ in try await analytics() }
    }

    /// Ledger totals, so they survive restarts, with the live circuit state. The totals scan the whole history, so
    /// they are computed at most once per ``AnalyticsCache/lifetime`` however often the endpoint is called.
    func analytics() async throws -> Response {
        let totals = try await cache.totals { [store] in try await store.totals() }
        let live = Dictionary(router.providerSnapshots().map { ($0.name, $0) }) { first, _ in first }
        var providers: [String: AnalyticsProvider] = [:]
        for (name, snapshot) in live {
            providers[name] = AnalyticsProvider(requests: 0, success: 0, failures: 0, latency: 0, snapshot: snapshot)
        }
        for provider in totals.providers {
            providers[provider.name] = AnalyticsProvider(
                requests: provider.calls, success: provider.successes, failures: provider.failures,
                latency: provider.averageLatencyMs, snapshot: live[provider.name])
        }
        let requests = totals.requests
        return try .json(
            Analytics(
                global: .init(
                    totalRequests: requests.total, totalSuccess: requests.successes,
                    totalFailures: requests.failures, avgLatencyMs: requests.averageLatencyMs,
                    totalCost: requests.cost.dollars, totalCostUSD: requests.cost.decimalString,
                    successRate: requests.total == 0 ? 0 : Double(requests.successes) / Double(requests.total)),
                providers: providers))
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
