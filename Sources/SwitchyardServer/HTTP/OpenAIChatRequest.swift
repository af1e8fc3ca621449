import Foundation
import SwitchyardCore

/// The body of `POST /v1/chat/completions`: OpenAI's chat request plus an optional `switchyard` object.
struct OpenAIChatRequest: Decodable, Sendable {
    var model: String?
    var messages: [ChatMessage]
    var tools: [ToolDefinition]?
    var toolChoice: ToolChoice?
    var temperature: Double?
    var topP: Double?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var stop: [String]?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var user: String?
    var n: Int?
    var switchyard: SwitchyardOptions?

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    /// Routing options; never forwarded to a provider.
    struct SwitchyardOptions: Decodable, Sendable {
        var priority: RoutingPriority?
        var maxCostUSD: Double?
        var timeoutMs: Int?
        enum CodingKeys: String, CodingKey {
            case priority
            case maxCostUSD = "max_cost_usd"
            case timeoutMs = "timeout_ms"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            priority = try container.decodeIfPresent(RoutingPriority.self, forKey: .priority)
            maxCostUSD = try container.decodeIfPresent(Double.self, forKey: .maxCostUSD)
            timeoutMs = try container.decodeWholeNumberIfPresent(forKey: .timeoutMs)
        }

        /// The cost cap and deadline, checked.
        func limits() throws -> (maxCost: MicroDollars?, timeout: Duration?) {
            var maxCost: MicroDollars?
            if let maxCostUSD {
                guard let amount = MicroDollars(dollars: maxCostUSD) else {
                    throw APIError.badRequest(
                        "'switchyard.max_cost_usd' must be a non-negative number of dollars", param: "switchyard.max_cost_usd")
                }
                maxCost = amount
            }
            var timeout: Duration?
            if let timeoutMs {
                guard timeoutMs > 0 else {
                    throw APIError.badRequest("'switchyard.timeout_ms' must be positive", param: "switchyard.timeout_ms")
                }
                timeout = .milliseconds(timeoutMs)
            }
            return (maxCost, timeout)
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, tools, temperature, stop, stream, user, n, switchyard
        case toolChoice = "tool_choice"
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case streamOptions = "stream_options"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        tools = try container.decodeIfPresent([ToolDefinition].self, forKey: .tools)
        toolChoice = try container.decodeIfPresent(ToolChoice.self, forKey: .toolChoice)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        maxTokens = try container.decodeWholeNumberIfPresent(forKey: .maxTokens)
        maxCompletionTokens = try container.decodeWholeNumberIfPresent(forKey: .maxCompletionTokens)
        if let single = try? container.decodeIfPresent(String.self, forKey: .stop) {
            stop = [single]
        } else {
            stop = try container.decodeIfPresent([String].self, forKey: .stop)
        }
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        user = try container.decodeIfPresent(String.self, forKey: .user)
        n = try container.decodeWholeNumberIfPresent(forKey: .n)
        switchyard = try container.decodeIfPresent(SwitchyardOptions.self, forKey: .switchyard)
    }

    static let roles: Set<ChatMessage.Role> = [.system, .developer, .user, .assistant, .tool]

    /// Checks what decoding cannot and builds the routing request.
    func routingRequest(id: String, identity: RequestIdentity) throws -> RoutingRequest {
        guard !messages.isEmpty else { throw APIError.badRequest("'messages' must hold at least one message") }
        if let index = messages.firstIndex(where: { !Self.roles.contains($0.role) }) {
            throw APIError.badRequest(
                "'messages[\(index)].role' must be one of system, developer, user, assistant, tool; not "
                    + "'\(messages[index].role)'")
        }
        if let n, n != 1 { throw APIError.badRequest("'n' other than 1 is not supported") }
        let maxTokens = maxCompletionTokens ?? maxTokens
        if let maxTokens, maxTokens < 1 { throw APIError.badRequest("'max_tokens' must be at least 1") }
        if let temperature, !(0...2).contains(temperature) {
            throw APIError.badRequest("'temperature' must be between 0 and 2", param: "temperature")
        }
        if let topP, !(0...1).contains(topP) {
            throw APIError.badRequest("'top_p' must be between 0 and 1", param: "top_p")
        }
        let (maxCost, timeout) = try switchyard?.limits() ?? (nil, nil)
        let chat = ChatRequest(
            model: "", messages: messages, tools: tools, toolChoice: toolChoice, temperature: temperature,
            topP: topP, maxTokens: maxTokens, stop: stop, user: user)
        return RoutingRequest(
            id: id, userID: identity.userID, model: model ?? "", chat: chat, priority: switchyard?.priority,
            maxCost: maxCost, timeout: timeout, keyID: identity.keyID, team: identity.team)
    }
}

/// The body of the simple API, `POST /chat/completions`.
struct SimpleChatRequest: Decodable, Sendable {
    var prompt: String
    var preferences: Preferences?
    var userID: String?
    var model: String?

    struct Preferences: Decodable, Sendable {
        var priority: RoutingPriority?
        var maxCostPerRequest: Double?
        var timeoutMs: Int?
        enum CodingKeys: String, CodingKey {
            case priority
            case maxCostPerRequest = "max_cost_per_request"
            case timeoutMs = "timeout_ms"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            priority = try container.decodeIfPresent(RoutingPriority.self, forKey: .priority)
            maxCostPerRequest = try container.decodeIfPresent(Double.self, forKey: .maxCostPerRequest)
            timeoutMs = try container.decodeWholeNumberIfPresent(forKey: .timeoutMs)
        }
    }

    enum CodingKeys: String, CodingKey {
        case prompt, preferences, model
        case userID = "user_id"
    }
}

extension KeyedDecodingContainer {
    /// Decodes a whole number, with an error naming the field when the number has a fraction or does not fit.
    ///
    /// `JSONDecoder` on Linux reports such numbers as invalid JSON without a field, which tells a client nothing.
    func decodeWholeNumberIfPresent(forKey key: Key) throws -> Int? {
        guard let number = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard number.magnitude < 0x1p53, let value = Int(exactly: number) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected a whole number below 2^53")
        }
        return value
    }
}

extension DecodingError {
    /// A message that names the field at fault.
    /// The field at fault as OpenAI's `error.param` names it (`messages[1].role`); `nil` for the body as a whole.
    var apiParam: String? {
        switch self {
        case .keyNotFound(let key, let context):
            return Self.path(context.codingPath + [key])
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.codingPath.isEmpty ? nil : Self.path(context.codingPath)
        @unknown default:
            return nil
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.hasPrefix(".") ? String(text.dropFirst()) : text
    }

    var apiMessage: String {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            Self.path(codingPath + (key.map { [$0] } ?? []))
        }
        func field(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "the body" : "field '\(path(codingPath))'"
        }
        switch self {
        case .keyNotFound(let key, let context):
            return "missing required field '\(path(context.codingPath, key))'"
        case .typeMismatch(let type, let context):
            return "\(field(context.codingPath)) has the wrong type (expected \(Self.jsonName(of: type)))"
        case .valueNotFound(let type, let context):
            return "\(field(context.codingPath)) must not be null (expected \(Self.jsonName(of: type)))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" }
            return "field '\(path(context.codingPath))' is invalid: \(context.debugDescription)"
        @unknown default:
            return "the body could not be read"
        }
    }

    /// What a client calls the type a field should have.
    static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type, is Int64.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array"
                : String(describing: type).hasPrefix("Dictionary") ? "an object" : String(describing: type)
        }
    }
}
