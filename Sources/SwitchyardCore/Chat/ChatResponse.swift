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

/// Tokens used by one call.
public struct TokenUsage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// `true` when the provider reported no usage and these figures were counted by Switchyard instead.
    public var isEstimated: Bool

    /// The largest count kept: a trillion tokens. Counts from outside (a provider's `usage`) are clamped to
    /// `0...maximumCount`, so sums and prices of them can never overflow.
    public static let maximumCount = 1_000_000_000_000

    public var totalTokens: Int { Self.clamp(promptTokens) + Self.clamp(completionTokens) }

    /// Counts are clamped to `0...maximumCount`.
    public init(promptTokens: Int, completionTokens: Int, isEstimated: Bool = false) {
        self.promptTokens = Self.clamp(promptTokens)
        self.completionTokens = Self.clamp(completionTokens)
        self.isEstimated = isEstimated
    }

    /// `count` limited to `0...maximumCount`.
    static func clamp(_ count: Int) -> Int { min(max(count, 0), maximumCount) }

    /// The two usages together (clamped, never trapping).
    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(
            promptTokens: clamp(lhs.promptTokens) + clamp(rhs.promptTokens),
            completionTokens: clamp(lhs.completionTokens) + clamp(rhs.completionTokens),
            isEstimated: lhs.isEstimated || rhs.isEstimated)
    }

    public static let zero = TokenUsage(promptTokens: 0, completionTokens: 0)
}
