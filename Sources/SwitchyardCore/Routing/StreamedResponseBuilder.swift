/// Rebuilds a whole ``ChatResponse`` from stream chunks, for the ledger and the caller's summary.
struct StreamedResponseBuilder {
    let model: String
    private(set) var text = ""
    private(set) var finishReason: FinishReason?
    /// The usage the provider reported, if it did.
    private(set) var reportedUsage: TokenUsage?
    private var calls: [Int: ToolCall] = [:]

    init(model: String) {
        self.model = model
    }

    mutating func add(_ chunk: ChatStreamChunk) {
        if let delta = chunk.contentDelta { text += delta }
        for delta in chunk.toolCallDeltas {
            var call = calls[delta.index] ?? ToolCall(id: "", name: "", arguments: "")
            if let id = delta.id { call.id = id }
            if let name = delta.name { call.name += name }
            if let arguments = delta.argumentsDelta { call.arguments += arguments }
            calls[delta.index] = call
        }
        if let reason = chunk.finishReason { finishReason = reason }
        if let usage = chunk.usage { reportedUsage = usage }
    }

    /// The provider's usage, or an estimate (marked as such) when it sent none.
    func usage(estimatingFrom request: ChatRequest) -> TokenUsage {
        if let reportedUsage { return reportedUsage }
        return TokenUsage(
            promptTokens: TokenEstimator.expectedPromptTokens(request), completionTokens: estimatedCompletionTokens,
            isEstimated: true)
    }

    /// The received text and tool calls, counted as tokens (about 4 characters a token).
    var estimatedCompletionTokens: Int {
        var completion = TokenEstimator.estimatedTokens(forText: text)
        for call in calls.values {
            completion += TokenEstimator.estimatedTokens(forText: call.id + call.name + call.arguments)
        }
        return completion
    }

    /// Whether any text or tool call arrived.
    var hasContent: Bool { !text.isEmpty || !calls.isEmpty }

    func response(estimatingFrom request: ChatRequest) -> ChatResponse {
        ChatResponse(
            model: model,
            content: text.isEmpty && !calls.isEmpty ? nil : text,
            toolCalls: calls.keys.sorted().compactMap { calls[$0] },
            finishReason: finishReason ?? .stop,
            usage: usage(estimatingFrom: request))
    }
}
