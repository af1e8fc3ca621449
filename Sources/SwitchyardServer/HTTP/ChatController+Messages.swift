import Foundation
import Hummingbird
import SwitchyardCore

extension ChatController {
    /// `POST /v1/messages`, Anthropic-compatible: the same routes, budgets, breakers and ledger as
    /// `/v1/chat/completions`, with Anthropic's answer, stream events and error shape.
    ///
    /// A user key may come as `x-api-key` (what Anthropic's SDKs send) as well as a bearer token.
    func messages(_ request: Request) async throws -> Response {
        let authorization = request.headers[.authorization] ?? request.headers[.anthropicAPIKey].map { "Bearer \($0)" }
        let id = RequestID.make()
        do {
            let body = try await request.decodeJSON(AnthropicMessagesRequest.self, limit: bodyLimit)
            let identity = try await users.identity(authorization: authorization, claimed: body.metadata?.userID)
            let routing = try body.routingRequest(id: id, identity: identity)
            if body.stream == true {
                return try await stream(routing, writer: AnthropicStreamWriter(requestID: id))
            }
            do {
                let routed = try await router.route(routing)
                return try .json(AnthropicMessagesResponse(routed), headers: Self.headers(of: routed))
            } catch let error as RoutingError {
                throw APIError(error).with(requestID: id)
            }
        } catch let error as APIError {
            return AnthropicErrorBody.response(error)
        }
    }
}
