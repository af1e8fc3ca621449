import SwitchyardCore

/// The body of `POST /chat/completions`, built from a ``SwitchyardCore/ChatRequest``.
struct OpenAIChatBody: Encodable {
    var request: ChatRequest
    var stream: Bool
    var includeUsage: Bool
    var maxTokensField: OpenAICompatibleProvider.Configuration.MaxTokensField

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct StreamOptions: Encodable {
        enum CodingKeys: String, CodingKey {
            case includeUsage = "include_usage"
        }
        var includeUsage: Bool
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(request.model, forKey: Key("model"))
        // `developer` is OpenAI's newer name for `system`; local servers only know `system`, and OpenAI accepts both.
        let messages = request.messages.map { message in
            var message = message
            if message.role == .developer { message.role = .system }
            return message
        }
        try container.encode(messages, forKey: Key("messages"))
        if let tools = request.tools, !tools.isEmpty {
            try container.encode(tools, forKey: Key("tools"))
            try container.encodeIfPresent(request.toolChoice, forKey: Key("tool_choice"))
        }
        try container.encodeIfPresent(request.temperature, forKey: Key("temperature"))
        try container.encodeIfPresent(request.topP, forKey: Key("top_p"))
        try container.encodeIfPresent(request.maxTokens, forKey: Key(maxTokensField.rawValue))
        if let stop = request.stop, !stop.isEmpty { try container.encode(stop, forKey: Key("stop")) }
        try container.encodeIfPresent(request.user, forKey: Key("user"))
        if stream {
            try container.encode(true, forKey: Key("stream"))
            if includeUsage { try container.encode(StreamOptions(includeUsage: true), forKey: Key("stream_options")) }
        }
    }
}

/// `usage` of a completion or of a stream's last chunk; its counts are checked (``UpstreamTokenCount``).
///
/// `prompt_tokens` includes `prompt_tokens_details.cached_tokens` and `completion_tokens` includes
/// `completion_tokens_details.reasoning_tokens`. A details object or count that cannot be read counts as none of
/// those tokens: billed as plain input or output, never as nothing.
struct OpenAIUsage: Decodable {
    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
    }
    struct PromptDetails: Decodable {
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
        var cachedTokens: UpstreamTokenCount?
    }
    struct CompletionDetails: Decodable {
        enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
        var reasoningTokens: UpstreamTokenCount?
    }
    var promptTokens: UpstreamTokenCount?
    var completionTokens: UpstreamTokenCount?
    var promptTokensDetails: PromptDetails?
    var completionTokensDetails: CompletionDetails?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try container.decodeIfPresent(UpstreamTokenCount.self, forKey: .promptTokens)
        completionTokens = try container.decodeIfPresent(UpstreamTokenCount.self, forKey: .completionTokens)
        // Details of another shape (a string, a list) are ignored rather than failing the whole answer.
        promptTokensDetails = try? container.decodeIfPresent(PromptDetails.self, forKey: .promptTokensDetails)
        completionTokensDetails = try? container.decodeIfPresent(
            CompletionDetails.self, forKey: .completionTokensDetails)
    }

    /// Some count was sent, garbage or not.
    var isReported: Bool { promptTokens != nil || completionTokens != nil }

    /// The usage reported; `nil` when none was, or when a count is garbage (the caller then estimates).
    var tokenUsage: TokenUsage? {
        guard isReported, let prompt = UpstreamTokenCount.sum(promptTokens),
            let completion = UpstreamTokenCount.sum(completionTokens)
        else { return nil }
        return TokenUsage(
            promptTokens: prompt, completionTokens: completion,
            cachedPromptTokens: promptTokensDetails?.cachedTokens?.value ?? 0,
            reasoningTokens: completionTokensDetails?.reasoningTokens?.value ?? 0)
    }
}

/// A tool call in a reply; `id` is optional because some local servers leave it out (the call then gets a
/// ``MadeUpToolCallID``).
struct OpenAIToolCall: Decodable {
    struct Function: Decodable {
        var name: String?
        var arguments: String?
    }
    var index: Int?
    var id: String?
    var function: Function?
}

/// What a choice says: an answer's `message`, or a streamed chunk's `delta` (each field then a piece).
struct OpenAIReplyContent: Decodable {
    enum CodingKeys: String, CodingKey {
        case content, refusal
        case toolCalls = "tool_calls"
    }
    var content: String?
    var refusal: String?
    var toolCalls: [OpenAIToolCall]?
}

/// The answer of `POST /chat/completions`.
struct OpenAIChatCompletion: Decodable {
    struct Choice: Decodable {
        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
        var message: OpenAIReplyContent
        var finishReason: String?
    }
    var id: String?
    var model: String?
    var choices: [Choice]
    var usage: OpenAIUsage?

    /// The answer in Switchyard's shape; usage is estimated when the server reported none.
    func chatResponse(for request: ChatRequest, mapper: UpstreamErrorMapper) throws -> ChatResponse {
        guard let choice = choices.first else { throw mapper.malformed("the response has no choices") }
        let calls = (choice.message.toolCalls ?? []).map { call in
            ToolCall(
                id: call.id ?? MadeUpToolCallID.make(), name: call.function?.name ?? "",
                arguments: call.function?.arguments ?? "{}")
        }
        let content = choice.message.content ?? choice.message.refusal
        let finish =
            choice.finishReason.map(FinishReason.init(rawValue:)) ?? (calls.isEmpty ? .stop : .toolCalls)
        let output = (content ?? "") + calls.map { $0.name + $0.arguments }.joined()
        return ChatResponse(
            id: id, model: model ?? request.model, content: content, toolCalls: calls, finishReason: finish,
            usage: usage?.tokenUsage ?? UsageEstimate.estimate(request: request, output: output))
    }
}

/// One `data:` event of a streamed completion.
struct OpenAIStreamChunk: Decodable {
    struct Choice: Decodable {
        enum CodingKeys: String, CodingKey {
            case delta
            case finishReason = "finish_reason"
        }
        var delta: OpenAIReplyContent?
        var finishReason: String?
    }
    var choices: [Choice]?
    var usage: OpenAIUsage?
    var error: JSONValue?
}
