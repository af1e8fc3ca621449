import Foundation
import SwitchyardCore

/// `message`: Anthropic's Messages API answer, plus the `switchyard` object of the OpenAI endpoint (clients ignore it).
struct AnthropicMessagesResponse: Encodable {
    var id: String
    var type = "message"
    var role = "assistant"
    var model: String
    var content: [ContentBlock]
    var stopReason: String
    var stopSequence: String? = nil
    var usage: AnthropicUsage
    var switchyard: Summary

    enum CodingKeys: String, CodingKey {
        case id, type, role, model, content, usage, switchyard
        case stopReason = "stop_reason"
        case stopSequence = "stop_sequence"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(role, forKey: .role)
        try container.encode(model, forKey: .model)
        try container.encode(content, forKey: .content)
        try container.encode(stopReason, forKey: .stopReason)
        try container.encode(stopSequence, forKey: .stopSequence)
        try container.encode(usage, forKey: .usage)
        try container.encode(switchyard, forKey: .switchyard)
    }

    /// A `text` or `tool_use` block.
    enum ContentBlock: Encodable {
        case text(String)
        case toolUse(id: String, name: String, input: JSONValue)

        enum CodingKeys: String, CodingKey { case type, text, id, name, input }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .toolUse(let id, let name, let input):
                try container.encode("tool_use", forKey: .type)
                try container.encode(id, forKey: .id)
                try container.encode(name, forKey: .name)
                try container.encode(input, forKey: .input)
            }
        }

        /// A tool call's block; arguments that are not a JSON object (a model's slip) are kept as `{"arguments": …}`.
        static func toolUse(_ call: ToolCall) -> ContentBlock {
            let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(call.arguments.utf8))
            if case .object = parsed, let parsed { return .toolUse(id: call.id, name: call.name, input: parsed) }
            return .toolUse(
                id: call.id, name: call.name,
                input: call.arguments.isEmpty ? .object([:]) : .object(["arguments": .string(call.arguments)]))
        }
    }

    /// The `id` of the answer to request `requestID`, streamed or not.
    static func messageID(_ requestID: String) -> String { "msg_" + requestID }

    init(_ routed: RoutedResponse) {
        id = Self.messageID(routed.requestID)
        model = "\(routed.provider)/\(routed.model)"
        let response = routed.response
        var blocks: [ContentBlock] = []
        if let text = response.content, !text.isEmpty { blocks.append(.text(text)) }
        blocks += response.toolCalls.map(ContentBlock.toolUse)
        content = blocks
        stopReason = Self.stopReason(response.finishReason)
        usage = AnthropicUsage(response.usage)
        switchyard = Summary(routed)
    }

    /// Anthropic's `stop_reason` for a finish reason.
    static func stopReason(_ reason: FinishReason) -> String {
        switch reason {
        case .length: "max_tokens"
        case .toolCalls: "tool_use"
        case .contentFilter: "refusal"
        default: "end_turn"
        }
    }
}

/// Anthropic's `usage`: `input_tokens` counts only the prompt tokens neither read from nor written to a cache.
struct AnthropicUsage: Encodable {
    var inputTokens: Int
    var outputTokens: Int
    var cacheCreationInputTokens: Int
    var cacheReadInputTokens: Int

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
    }

    init(_ usage: TokenUsage) {
        inputTokens = usage.uncachedPromptTokens
        outputTokens = TokenUsage.clamp(usage.completionTokens)
        cacheCreationInputTokens = TokenUsage.clamp(usage.cacheWriteTokens) + TokenUsage.clamp(usage.cacheWrite1hTokens)
        cacheReadInputTokens = TokenUsage.clamp(usage.cachedPromptTokens)
    }
}
