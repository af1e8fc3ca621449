public import HTTPTypes
public import Hummingbird
import Foundation
import NIOCore
import NIOFoundationCompat
public import SwitchyardCore
import SwitchyardStore

/// Every error the service returns: JSON `{"error": {"type", "code", "message", ...}}` with the right status.
///
/// `type` is the broad family (OpenAI SDKs read it), `code` a stable machine-readable reason.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var type: String
    public var code: String
    public var message: String
    public var retryAfter: Duration?
    /// Extra fields merged into the error object (budget figures, attempt summaries).
    public var details: [String: JSONValue]
    /// Sent back as `x-switchyard-request-id` when the request got that far.
    public var requestID: String?
    /// The request field at fault, when one is (OpenAI's `error.param`; `null` otherwise).
    public var param: String?

    public init(
        _ status: HTTPResponse.Status,
        type: String,
        code: String,
        message: String,
        retryAfter: Duration? = nil,
        details: [String: JSONValue] = [:]
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.details = details
    }

    static func badRequest(_ message: String, code: String = "invalid_request", param: String? = nil) -> APIError {
        var error = APIError(.badRequest, type: "invalid_request_error", code: code, message: message)
        error.param = param
        return error
    }

    static func notFound(_ message: String, code: String = "not_found") -> APIError {
        APIError(.notFound, type: "invalid_request_error", code: code, message: message)
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            .contentTooLarge, type: "invalid_request_error", code: "body_too_large",
            message: "the request body is larger than \(limit) bytes (server.max_body_bytes)")
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, type: "authentication_error", code: "unauthorized", message: message)
    }

    /// The value of the `error` key: type, code, message, param (as OpenAI's error object has them) and the details.
    public var errorObject: JSONValue {
        var object = details
        object["type"] = .string(type)
        object["code"] = .string(code)
        object["message"] = .string(message)
        object["param"] = param.map(JSONValue.string) ?? .null
        return .object(object)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try response(body: SwitchyardJSON.encoder.encode(["error": errorObject]))
    }

    /// The response with `body` (this error in some API's shape), its status, request id and `Retry-After`.
    func response(body: Data) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let requestID { headers[.switchyardRequestID] = requestID }
        if let retryAfter {
            let (seconds, fraction) = retryAfter.components
            headers[.retryAfter] = String(max(1, fraction > 0 ? seconds &+ 1 : seconds))
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: body)))
    }
}

extension APIError {
    /// Maps a routing failure to its HTTP status, with the attempts and budget figures attached.
    init(_ error: RoutingError) {
        let status: HTTPResponse.Status
        let type: String
        switch error.code {
        case .unknownModel: (status, type) = (.notFound, "invalid_request_error")
        case .budgetExceeded: (status, type) = (HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), "budget_exceeded")
        case .costCapExceeded, .badRequest: (status, type) = (.badRequest, "invalid_request_error")
        case .queueFull: (status, type) = (.tooManyRequests, "rate_limit_error")
        case .unavailable, .ledgerUnavailable: (status, type) = (.serviceUnavailable, "service_unavailable")
        case .deadlineExceeded: (status, type) = (.gatewayTimeout, "timeout")
        case .cancelled: (status, type) = (HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"), "cancelled")
        default: (status, type) = (.badGateway, "upstream_error")
        }
        var details: [String: JSONValue] = [:]
        if let budget = error.budget {
            let status = budget.status
            var figures: [String: JSONValue] = [
                "scope": .string(status.scope.rawValue),
                "scope_id": .string(status.scopeID),
                "period": .string(status.period.rawValue),
                "limit_usd": .number(budget.status.limit.dollars),
                "spent_usd": .number(budget.status.spent.dollars),
                "reserved_usd": .number(budget.status.reserved.dollars),
                "remaining_usd": .number(budget.status.remaining.dollars),
                "request_needs_usd": .number(budget.requested.dollars),
            ]
            // Kept from before scopes: the user of a user scope.
            if status.scope == .user { figures["user"] = .string(status.scopeID) }
            if let resetsAt = status.resetsAt { figures["resets_at"] = .string(resetsAt.formatted(.iso8601)) }
            details["budget"] = .object(figures)
        }
        if !error.attempts.isEmpty {
            details["attempts"] = .array(
                error.attempts.map { attempt in
                    var fields: [String: JSONValue] = [
                        "provider": .string(attempt.provider), "model": .string(attempt.model),
                        "outcome": .string(attempt.outcome.rawValue),
                    ]
                    if let code = attempt.errorCode { fields["error"] = .string(code) }
                    if let status = attempt.httpStatus { fields["http_status"] = .number(Double(status)) }
                    return .object(fields)
                })
        }
        self.init(
            status, type: type, code: error.code.rawValue, message: error.message, retryAfter: error.retryAfter,
            details: details)
    }
}
