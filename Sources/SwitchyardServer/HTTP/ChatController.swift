import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders

/// `POST /v1/chat/completions` (OpenAI-compatible), `POST /v1/messages` (Anthropic-compatible),
/// `POST /chat/completions` (simple API), `GET /v1/models`.
struct ChatController: Sendable {
    let router: SwitchyardCore.Router<ContinuousClock>
    /// Who a request is made as: a user key's user, else the claimed user, else `anonymous`.
    let users: UserAuthenticator
    /// What `GET /v1/models` lists.
    let models: ModelList
    /// `server.max_body_bytes`.
    let bodyLimit: Int
    /// How often a quiet stream gets an SSE comment line (``SwitchyardRuntime/sseHeartbeat``).
    let sseHeartbeat: Duration
    /// `server.stream_stall_timeout_ms`: a client that takes nothing for this long is treated as gone.
    let streamStallTimeout: Duration

    func register(on routes: some RouterMethods<BasicRequestContext>) {
        routes.post("/v1/chat/completions") { request, _ in try await completions(request) }
        routes.post("/v1/messages") { request, _ in try await messages(request) }
        routes.post("/chat/completions") { request, _ in try await simple(request) }
        routes.get("/v1/models") { _, _ in try Response.json(models) }
    }

    func completions(_ request: Request) async throws -> Response {
        let body = try await request.decodeJSON(OpenAIChatRequest.self, limit: bodyLimit)
        let id = RequestID.make()
        let identity = try await users.identity(for: request, claimed: body.user)
        let routing = try body.routingRequest(id: id, identity: identity)
        if body.stream == true {
            return try await stream(
                routing,
                writer: OpenAIStreamWriter(
                    id: "chatcmpl-" + id, requestID: id, created: Int(Date().timeIntervalSince1970),
                    includeUsage: body.streamOptions?.includeUsage ?? false))
        }
        do {
            let routed = try await router.route(routing)
            return try .json(
                OpenAIChatResponse(routed, created: Int(Date().timeIntervalSince1970)),
                headers: Self.headers(of: routed))
        } catch let error as RoutingError {
            throw APIError(error).with(requestID: id)
        }
    }

    /// The simple API of a managed router: a prompt and preferences in, who answered and what it cost out.
    func simple(_ request: Request) async throws -> Response {
        let body = try await request.decodeJSON(SimpleChatRequest.self, limit: bodyLimit)
        guard !body.prompt.isEmpty else { throw APIError.badRequest("'prompt' must not be empty") }
        var maxCost: MicroDollars?
        if let dollars = body.preferences?.maxCostPerRequest {
            guard let amount = MicroDollars(dollars: dollars) else {
                throw APIError.badRequest("'preferences.max_cost_per_request' must be a non-negative number of dollars")
            }
            maxCost = amount
        }
        var timeout: Duration?
        if let ms = body.preferences?.timeoutMs {
            guard ms > 0 else { throw APIError.badRequest("'preferences.timeout_ms' must be positive") }
            timeout = .milliseconds(ms)
        }
        let identity = try await users.identity(for: request, claimed: body.userID)
        let id = RequestID.make()
        let routing = RoutingRequest(
            id: id, userID: identity.userID, model: body.model ?? "",
            chat: ChatRequest(model: "", messages: [.user(body.prompt)]), priority: body.preferences?.priority,
            maxCost: maxCost, timeout: timeout, keyID: identity.keyID, team: identity.team)
        do {
            let routed = try await router.route(routing)
            return try .json(
                SimpleChatResponse(
                    requestID: id, providerUsed: routed.provider, model: routed.model,
                    content: routed.response.content ?? "",
                    latencyMs: Int(routed.latency.inMilliseconds), cost: routed.cost.dollars,
                    costUSD: routed.cost.decimalString, classification: routed.classification.rawValue,
                    attempts: routed.attempts.count),
                headers: Self.headers(of: routed))
        } catch let error as RoutingError {
            throw APIError(error).with(requestID: id)
        }
    }

}

struct SimpleChatResponse: Encodable {
    var requestID: String
    var providerUsed: String
    var model: String
    var content: String
    var latencyMs: Int
    /// Dollars, as the managed router's API has it.
    var cost: Double
    /// Exact dollars.
    var costUSD: String
    var classification: String
    var attempts: Int
    enum CodingKeys: String, CodingKey {
        case model, content, cost, classification, attempts
        case requestID = "request_id"
        case providerUsed = "provider_used"
        case latencyMs = "latency_ms"
        case costUSD = "cost_usd"
    }
}

/// Routes and every provider model a client may name.
struct ModelList: Encodable, Sendable {
    var object = "list"
    var data: [ModelEntry]

    /// - Parameter created: each entry's `created` (Unix seconds): when the service started, since its routes and
    ///   models exist from then on.
    init(_ config: SwitchyardConfig, created: Int) {
        data = config.routes.map { ModelEntry(id: $0.name, created: created, ownedBy: "switchyard", kind: "route") }
        for provider in config.providers {
            for model in provider.profile.models {
                data.append(
                    ModelEntry(
                        id: "\(provider.name)/\(model.name)", created: created, ownedBy: provider.name, kind: "model"))
            }
        }
    }
}

struct ModelEntry: Encodable, Sendable {
    var id: String
    var object = "model"
    var created: Int
    var ownedBy: String
    var kind: String
    init(id: String, created: Int, ownedBy: String, kind: String) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
        self.kind = kind
    }
    enum CodingKeys: String, CodingKey {
        case id, object, created, kind
        case ownedBy = "owned_by"
    }
}

extension APIError {
    /// Adds the request id to the error body and headers.
    func with(requestID: String) -> APIError {
        var copy = self
        copy.details["request_id"] = .string(requestID)
        copy.requestID = requestID
        return copy
    }
}

extension ChatController {
    /// The headers of a non-streamed answer: request id, provider, cost and budget state.
    static func headers(of routed: RoutedResponse) -> HTTPFields {
        var headers: HTTPFields = [
            .switchyardRequestID: routed.requestID, .switchyardProvider: routed.provider,
            .switchyardCost: routed.cost.decimalString,
        ]
        if let budget = BudgetState(routed.budget) { headers.append(contentsOf: budget.headers) }
        if let tier = routed.downgradedTo { headers[.switchyardDowngraded] = tier }
        return headers
    }
}
