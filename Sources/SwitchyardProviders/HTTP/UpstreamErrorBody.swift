import SwitchyardCore

import struct Foundation.Data
import class Foundation.JSONDecoder

/// The useful parts of an upstream error body, whichever API's shape it came in.
///
/// Understood shapes: OpenAI and most compatible servers (`{"error":{"message","type","code"}}`), Anthropic
/// (`{"type":"error","error":{"type","message"}}`), Google (`{"error":{"code","message","status","details"}}`, also
/// wrapped in an array), and the flat forms of local servers (`{"error":"text"}`, `{"message":…}`,
/// `{"detail":…}`). Anything else (an HTML page from a proxy) yields no message rather than noise.
struct UpstreamErrorBody: Sendable, Hashable {
    var message: String?
    /// `error.type` (OpenAI, Anthropic) or `error.status` (Google).
    var type: String?
    /// `error.code` as text.
    var code: String?
    /// Google `ErrorInfo.reason` values, such as `API_KEY_INVALID`.
    var reasons: [String] = []
    /// Google `RetryInfo.retryDelay`.
    var retryDelay: Duration?

    init(message: String? = nil, type: String? = nil, code: String? = nil) {
        self.message = message
        self.type = type
        self.code = code
    }

    /// Parses a body; `nil` when it is not JSON.
    init?(parsing bytes: some Collection<UInt8>) {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return nil }
        self.init(json: json)
    }

    init(json: JSONValue) {
        var root = json
        if case .array(let items) = root, let first = items.first { root = first }
        guard case .object(let object) = root else { return }
        switch object["error"] {
        case .object(let error)?:
            message = error["message"]?.text
            type = error["type"]?.text ?? error["status"]?.text
            code = error["code"]?.text
            if case .array(let details)? = error["details"] {
                for case .object(let detail) in details {
                    if let reason = detail["reason"]?.text { reasons.append(reason) }
                    if let delay = detail["retryDelay"]?.text { retryDelay = RetryAfter.parseProtobufDuration(delay) }
                }
            }
        case .string(let text)?:
            message = text
        default:
            message = object["message"]?.text ?? object["detail"]?.text
            type = object["type"]?.text
            code = object["code"]?.text
        }
    }
}

extension JSONValue {
    /// The value as text when it is a string or a number.
    var text: String? {
        switch self {
        case .string(let text): return text
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return String(flag)
        default: return nil
        }
    }
}
