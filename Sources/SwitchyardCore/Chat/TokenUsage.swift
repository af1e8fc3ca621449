/// Tokens used by one call, with the parts providers price differently.
///
/// ``promptTokens`` and ``completionTokens`` are totals, as OpenAI reports them; the other counts are parts of
/// them:
///
/// | count | part of | priced at |
/// | --- | --- | --- |
/// | ``cachedPromptTokens`` | prompt | cached input (a cache read) |
/// | ``cacheWriteTokens`` | prompt | a cache write (Anthropic's 5-minute cache) |
/// | ``cacheWrite1hTokens`` | prompt | a 1-hour cache write (Anthropic) |
/// | ``uncachedPromptTokens`` | prompt | input: the rest of the prompt |
/// | ``reasoningTokens`` | completion | reasoning (thinking) tokens |
///
/// Every count is clamped to `0...maximumCount`, and the totals are never below their parts: a report of more cached
/// tokens than prompt tokens raises the prompt to match instead of billing a negative remainder.
public struct TokenUsage: Sendable, Hashable, Codable {
    /// Every prompt token, cached or not.
    public var promptTokens: Int
    /// Every completion token, reasoning included.
    public var completionTokens: Int
    /// Of the prompt, tokens read from the provider's prompt cache.
    public var cachedPromptTokens: Int
    /// Of the prompt, tokens written to the prompt cache (Anthropic's default 5-minute cache).
    public var cacheWriteTokens: Int
    /// Of the prompt, tokens written to Anthropic's 1-hour cache.
    public var cacheWrite1hTokens: Int
    /// Of the completion, reasoning (thinking) tokens.
    public var reasoningTokens: Int
    /// `true` when the provider reported no usage and these figures were counted by Switchyard instead.
    public var isEstimated: Bool

    /// The largest count kept: a trillion tokens. Counts from outside (a provider's `usage`) are clamped to
    /// `0...maximumCount`, so sums and prices of them can never overflow.
    public static let maximumCount = 1_000_000_000_000

    /// Counts are clamped to `0...maximumCount`; the totals are raised to at least the sum of their parts.
    public init(
        promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int = 0, cacheWriteTokens: Int = 0,
        cacheWrite1hTokens: Int = 0, reasoningTokens: Int = 0, isEstimated: Bool = false
    ) {
        self.cachedPromptTokens = Self.clamp(cachedPromptTokens)
        self.cacheWriteTokens = Self.clamp(cacheWriteTokens)
        self.cacheWrite1hTokens = Self.clamp(cacheWrite1hTokens)
        self.reasoningTokens = Self.clamp(reasoningTokens)
        let parts = self.cachedPromptTokens + self.cacheWriteTokens + self.cacheWrite1hTokens
        self.promptTokens = max(Self.clamp(promptTokens), Self.clamp(parts))
        self.completionTokens = max(Self.clamp(completionTokens), self.reasoningTokens)
        self.isEstimated = isEstimated
    }

    public var totalTokens: Int { Self.clamp(promptTokens) + Self.clamp(completionTokens) }

    /// Prompt tokens that were neither read from nor written to a cache.
    public var uncachedPromptTokens: Int {
        max(Self.clamp(promptTokens) - Self.clamp(cachedPromptTokens) - Self.clamp(cacheWriteTokens)
            - Self.clamp(cacheWrite1hTokens), 0)
    }

    /// Completion tokens that are not reasoning tokens.
    public var answerTokens: Int { max(Self.clamp(completionTokens) - Self.clamp(reasoningTokens), 0) }

    /// `count` limited to `0...maximumCount`.
    public static func clamp(_ count: Int) -> Int { min(max(count, 0), maximumCount) }

    /// The two usages together (clamped, never trapping).
    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(
            promptTokens: clamp(lhs.promptTokens) + clamp(rhs.promptTokens),
            completionTokens: clamp(lhs.completionTokens) + clamp(rhs.completionTokens),
            cachedPromptTokens: clamp(lhs.cachedPromptTokens) + clamp(rhs.cachedPromptTokens),
            cacheWriteTokens: clamp(lhs.cacheWriteTokens) + clamp(rhs.cacheWriteTokens),
            cacheWrite1hTokens: clamp(lhs.cacheWrite1hTokens) + clamp(rhs.cacheWrite1hTokens),
            reasoningTokens: clamp(lhs.reasoningTokens) + clamp(rhs.reasoningTokens),
            isEstimated: lhs.isEstimated || rhs.isEstimated)
    }

    public static let zero = TokenUsage(promptTokens: 0, completionTokens: 0)
}
