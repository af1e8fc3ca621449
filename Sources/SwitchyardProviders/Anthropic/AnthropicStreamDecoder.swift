import SwitchyardCore

/// Decodes an Anthropic Messages stream into chunks.
///
/// `message_start` carries the input tokens; `content_block_start` opens a text or `tool_use` block (tool blocks are
/// numbered 0, 1, … as OpenAI tool-call indexes); `content_block_delta` carries `text_delta` or `input_json_delta`;
/// `message_delta` the stop reason and output tokens; `message_stop` ends the stream and yields the final chunk. An
/// `error` event, or a body that ends before `message_stop`, throws
/// ``SwitchyardCore/ProviderError/Code/streamInterrupted``.
struct AnthropicStreamDecoder: StreamEventDecoder {
    let request: ChatRequest
    let mapper: UpstreamErrorMapper
    private(set) var isFinished = false
    /// The counts so far: `message_start`'s, updated by each `message_delta`.
    private var usage = AnthropicUsage()
    private var stopReason: String?
    /// Tool-call index of each open `tool_use` block, by block index, and whether it received arguments.
    private var toolBlocks: [Int: (index: Int, hasArguments: Bool)] = [:]
    private var toolCount = 0
    private var output = ""

    init(request: ChatRequest, mapper: UpstreamErrorMapper) {
        self.request = request
        self.mapper = mapper
    }

    mutating func decode(_ event: ServerSentEvent) throws -> [ChatStreamChunk] {
        let payload = try JSONCoding.decode(AnthropicStreamEvent.self, event: event, mapper: mapper)
        switch payload.type {
        case "message_start":
            if let reported = payload.message?.usage { usage = reported }
            return []
        case "content_block_start":
            guard let block = payload.contentBlock, let blockIndex = payload.index else { return [] }
            if block.type == "tool_use" {
                let index = toolCount
                toolCount += 1
                toolBlocks[blockIndex] = (index, false)
                output += block.name ?? ""
                return [
                    ChatStreamChunk(toolCallDeltas: [
                        ToolCallDelta(index: index, id: block.id ?? MadeUpToolCallID.make(), name: block.name ?? "")
                    ])
                ]
            }
            if block.type == "text", let text = block.text, !text.isEmpty {
                output += text
                return [ChatStreamChunk(contentDelta: text)]
            }
            return []
        case "content_block_delta":
            guard let delta = payload.delta else { return [] }
            switch delta.type {
            case "text_delta":
                guard let text = delta.text, !text.isEmpty else { return [] }
                output += text
                return [ChatStreamChunk(contentDelta: text)]
            case "input_json_delta":
                guard let blockIndex = payload.index, let tool = toolBlocks[blockIndex],
                    let json = delta.partialJSON, !json.isEmpty
                else { return [] }
                toolBlocks[blockIndex]?.hasArguments = true
                output += json
                return [ChatStreamChunk(toolCallDeltas: [ToolCallDelta(index: tool.index, argumentsDelta: json)])]
            default:
                return []  // thinking and signature deltas are not part of the answer
            }
        case "content_block_stop":
            // A tool called without arguments streams no JSON at all; give it an empty object.
            guard let blockIndex = payload.index, let tool = toolBlocks[blockIndex], !tool.hasArguments else {
                return []
            }
            toolBlocks[blockIndex]?.hasArguments = true
            return [ChatStreamChunk(toolCallDeltas: [ToolCallDelta(index: tool.index, argumentsDelta: "{}")])]
        case "message_delta":
            if let reason = payload.delta?.stopReason { stopReason = reason }
            // Counts here are cumulative and replace those of `message_start`; a garbage one is estimated instead.
            if let reported = payload.usage { usage.update(with: reported) }
            return []
        case "message_stop":
            isFinished = true
            return [finalChunk()]
        case "error":
            let kind = payload.error?.type ?? "error"
            throw mapper.interrupted("error in the stream: \(kind): \(payload.error?.message ?? "no message")")
        default:
            return []  // ping and future event types
        }
    }

    mutating func endOfBody() throws -> [ChatStreamChunk] {
        throw mapper.interrupted("the stream ended before message_stop")
    }

    private func finalChunk() -> ChatStreamChunk {
        let estimate = UsageEstimate.estimate(request: request, output: output)
        return ChatStreamChunk(
            finishReason: AnthropicStopReason.finishReason(stopReason, hasToolCalls: toolCount > 0),
            usage: usage.tokenUsage(estimate: estimate))
    }
}
