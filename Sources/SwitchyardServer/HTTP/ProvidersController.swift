import SwitchyardProviders
import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardStore

/// `GET /providers` (each provider's live state) and `POST /simulate/failure` (admin: drain a provider or bring it
/// back).
struct ProvidersController: Sendable {
    let router: SwitchyardCore.Router<ContinuousClock>
    /// The configured providers' names and kinds, in configuration order.
    let kinds: [(name: String, kind: String)]
    let bodyLimit: Int

    func register(on routes: some RouterMethods<BasicRequestContext>, admin: AdminRoutes) {
        routes.get("/providers") { _, _ in try providers() }
        admin.post("/simulate/failure") { request, _ in try await simulateFailure(request) }
    }

    func providers() throws -> Response {
        let snapshots = router.providerSnapshots()
        let scores = ProviderScoring().scores(snapshots)
        let kinds = Dictionary(self.kinds.map { ($0.name, $0.kind) }) { first, _ in first }
        let entries = snapshots.map { snapshot in
            ProviderEntry(snapshot, kind: kinds[snapshot.name] ?? "unknown", score: scores[snapshot.name] ?? 0)
        }
        return try .json(["providers": entries])
    }

    struct FailureSwitch: Decodable {
        var provider: String
        var down: Bool
    }

    func simulateFailure(_ request: Request) async throws -> Response {
        let body = try await request.decodeJSON(FailureSwitch.self, limit: bodyLimit)
        guard router.setForcedDown(body.down, provider: body.provider) else {
            let known = kinds.map(\.name).joined(separator: ", ")
            throw APIError.notFound("no provider named '\(body.provider)' (known: \(known))", code: "unknown_provider")
        }
        let snapshot = router.providerSnapshots().first { $0.name == body.provider }
        return try .json(
            ["provider": JSONValue.string(body.provider), "down": .bool(body.down),
             "circuit_status": .string(snapshot.map { ProviderEntry.circuitStatus($0.breakerState) } ?? "CLOSED")])
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
        latencyMs = snapshot.stats.ewmaLatency.inMilliseconds
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
