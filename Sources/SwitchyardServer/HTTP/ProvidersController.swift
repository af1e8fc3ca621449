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
    /// This instance's id: breakers and live figures are per instance, so the answer says whose they are.
    let instanceID: String

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
        return try .json(ProvidersAnswer(instance: instanceID, providers: entries))
    }

    /// `GET /providers`' body: whose view it is, and the providers.
    struct ProvidersAnswer: Encodable {
        var instance: String
        var providers: [ProviderEntry]
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

    /// A model with its prices in effect (defaults applied), dollars per million tokens.
    struct Model: Encodable {
        var name: String
        var prices: Prices
        var longContext: LongContext?
        var maxOutputTokens: Int

        init(_ model: ModelProfile) {
            name = model.name
            prices = Prices(model.pricing.base.rates)
            longContext = model.pricing.longContext.map {
                LongContext(abovePromptTokens: $0.abovePromptTokens, prices: Prices($0.prices.rates))
            }
            maxOutputTokens = model.maxOutputTokens
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try prices.encode(to: encoder)
            try container.encodeIfPresent(longContext, forKey: .longContext)
            try container.encode(maxOutputTokens, forKey: .maxOutputTokens)
        }

        enum CodingKeys: String, CodingKey {
            case name
            case longContext = "long_context"
            case maxOutputTokens = "max_output_tokens"
        }

        struct LongContext: Encodable {
            var abovePromptTokens: Int
            var prices: Prices

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(abovePromptTokens, forKey: .abovePromptTokens)
                try prices.encode(to: encoder)
            }
            enum CodingKeys: String, CodingKey { case abovePromptTokens = "above_prompt_tokens" }
        }

        /// The keys of the configuration's price keys, as exact decimal strings.
        struct Prices: Encodable {
            var rates: TokenPrices.Rates
            init(_ rates: TokenPrices.Rates) { self.rates = rates }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                let figures: [(CodingKeys, Int64)] = [
                    (.input, rates.input), (.output, rates.output), (.cachedInput, rates.cachedInput),
                    (.cacheWrite, rates.cacheWrite), (.cacheWrite1h, rates.cacheWrite1h), (.reasoning, rates.reasoning),
                ]
                for (key, micros) in figures { try container.encode(MicroDollars(micros).decimalString, forKey: key) }
            }
            enum CodingKeys: String, CodingKey {
                case input = "input_usd_per_mtok", output = "output_usd_per_mtok"
                case cachedInput = "cached_input_usd_per_mtok", cacheWrite = "cache_write_usd_per_mtok"
                case cacheWrite1h = "cache_write_1h_usd_per_mtok", reasoning = "reasoning_usd_per_mtok"
            }
        }
    }

    init(_ snapshot: ProviderSnapshot, kind: String, score: Double) {
        let profile = snapshot.profile
        name = profile.name
        self.kind = kind
        model = profile.models.first?.name ?? ""
        models = profile.models.map(Model.init)
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
