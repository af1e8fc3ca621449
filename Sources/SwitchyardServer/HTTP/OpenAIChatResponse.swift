import Foundation
import SwitchyardCore

/// `chat.completion`: the OpenAI response shape, plus a `switchyard` object that OpenAI clients ignore.
struct OpenAIChatResponse: Encodable {
    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: Usage
    var switchyard: Summary

    /// One choice; `logprobs` is always `null` (not offered), and present because the schema requires it.
    struct Choice: Encodable {
        var index = 0
        var message: Message
        var finishReason: String
        enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(message, forKey: .message)
            try container.encodeNil(forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    /// The answer; `content` and `refusal` are always present (`null` when empty), as OpenAI's schema requires.
    struct Message: Encodable {
        var role = "assistant"
        var content: String?
        var toolCalls: [ToolCall]?
        enum CodingKeys: String, CodingKey {
            case role, content, refusal
            case toolCalls = "tool_calls"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(role, forKey: .role)
            try container.encode(content, forKey: .content)
            try container.encodeNil(forKey: .refusal)
            try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        }
    }

    init(_ routed: RoutedResponse, created: Int) {
        id = "chatcmpl-" + routed.requestID
        self.created = created
        model = "\(routed.provider)/\(routed.model)"
        let response = routed.response
        choices = [
            Choice(
                message: Message(content: response.content, toolCalls: response.toolCalls.isEmpty ? nil : response.toolCalls),
                finishReason: response.finishReason.rawValue)
        ]
        usage = Usage(response.usage)
        switchyard = Summary(routed)
    }
}

/// OpenAI's `usage` object, with the cached and reasoning parts of the counts (zero when there were none).
struct Usage: Encodable {
    struct PromptDetails: Encodable {
        var cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    struct CompletionDetails: Encodable {
        var reasoningTokens: Int
        enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
    }
    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int
    var promptTokensDetails: PromptDetails
    var completionTokensDetails: CompletionDetails
    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
    }
    init(_ usage: TokenUsage) {
        promptTokens = usage.promptTokens
        completionTokens = usage.completionTokens
        totalTokens = usage.totalTokens
        promptTokensDetails = PromptDetails(cachedTokens: usage.cachedPromptTokens)
        completionTokensDetails = CompletionDetails(reasoningTokens: usage.reasoningTokens)
    }
}

/// What Switchyard adds to a response: who answered, what it cost, how many calls it took.
struct Summary: Encodable {
    var requestID: String
    var route: String
    var provider: String
    var model: String
    var tier: String
    var costUSD: String
    var attempts: Int
    var escalated: Bool
    var classification: String
    /// The tightest budget limit once settled; absent without budgets.
    var budget: BudgetState?
    /// Present (`true`) when the route downgraded the request because its budget ran low.
    var downgraded: Bool?
    enum CodingKeys: String, CodingKey {
        case route, provider, model, tier, attempts, escalated, classification, budget, downgraded
        case requestID = "request_id"
        case costUSD = "cost_usd"
    }
    init(_ routed: RoutedResponse) {
        requestID = routed.requestID
        route = routed.route
        provider = routed.provider
        model = routed.model
        tier = routed.tier
        costUSD = routed.cost.decimalString
        attempts = routed.attempts.count
        escalated = routed.escalated
        classification = routed.classification.rawValue
        budget = BudgetState(routed.budget)
        downgraded = routed.downgradedTo.map { _ in true }
    }
}

/// `chat.completion.chunk`: one SSE event of a streamed answer.
struct OpenAIChatChunk: Encodable {
    /// The `usage` member: absent (the client did not ask for usage), `null` (it did; this is not the last chunk), or
    /// the figures (the last chunk, whose `choices` is empty), as OpenAI streams it.
    enum UsageField {
        case absent
        case null
        case figures(Usage)
    }

    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: UsageField = .absent
    var switchyard: Summary?

    struct Choice: Encodable {
        var index = 0
        var delta: Delta
        var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case index, delta, logprobs
            case finishReason = "finish_reason"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            try container.encodeNil(forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    struct Delta: Encodable {
        var role: String?
        var content: String?
        var toolCalls: [ToolCallDeltaBody]?
        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }
    }

    struct ToolCallDeltaBody: Encodable {
        var index: Int
        var id: String?
        var type: String?
        var function: Function
        struct Function: Encodable {
            var name: String?
            var arguments: String?
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        switch usage {
        case .absent: break
        case .null: try container.encodeNil(forKey: .usage)
        case .figures(let usage): try container.encode(usage, forKey: .usage)
        }
        try container.encodeIfPresent(switchyard, forKey: .switchyard)
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage, switchyard }
}

extension OpenAIChatChunk.Delta {
    init(_ chunk: ChatStreamChunk, first: Bool) {
        role = first ? "assistant" : nil
        content = chunk.contentDelta
        toolCalls =
            chunk.toolCallDeltas.isEmpty
            ? nil
            : chunk.toolCallDeltas.map { delta in
                OpenAIChatChunk.ToolCallDeltaBody(
                    index: delta.index, id: delta.id, type: delta.id == nil ? nil : "function",
                    function: .init(name: delta.name, arguments: delta.argumentsDelta))
            }
    }
}
