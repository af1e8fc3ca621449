import SwitchyardCore

/// Decodes a Gemini `streamGenerateContent?alt=sse` stream: every event is a whole `GenerateContentResponse`
/// carrying the next piece of text or whole function calls; the last ones carry `finishReason` and `usageMetadata`.
///
/// Gemini sends no end marker, so the final chunk is made when the body ends, and only if a finish reason arrived;
/// otherwise the stream was cut and throws ``SwitchyardCore/ProviderError/Code/streamInterrupted``.
struct GeminiStreamDecoder: StreamEventDecoder {
    let request: ChatRequest
    let mapper: UpstreamErrorMapper
    private(set) var isFinished = false
    private var finishReason: FinishReason?
    private var usage: TokenUsage?
    private var callCount = 0
    private var output = ""

    init(request: ChatRequest, mapper: UpstreamErrorMapper) {
        self.request = request
        self.mapper = mapper
    }

    mutating func decode(_ event: ServerSentEvent) throws -> [ChatStreamChunk] {
        if event.data.trimmingWhitespace().isEmpty { return [] }
        let response = try JSONCoding.decode(GeminiResponse.self, event: event, mapper: mapper)
        // Every event may carry the counts so far; a garbage report leaves the usage to be estimated.
        if let reported = response.usageMetadata, reported.isReported { usage = reported.tokenUsage }
        let (text, calls) = response.parts()
        let deltas = calls.enumerated().map { offset, call in
            ToolCallDelta(index: callCount + offset, id: call.id, name: call.name, argumentsDelta: call.arguments)
        }
        callCount += calls.count
        if let reason = response.finishReason(hasToolCalls: callCount > 0) { finishReason = reason }
        output += (text ?? "") + calls.map { $0.name + $0.arguments }.joined()
        guard text?.isEmpty == false || !deltas.isEmpty else { return [] }
        return [ChatStreamChunk(contentDelta: text?.isEmpty == false ? text : nil, toolCallDeltas: deltas)]
    }

    mutating func endOfBody() throws -> [ChatStreamChunk] {
        guard let finishReason else {
            throw mapper.interrupted("the stream ended before a finish reason")
        }
        isFinished = true
        return [
            ChatStreamChunk(
                finishReason: finishReason, usage: usage ?? UsageEstimate.estimate(request: request, output: output))
        ]
    }
}
