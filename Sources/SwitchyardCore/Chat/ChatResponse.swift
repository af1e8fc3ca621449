/// A provider's complete answer to a ``ChatRequest``.
public struct ChatResponse: Sendable, Hashable {
    /// The provider's id for the completion, if it gave one.
    public var id: String?
    /// The model that answered, as the provider names it.
    public var model: String
    /// The text of the answer; `nil` when the model only called tools.
    public var content: String?
    public var toolCalls: [ToolCall]
    public var finishReason: FinishReason
    public var usage: TokenUsage

    public init(
        id: String? = nil,
        model: String,
        content: String?,
        toolCalls: [ToolCall] = [],
        finishReason: FinishReason,
        usage: TokenUsage
    ) {
        self.id = id
        self.model = model
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
    }
}

/// Why the model stopped, with OpenAI's names. Unknown reasons pass through as they came.
public struct FinishReason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let stop = FinishReason(rawValue: "stop")
    public static let length = FinishReason(rawValue: "length")
    public static let toolCalls = FinishReason(rawValue: "tool_calls")
    public static let contentFilter = FinishReason(rawValue: "content_filter")
    public var description: String { rawValue }
}
