import SwitchyardCore

/// The body of `generateContent` / `streamGenerateContent`, built from a ``SwitchyardCore/ChatRequest``.
///
/// System and developer messages become `systemInstruction`; assistant turns become `model` contents, their tool
/// calls `functionCall` parts; tool results become `functionResponse` parts of a user turn, named after the call they
/// answer (Gemini matches results by function name). Tool schemas pass through untouched as `parametersJsonSchema`.
///
/// A call's id goes with it as the `functionCall`'s `id`, and with its result as the `functionResponse`'s `id`, so
/// Gemini can pair them as its function-calling guide asks (it gives calls ids, and wants results to carry them
/// back). An id Switchyard made up (``MadeUpToolCallID``) is not Gemini's and is left out; nor is the id of a result
/// that answers no call of the conversation. Ids of other kinds' calls cannot be told from Gemini's and go as they
/// are: `generateContent` keeps no state, so all it can check is that a call and its result agree.
///
/// `topP` is clamped to 0…1 (the HTTP layer does not check `top_p`); `temperature` passes as it is, Gemini taking
/// OpenAI's 0…2.
struct GeminiGenerateBody: Encodable {
    struct Content: Encodable {
        var role: String
        var parts: [Part]
    }

    enum Part: Encodable {
        case text(String)
        case functionCall(id: String?, name: String, args: JSONValue)
        case functionResponse(id: String?, name: String, response: JSONValue)

        private enum Keys: String, CodingKey { case text, functionCall, functionResponse }
        private enum CallKeys: String, CodingKey { case id, name, args, response }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch self {
            case .text(let text):
                try container.encode(text, forKey: .text)
            case .functionCall(let id, let name, let args):
                var call = container.nestedContainer(keyedBy: CallKeys.self, forKey: .functionCall)
                try call.encodeIfPresent(id, forKey: .id)
                try call.encode(name, forKey: .name)
                try call.encode(args, forKey: .args)
            case .functionResponse(let id, let name, let response):
                var result = container.nestedContainer(keyedBy: CallKeys.self, forKey: .functionResponse)
                try result.encodeIfPresent(id, forKey: .id)
                try result.encode(name, forKey: .name)
                try result.encode(response, forKey: .response)
            }
        }
    }

    struct SystemInstruction: Encodable {
        struct Text: Encodable { var text: String }
        var parts: [Text]
    }

    struct Tool: Encodable {
        struct Declaration: Encodable {
            var name: String
            var description: String?
            var parametersJsonSchema: JSONValue?
        }
        var functionDeclarations: [Declaration]
    }

    struct ToolConfig: Encodable {
        struct FunctionCallingConfig: Encodable {
            var mode: String
            var allowedFunctionNames: [String]?
        }
        var functionCallingConfig: FunctionCallingConfig
    }

    struct GenerationConfig: Encodable {
        var temperature: Double?
        var topP: Double?
        var maxOutputTokens: Int?
        var stopSequences: [String]?
    }

    var contents: [Content]
    var systemInstruction: SystemInstruction?
    var tools: [Tool]?
    var toolConfig: ToolConfig?
    var generationConfig: GenerationConfig?

    init(request: ChatRequest, mapper: UpstreamErrorMapper) throws {
        var system: [String] = []
        var contents: [Content] = []
        var callNames: [String: String] = [:]
        func append(_ role: String, _ parts: [Part]) {
            guard !parts.isEmpty else { return }
            if contents.last?.role == role {
                contents[contents.count - 1].parts.append(contentsOf: parts)
            } else {
                contents.append(Content(role: role, parts: parts))
            }
        }
        for message in request.messages {
            let text = message.content.flatMap { $0.isEmpty ? nil : Part.text($0) }
            switch message.role {
            case .system, .developer:
                if let content = message.content, !content.isEmpty { system.append(content) }
            case .assistant:
                var parts = text.map { [$0] } ?? []
                for call in message.toolCalls ?? [] {
                    guard let args = JSONValue(jsonText: call.arguments.isEmpty ? "{}" : call.arguments),
                        case .object = args
                    else {
                        throw ProviderError(
                            .badRequest,
                            "\(mapper.providerName): the arguments of tool call \(call.id) are not a JSON object")
                    }
                    callNames[call.id] = call.name
                    parts.append(.functionCall(id: Self.geminiID(call.id), name: call.name, args: args))
                }
                append("model", parts)
            case .tool:
                let id = message.toolCallID ?? ""
                let name = callNames[id] ?? message.name ?? id
                // The id goes back only with a call it answers, which went with the same id.
                let echoedID = callNames[id] == nil ? nil : Self.geminiID(id)
                let result = message.content.flatMap { JSONValue(jsonText: $0) } ?? .string(message.content ?? "")
                let response: JSONValue
                if case .object = result { response = result } else { response = .object(["output": result]) }
                append("user", [.functionResponse(id: echoedID, name: name, response: response)])
            default:
                append("user", text.map { [$0] } ?? [])
            }
        }
        self.contents = contents
        systemInstruction = system.isEmpty ? nil : SystemInstruction(parts: system.map { .init(text: $0) })
        if let tools = request.tools, !tools.isEmpty {
            self.tools = [
                Tool(
                    functionDeclarations: tools.map {
                        .init(name: $0.name, description: $0.description, parametersJsonSchema: $0.parameters)
                    })
            ]
            toolConfig = request.toolChoice.map { choice in
                switch choice {
                case .auto: ToolConfig(functionCallingConfig: .init(mode: "AUTO"))
                case .none: ToolConfig(functionCallingConfig: .init(mode: "NONE"))
                case .required: ToolConfig(functionCallingConfig: .init(mode: "ANY"))
                case .function(let name):
                    ToolConfig(functionCallingConfig: .init(mode: "ANY", allowedFunctionNames: [name]))
                }
            }
        }
        let stop = request.stop?.isEmpty == false ? request.stop : nil
        if request.temperature != nil || request.topP != nil || request.maxTokens != nil || stop != nil {
            generationConfig = GenerationConfig(
                temperature: request.temperature, topP: request.topP.map { min(max($0, 0), 1) },
                maxOutputTokens: request.maxTokens, stopSequences: stop)
        }
    }

    /// The id sent to Gemini for the tool call `id`: none for an empty or made-up one.
    private static func geminiID(_ id: String) -> String? {
        id.isEmpty || MadeUpToolCallID.isMadeUp(id) ? nil : id
    }
}

/// A `GenerateContentResponse`: the whole answer, or one event of a stream.
struct GeminiResponse: Decodable {
    struct Candidate: Decodable {
        var content: Content?
        var finishReason: String?
    }
    struct Content: Decodable {
        var parts: [Part]?
    }
    struct Part: Decodable {
        var text: String?
        var thought: Bool?
        var functionCall: FunctionCall?
    }
    struct FunctionCall: Decodable {
        var id: String?
        var name: String?
        var args: JSONValue?
    }
    /// Token counts, checked (``UpstreamTokenCount``). `promptTokenCount` includes `cachedContentTokenCount`;
    /// `thoughtsTokenCount` (thinking) and `toolUsePromptTokenCount` are counted apart and billed as output and
    /// input.
    struct UsageMetadata: Decodable {
        var promptTokenCount: UpstreamTokenCount?
        var candidatesTokenCount: UpstreamTokenCount?
        var thoughtsTokenCount: UpstreamTokenCount?
        var cachedContentTokenCount: UpstreamTokenCount?
        var toolUsePromptTokenCount: UpstreamTokenCount?

        /// Some count was sent, garbage or not.
        var isReported: Bool { promptTokenCount != nil || candidatesTokenCount != nil }

        /// The usage reported; `nil` when none was, or when a count is garbage (the caller then estimates).
        /// Thinking tokens are reasoning tokens, part of the completion. A garbage cached count counts as no cached
        /// tokens (billed as plain input).
        var tokenUsage: TokenUsage? {
            guard isReported, let prompt = UpstreamTokenCount.sum(promptTokenCount, toolUsePromptTokenCount),
                let thoughts = UpstreamTokenCount.sum(thoughtsTokenCount),
                let completion = UpstreamTokenCount.sum(candidatesTokenCount, thoughtsTokenCount)
            else { return nil }
            return TokenUsage(
                promptTokens: prompt, completionTokens: completion,
                cachedPromptTokens: cachedContentTokenCount?.value ?? 0, reasoningTokens: thoughts)
        }
    }
    struct PromptFeedback: Decodable {
        var blockReason: String?
    }

    var candidates: [Candidate]?
    var usageMetadata: UsageMetadata?
    var promptFeedback: PromptFeedback?
    var modelVersion: String?
    var responseId: String?

    /// The answer text and the function calls of the first candidate (thought parts left out); a call Gemini gives
    /// no id gets a ``MadeUpToolCallID``, unique across answers.
    func parts() -> (text: String?, calls: [ToolCall]) {
        var text: String?
        var calls: [ToolCall] = []
        for part in candidates?.first?.content?.parts ?? [] where part.thought != true {
            if let piece = part.text { text = (text ?? "") + piece }
            if let call = part.functionCall {
                let id = call.id.flatMap { $0.isEmpty ? nil : $0 }
                calls.append(
                    ToolCall(
                        id: id ?? MadeUpToolCallID.make(), name: call.name ?? "",
                        arguments: (call.args ?? .object([:])).jsonText))
            }
        }
        return (text, calls)
    }

    /// The finish reason of the first candidate, or `content_filter` when the prompt itself was blocked.
    func finishReason(hasToolCalls: Bool) -> FinishReason? {
        if let reason = candidates?.first?.finishReason {
            return GeminiFinishReason.finishReason(reason, hasToolCalls: hasToolCalls)
        }
        if promptFeedback?.blockReason != nil { return .contentFilter }
        return nil
    }

    func chatResponse(for request: ChatRequest, mapper: UpstreamErrorMapper) throws -> ChatResponse {
        guard candidates?.isEmpty == false || promptFeedback?.blockReason != nil else {
            throw mapper.malformed("the response has no candidates")
        }
        let (text, calls) = parts()
        let output = (text ?? "") + calls.map { $0.name + $0.arguments }.joined()
        return ChatResponse(
            id: responseId, model: modelVersion ?? request.model,
            content: text ?? (calls.isEmpty ? "" : nil), toolCalls: calls,
            finishReason: finishReason(hasToolCalls: !calls.isEmpty) ?? (calls.isEmpty ? .stop : .toolCalls),
            usage: usageMetadata?.tokenUsage ?? UsageEstimate.estimate(request: request, output: output))
    }
}

/// Gemini `finishReason` → OpenAI `finish_reason`.
enum GeminiFinishReason {
    static func finishReason(_ reason: String, hasToolCalls: Bool) -> FinishReason {
        switch reason {
        case "STOP", "FINISH_REASON_UNSPECIFIED": hasToolCalls ? .toolCalls : .stop
        case "MAX_TOKENS": .length
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE":
            .contentFilter
        default: FinishReason(rawValue: reason.lowercased())
        }
    }
}
