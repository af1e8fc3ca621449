import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardStore

/// An error of `POST /v1/messages` in Anthropic's shape: `{"type": "error", "error": {"type", "message"}, "request_id"}`,
/// with the same status, headers and details as the OpenAI endpoint's error (`code`, `param`, `budget`, `attempts`
/// ride inside `error`; Anthropic's SDKs ignore them).
struct AnthropicErrorBody: Encodable {
    var type = "error"
    var error: JSONValue
    var requestID: String?

    enum CodingKeys: String, CodingKey {
        case type, error
        case requestID = "request_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(error, forKey: .error)
        try container.encode(requestID, forKey: .requestID)
    }

    init(_ error: APIError) {
        var object: [String: JSONValue] = [:]
        if case .object(let fields) = error.errorObject { object = fields }
        object["type"] = .string(Self.type(of: error))
        self.error = .object(object)
        requestID = error.requestID
    }

    /// Anthropic's error type for a status, as its SDKs and docs name them.
    static func type(of error: APIError) -> String {
        switch error.status.code {
        case 400, 413: "invalid_request_error"
        case 401: "authentication_error"
        case 402: "billing_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 429: "rate_limit_error"
        case 503: "overloaded_error"
        case 504: "timeout_error"
        default: "api_error"
        }
    }

    /// The response for `error` on the Anthropic endpoint.
    static func response(_ error: APIError) -> Response {
        error.response(body: (try? SwitchyardJSON.encoder.encode(AnthropicErrorBody(error))) ?? Data())
    }
}
