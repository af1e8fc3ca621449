/// One piece of a streamed answer.
///
/// A provider's stream yields chunks with content or tool-call deltas, and **must** end with a chunk whose
/// `finishReason` is set (carrying `usage` when the provider reports it). A stream that ends without a finish reason
/// was cut and must throw ``ProviderError/Code/streamInterrupted`` instead of finishing.
public struct ChatStreamChunk: Sendable, Hashable {
    /// New text of the answer.
    public var contentDelta: String?
    /// New pieces of tool calls, by index as in OpenAI's stream.
    public var toolCallDeltas: [ToolCallDelta]
    /// Set on the last chunk.
    public var finishReason: FinishReason?
    /// Usage, usually on the last chunk.
    public var usage: TokenUsage?

    public init(
        contentDelta: String? = nil,
        toolCallDeltas: [ToolCallDelta] = [],
        finishReason: FinishReason? = nil,
        usage: TokenUsage? = nil
    ) {
        self.contentDelta = contentDelta
        self.toolCallDeltas = toolCallDeltas
        self.finishReason = finishReason
        self.usage = usage
    }
}

/// A piece of a tool call in a stream: the first piece of a call carries its `id` and `name`, later pieces append
/// to `arguments`.
public struct ToolCallDelta: Sendable, Hashable {
    public var index: Int
    public var id: String?
    public var name: String?
    public var argumentsDelta: String?

    public init(index: Int, id: String? = nil, name: String? = nil, argumentsDelta: String? = nil) {
        self.index = index
        self.id = id
        self.name = name
        self.argumentsDelta = argumentsDelta
    }
}
