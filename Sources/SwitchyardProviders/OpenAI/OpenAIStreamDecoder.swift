import SwitchyardCore

/// Decodes an OpenAI chat-completions stream: `data: {chunk}` events, a chunk with `finish_reason`, an optional
/// usage-only chunk (`stream_options.includeUsage`), then `data: [DONE]`.
///
/// The final ``SwitchyardCore/ChatStreamChunk`` (finish reason and usage) is yielded at `[DONE]`. A body that ends
/// without `[DONE]` still finishes when a finish reason arrived (some servers omit the marker); without one it was
/// cut and throws ``SwitchyardCore/ProviderError/Code/streamInterrupted``.
struct OpenAIStreamDecoder: StreamEventDecoder {
    let request: ChatRequest
    let mapper: UpstreamErrorMapper
    private(set) var isFinished = false
    private var finishReason: FinishReason?
    private var usage: TokenUsage?
    /// Everything produced, for the usage estimate when the server reports none.
    private var output = ""

    init(request: ChatRequest, mapper: UpstreamErrorMapper) {
        self.request = request
        self.mapper = mapper
    }

    mutating func decode(_ event: ServerSentEvent) throws -> [ChatStreamChunk] {
        let data = event.data.trimmingWhitespace()
        if data == "[DONE]" {
            isFinished = true
            return [finalChunk(reason: finishReason ?? .stop)]
        }
        if data.isEmpty { return [] }
        let chunk = try JSONCoding.decode(OpenAIStreamChunk.self, event: event, mapper: mapper)
        if let error = chunk.error {
            let detail = UpstreamErrorBody(json: .object(["error": error]))
            throw mapper.interrupted("error in the stream: \(detail.message ?? "no message")")
        }
        // A later report replaces an earlier one; a garbage one leaves the usage to be estimated.
        if let reported = chunk.usage, reported.isReported { usage = reported.tokenUsage }
        var chunks: [ChatStreamChunk] = []
        for choice in chunk.choices ?? [] {
            if let reason = choice.finishReason { finishReason = FinishReason(rawValue: reason) }
            guard let delta = choice.delta else { continue }
            let text = delta.content ?? delta.refusal
            let calls = (delta.toolCalls ?? []).enumerated().map { position, call in
                ToolCallDelta(
                    index: call.index ?? position, id: call.id, name: call.function?.name,
                    argumentsDelta: call.function?.arguments)
            }
            guard text?.isEmpty == false || !calls.isEmpty else { continue }
            output += (text ?? "") + calls.map { ($0.name ?? "") + ($0.argumentsDelta ?? "") }.joined()
            chunks.append(ChatStreamChunk(contentDelta: text?.isEmpty == false ? text : nil, toolCallDeltas: calls))
        }
        return chunks
    }

    mutating func endOfBody() throws -> [ChatStreamChunk] {
        guard let finishReason else {
            throw mapper.interrupted("the stream ended before its end ([DONE] and a finish reason never came)")
        }
        isFinished = true
        return [finalChunk(reason: finishReason)]
    }

    private func finalChunk(reason: FinishReason) -> ChatStreamChunk {
        ChatStreamChunk(
            finishReason: reason, usage: usage ?? UsageEstimate.estimate(request: request, output: output))
    }
}
