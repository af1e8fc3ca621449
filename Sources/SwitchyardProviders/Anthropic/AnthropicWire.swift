import SwitchyardCore

/// The body of `POST /v1/messages`, built from a ``SwitchyardCore/ChatRequest``.
///
/// System and developer messages become the top-level `system` prompt; tool results (OpenAI `tool` messages)
/// become `tool_result` blocks of a user turn; assistant tool calls become `tool_use` blocks; consecutive turns of
/// the same role are merged, as the API expects.
///
/// Sampling values are sent within Anthropic's ranges: `temperature` is clamped to 0…1 (OpenAI takes 0…2, so a
/// request valid for OpenAI, and for Gemini, would otherwise be refused with a 400 that stops failover), `top_p`
/// to 0…1.
struct AnthropicMessagesBody: Encodable {
    struct Message: Encodable {
        var role: String
        var content: [Block]
    }

    enum Block: Encodable {
        case text(String)
        case toolUse(id: String, name: String, input: JSONValue)
        case toolResult(toolUseID: String, content: String)

        private enum Keys: String, CodingKey {
            case type, text, id, name, input, content
            case toolUseID = "tool_use_id"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch self {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .toolUse(let id, let name, let input):
                try container.encode("tool_use", forKey: .type)
                try container.encode(id, forKey: .id)
                try container.encode(name, forKey: .name)
                try container.encode(input, forKey: .input)
            case .toolResult(let toolUseID, let content):
                try container.encode("tool_result", forKey: .type)
                try container.encode(toolUseID, forKey: .toolUseID)
                try container.encode(content, forKey: .content)
            }
        }
    }

    struct Tool: Encodable {
        enum CodingKeys: String, CodingKey {
            case name, description
            case inputSchema = "input_schema"
        }
        var name: String
        var description: String?
        var inputSchema: JSONValue
    }

    struct ToolChoiceBody: Encodable {
        var type: String
        var name: String?
    }

    struct Metadata: Encodable {
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
        }
        var userID: String
    }

    enum CodingKeys: String, CodingKey {
        case model, system, messages, tools, temperature, stream, metadata
        case maxTokens = "max_tokens"
        case toolChoice = "tool_choice"
        case topP = "top_p"
        case stopSequences = "stop_sequences"
    }

    var model: String
    var maxTokens: Int
    var system: String?
    var messages: [Message]
    var tools: [Tool]?
    var toolChoice: ToolChoiceBody?
    var temperature: Double?
    var topP: Double?
    var stopSequences: [String]?
    var stream: Bool?
    var metadata: Metadata?

    init(request: ChatRequest, defaultMaxTokens: Int, stream: Bool, mapper: UpstreamErrorMapper) throws {
        model = request.model
        maxTokens = request.maxTokens ?? defaultMaxTokens
        temperature = request.temperature.map { min(max($0, 0), 1) }
        topP = request.topP.map { min(max($0, 0), 1) }
        stopSequences = request.stop?.isEmpty == false ? request.stop : nil
        self.stream = stream ? true : nil
        metadata = request.user.map(Metadata.init(userID:))
        if let tools = request.tools, !tools.isEmpty {
            self.tools = tools.map {
                Tool(
                    name: $0.name, description: $0.description,
                    inputSchema: $0.parameters ?? .object(["type": .string("object")]))
            }
            toolChoice = request.toolChoice.map { choice in
                switch choice {
                case .auto: ToolChoiceBody(type: "auto")
                case .none: ToolChoiceBody(type: "none")
                case .required: ToolChoiceBody(type: "any")
                case .function(let name): ToolChoiceBody(type: "tool", name: name)
                }
            }
        }
        var systemParts: [String] = []
        var messages: [Message] = []
        func append(_ role: String, _ blocks: [Block]) {
            guard !blocks.isEmpty else { return }
            if messages.last?.role == role {
                messages[messages.count - 1].content.append(contentsOf: blocks)
            } else {
                messages.append(Message(role: role, content: blocks))
            }
        }
        for message in request.messages {
            let text = message.content.flatMap { $0.isEmpty ? nil : Block.text($0) }
            switch message.role {
            case .system, .developer:
                if let content = message.content, !content.isEmpty { systemParts.append(content) }
            case .assistant:
                var blocks = text.map { [$0] } ?? []
                for call in message.toolCalls ?? [] {
                    guard let input = JSONValue(jsonText: call.arguments.isEmpty ? "{}" : call.arguments),
                        case .object = input
                    else {
                        throw ProviderError(
                            .badRequest,
                            "\(mapper.providerName): the arguments of tool call \(call.id) are not a JSON object")
                    }
                    blocks.append(.toolUse(id: call.id, name: call.name, input: input))
                }
                append("assistant", blocks)
            case .tool:
                append("user", [.toolResult(toolUseID: message.toolCallID ?? "", content: message.content ?? "")])
            default:
                append("user", text.map { [$0] } ?? [])
            }
        }
        system = systemParts.isEmpty ? nil : systemParts.joined(separator: "\n\n")
        self.messages = messages
    }
}

/// `usage` of a reply or of a stream's `message_start` / `message_delta`; its counts are checked
/// (``UpstreamTokenCount``).
///
/// Anthropic's `input_tokens` are only the uncached ones: the prompt is `input_tokens + cache_read_input_tokens +
/// cache_creation_input_tokens`. `cache_creation` splits the writes into 5-minute and 1-hour ones; without it every
/// write is a 5-minute one.
struct AnthropicUsage: Decodable {
    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
        case cacheCreation = "cache_creation"
    }
    struct CacheCreation: Decodable {
        enum CodingKeys: String, CodingKey {
            case fiveMinutes = "ephemeral_5m_input_tokens"
            case oneHour = "ephemeral_1h_input_tokens"
        }
        var fiveMinutes: UpstreamTokenCount?
        var oneHour: UpstreamTokenCount?
    }
    var inputTokens: UpstreamTokenCount?
    var outputTokens: UpstreamTokenCount?
    var cacheCreationInputTokens: UpstreamTokenCount?
    var cacheReadInputTokens: UpstreamTokenCount?
    var cacheCreation: CacheCreation?

    /// Nothing reported.
    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputTokens = try container.decodeIfPresent(UpstreamTokenCount.self, forKey: .inputTokens)
        outputTokens = try container.decodeIfPresent(UpstreamTokenCount.self, forKey: .outputTokens)
        cacheCreationInputTokens = try container.decodeIfPresent(
            UpstreamTokenCount.self, forKey: .cacheCreationInputTokens)
        cacheReadInputTokens = try container.decodeIfPresent(UpstreamTokenCount.self, forKey: .cacheReadInputTokens)
        // A split of another shape is ignored (every write is then a 5-minute one) rather than failing the answer.
        cacheCreation = try? container.decodeIfPresent(CacheCreation.self, forKey: .cacheCreation)
    }

    /// All prompt tokens, cached or not: `nil` when none was reported, a garbage count when one of them is garbage.
    var promptTokens: UpstreamTokenCount? {
        guard inputTokens != nil || cacheCreationInputTokens != nil || cacheReadInputTokens != nil else {
            return nil
        }
        return UpstreamTokenCount(
            UpstreamTokenCount.sum(inputTokens, cacheCreationInputTokens, cacheReadInputTokens))
    }

    /// A stream's later report (`message_delta`, cumulative) over this one: each count it carries replaces this
    /// one's, the others stay; prompt counts adding up to zero there mean "not repeated" and keep the earlier ones.
    mutating func update(with later: AnthropicUsage) {
        if let output = later.outputTokens { outputTokens = output }
        guard let prompt = later.promptTokens, prompt.value != 0 else { return }
        if let input = later.inputTokens { inputTokens = input }
        if let writes = later.cacheCreationInputTokens { cacheCreationInputTokens = writes }
        if let reads = later.cacheReadInputTokens { cacheReadInputTokens = reads }
        if let split = later.cacheCreation { cacheCreation = split }
    }

    /// The usage in Switchyard's shape; a count missing or garbage is taken from `estimate` and marks it estimated.
    func tokenUsage(estimate: TokenUsage) -> TokenUsage {
        let prompt = promptTokens?.value
        let completion = outputTokens?.value
        guard let prompt else {
            return TokenUsage(
                promptTokens: estimate.promptTokens, completionTokens: completion ?? estimate.completionTokens,
                isEstimated: true)
        }
        let writes = cacheCreationInputTokens?.value ?? 0
        let oneHour = min(cacheCreation?.oneHour?.value ?? 0, writes)
        return TokenUsage(
            promptTokens: prompt, completionTokens: completion ?? estimate.completionTokens,
            cachedPromptTokens: cacheReadInputTokens?.value ?? 0, cacheWriteTokens: writes - oneHour,
            cacheWrite1hTokens: oneHour, isEstimated: completion == nil)
    }
}

/// A content block of a reply (also `content_block` of a stream's `content_block_start`).
struct AnthropicContentBlock: Decodable {
    var type: String
    var text: String?
    var id: String?
    var name: String?
    var input: JSONValue?
}

/// The answer of `POST /v1/messages`.
struct AnthropicMessageResponse: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, model, content, usage
        case stopReason = "stop_reason"
    }
    var id: String?
    var model: String?
    var content: [AnthropicContentBlock]
    var stopReason: String?
    var usage: AnthropicUsage?

    func chatResponse(for request: ChatRequest) -> ChatResponse {
        var text = ""
        var hasText = false
        var calls: [ToolCall] = []
        for block in content {
            switch block.type {
            case "text":
                text += block.text ?? ""
                hasText = true
            case "tool_use":
                calls.append(
                    ToolCall(
                        id: block.id ?? MadeUpToolCallID.make(), name: block.name ?? "",
                        arguments: (block.input ?? .object([:])).jsonText))
            default:
                break  // thinking and other block types are not part of the answer
            }
        }
        let content: String? = hasText || calls.isEmpty ? text : nil
        let estimate = UsageEstimate.estimate(
            request: request, output: text + calls.map { $0.name + $0.arguments }.joined())
        let tokens = (usage ?? AnthropicUsage()).tokenUsage(estimate: estimate)
        return ChatResponse(
            id: id, model: model ?? request.model, content: content, toolCalls: calls,
            finishReason: AnthropicStopReason.finishReason(stopReason, hasToolCalls: !calls.isEmpty), usage: tokens)
    }
}

/// Anthropic `stop_reason` → OpenAI `finish_reason`.
enum AnthropicStopReason {
    static func finishReason(_ reason: String?, hasToolCalls: Bool) -> FinishReason {
        switch reason {
        case "end_turn", "stop_sequence": .stop
        case "max_tokens", "model_context_window_exceeded": .length
        case "tool_use": .toolCalls
        case "refusal": .contentFilter
        case nil: hasToolCalls ? .toolCalls : .stop
        case let other?: FinishReason(rawValue: other)
        }
    }
}

/// One event of a Messages stream; which fields are set depends on `type`.
struct AnthropicStreamEvent: Decodable {
    enum CodingKeys: String, CodingKey {
        case type, message, index, delta, usage, error
        case contentBlock = "content_block"
    }
    struct MessageStart: Decodable {
        var id: String?
        var model: String?
        var usage: AnthropicUsage?
    }
    struct Delta: Decodable {
        enum CodingKeys: String, CodingKey {
            case type, text
            case partialJSON = "partial_json"
            case stopReason = "stop_reason"
        }
        var type: String?
        var text: String?
        var partialJSON: String?
        var stopReason: String?
    }
    struct ErrorBody: Decodable {
        var type: String?
        var message: String?
    }
    var type: String
    var message: MessageStart?
    var index: Int?
    var contentBlock: AnthropicContentBlock?
    var delta: Delta?
    var usage: AnthropicUsage?
    var error: ErrorBody?
}
